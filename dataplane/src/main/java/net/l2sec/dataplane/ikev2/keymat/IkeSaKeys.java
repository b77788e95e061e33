package net.l2sec.dataplane.ikev2.keymat;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The keys of one IKE SA (RFC 7296 section 2.14): SK_d for child SAs and rekeys, SK_ai/SK_ar and SK_ei/SK_er for
 * the Encrypted payload in each direction (i: sent by the original initiator), SK_pi/SK_pr for the AUTH payloads.
 * With an AEAD cipher there are no SK_a keys (empty) and SK_e carries the salt.
 */
public final class IkeSaKeys {
    private final PrfAlgorithm prf;
    private final byte[] skD;
    private final byte[] skAi;
    private final byte[] skAr;
    private final byte[] skEi;
    private final byte[] skEr;
    private final byte[] skPi;
    private final byte[] skPr;

    IkeSaKeys(PrfAlgorithm prf, byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) {
        this.prf = prf;
        this.skD = skD;
        this.skAi = skAi;
        this.skAr = skAr;
        this.skEi = skEi;
        this.skEr = skEr;
        this.skPi = skPi;
        this.skPr = skPr;
    }

    /** SKEYSEED = prf(Ni | Nr, g^ir) for a new IKE SA (section 2.14). */
    public static byte[] skeyseed(PrfAlgorithm prf, byte[] ni, byte[] nr, byte[] sharedSecret) {
        return prf.prf(concat(ni, nr), sharedSecret);
    }

    /** SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) for an IKE SA rekeyed by CREATE_CHILD_SA (section 2.18). */
    public static byte[] rekeySkeyseed(PrfAlgorithm prf, byte[] oldSkD, byte[] sharedSecret, byte[] ni, byte[] nr) {
        return prf.prf(oldSkD, sharedSecret, ni, nr);
    }

    /**
     * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (section 2.14).
     *
     * @param encKeyBits the encryption key length in bits (without GCM's salt)
     */
    public static IkeSaKeys derive(PrfAlgorithm prf, IntegrityAlgorithm integrity, EncryptionAlgorithm cipher,
                                   int encKeyBits, byte[] skeyseed, byte[] ni, byte[] nr, long spiI, long spiR) {
        int dLen = prf.length();
        int aLen = integrity == null ? 0 : integrity.keyLength();
        int eLen = cipher.keyMaterialLength(encKeyBits);
        byte[] seed = ByteBuffer.allocate(ni.length + nr.length + 16).put(ni).put(nr).putLong(spiI).putLong(spiR).array();
        byte[] all = prf.prfPlus(skeyseed, seed, 3 * dLen + 2 * aLen + 2 * eLen);
        int at = 0;
        byte[] skD = Arrays.copyOfRange(all, at, at += dLen);
        byte[] skAi = Arrays.copyOfRange(all, at, at += aLen);
        byte[] skAr = Arrays.copyOfRange(all, at, at += aLen);
        byte[] skEi = Arrays.copyOfRange(all, at, at += eLen);
        byte[] skEr = Arrays.copyOfRange(all, at, at += eLen);
        byte[] skPi = Arrays.copyOfRange(all, at, at += dLen);
        byte[] skPr = Arrays.copyOfRange(all, at, at += dLen);
        Arrays.fill(all, (byte) 0);
        return new IkeSaKeys(prf, skD, skAi, skAr, skEi, skEr, skPi, skPr);
    }

    /**
     * KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) for a child SA (section 2.17), {@code length} octets: the
     * initiator-to-responder SA's keys first (encryption then integrity), then the other direction's.
     */
    public byte[] childKeymat(byte[] sharedSecretOrNull, byte[] ni, byte[] nr, int length) {
        byte[] seed = sharedSecretOrNull == null ? concat(ni, nr) : concat(sharedSecretOrNull, concat(ni, nr));
        return prf.prfPlus(skD, seed, length);
    }

    public PrfAlgorithm prf() {
        return prf;
    }

    /** SK_d, for the next SKEYSEED when this IKE SA is rekeyed. */
    public byte[] skD() {
        return skD.clone();
    }

    public byte[] skAi() {
        return skAi.clone();
    }

    public byte[] skAr() {
        return skAr.clone();
    }

    public byte[] skEi() {
        return skEi.clone();
    }

    public byte[] skEr() {
        return skEr.clone();
    }

    public byte[] skPi() {
        return skPi.clone();
    }

    public byte[] skPr() {
        return skPr.clone();
    }

    /** prf(SK_px, IDx') for the AUTH payload (section 2.15): {@code initiator} selects SK_pi, else SK_pr. */
    public byte[] macedId(boolean initiator, byte[] idBody) {
        return prf.prf(initiator ? skPi : skPr, idBody);
    }

    /** Overwrites every key (the IKE SA is gone). */
    public void wipe() {
        for (byte[] k : new byte[][] {skD, skAi, skAr, skEi, skEr, skPi, skPr}) Arrays.fill(k, (byte) 0);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    public String toString() {
        return "IkeSaKeys[" + prf + "]";
    }
}
