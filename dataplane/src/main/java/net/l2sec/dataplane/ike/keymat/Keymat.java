package net.l2sec.dataplane.ike.keymat;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key material of one IKEv1 SA and everything computed from it (RFC 2409 sections 5, 5.5 and Appendix B):
 * SKEYID and its derivatives, the phase-1 encryption key, the CBC IVs of every exchange, the authentication
 * hashes and phase-2 KEYMAT. Nothing else in {@code ike} sees a key. {@link #wipe()} overwrites it all.
 */
public final class Keymat {
    /**
     * The exchanges (message IDs) whose IVs one SA keeps at most: each exchange chains its own IV (Appendix B), and
     * a peer chooses message IDs freely. Beyond this the oldest is forgotten; a late message of it then decrypts
     * under the exchange's first IV, to garbage, and is dropped like a message of an exchange already ended.
     */
    public static final int MAX_EXCHANGES = 32;
    private final IkeHash hash;
    private final IkeCipher cipher;
    private final int keyBytes;
    private final byte[] cookies;
    private byte[] skeyid;
    private byte[] skeyidD;
    private byte[] skeyidA;
    private byte[] skeyidE;
    private byte[] encKey;
    /** The IV of the next phase-1 message: the last ciphertext block of the previous one. */
    private byte[] phase1Iv;
    /** The last ciphertext block of phase 1 (base of every later exchange's IV). */
    private byte[] phase1LastBlock;
    /** The current IV of every exchange in progress, oldest first; bounded by {@link #MAX_EXCHANGES}. */
    private final Map<Integer, byte[]> exchangeIvs = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, byte[]> eldest) {
            if (size() <= MAX_EXCHANGES) return false;
            Arrays.fill(eldest.getValue(), (byte) 0);
            return true;
        }
    };

    /**
     * @param keyBits phase-1 encryption key length in bits
     */
    public Keymat(IkeHash hash, IkeCipher cipher, int keyBits, long initiatorCookie, long responderCookie) {
        this.hash = hash;
        this.cipher = cipher;
        this.keyBytes = keyBits / 8;
        this.cookies = new byte[16];
        putLong(cookies, 0, initiatorCookie);
        putLong(cookies, 8, responderCookie);
    }

    public IkeHash hash() {
        return hash;
    }

    public IkeCipher cipher() {
        return cipher;
    }

    /** Pseudo-random function: HMAC with the negotiated hash (RFC 2409 section 4: no PRF attribute). */
    public static byte[] prf(IkeHash hash, byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(hash.hmacName());
            mac.init(new SecretKeySpec(key, hash.hmacName())); // an empty key is refused: PSKs are never empty
            for (byte[] p : parts) mac.update(p);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] prf(byte[] key, byte[]... parts) {
        return prf(hash, key, parts);
    }

    /** K1 = prf(key, seed), Kn = prf(key, K(n-1) | tail), concatenated to {@code length} octets. */
    static byte[] expand(IkeHash hash, byte[] key, byte[] seed, byte[] tail, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] k = prf(hash, key, seed);
        out.writeBytes(k);
        while (out.size() < length) {
            k = prf(hash, key, k, tail);
            out.writeBytes(k);
        }
        byte[] all = out.toByteArray();
        byte[] r = Arrays.copyOf(all, length);
        Arrays.fill(all, (byte) 0);
        return r;
    }

    /**
     * Derives SKEYID (pre-shared key: prf(pre-shared-key, Ni_b | Nr_b)), SKEYID_d, SKEYID_a, SKEYID_e and the
     * encryption key (Appendix B expansion when SKEYID_e is too short).
     */
    public void derivePreSharedKey(byte[] psk, byte[] niB, byte[] nrB, byte[] gxy) {
        derive(prf(psk, niB, nrB), gxy);
    }

    /**
     * Derives the keys for signature authentication: SKEYID = prf(Ni_b | Nr_b, g^xy) (RFC 2409 section 5.1), then
     * as for pre-shared keys.
     */
    public void deriveSignature(byte[] niB, byte[] nrB, byte[] gxy) {
        byte[] nonces = new byte[niB.length + nrB.length];
        System.arraycopy(niB, 0, nonces, 0, niB.length);
        System.arraycopy(nrB, 0, nonces, niB.length, nrB.length);
        derive(prf(nonces, gxy), gxy);
        Arrays.fill(nonces, (byte) 0);
    }

    private void derive(byte[] skeyid, byte[] gxy) {
        this.skeyid = skeyid;
        skeyidD = prf(skeyid, gxy, cookies, new byte[] {0});
        skeyidA = prf(skeyid, skeyidD, gxy, cookies, new byte[] {1});
        skeyidE = prf(skeyid, skeyidA, gxy, cookies, new byte[] {2});
        encKey = skeyidE.length >= keyBytes ? Arrays.copyOf(skeyidE, keyBytes)
                : expand(hash, skeyidE, new byte[] {0}, new byte[0], keyBytes);
    }

    /** Phase-1 IV = hash(g^xi | g^xr) truncated to the block size (Appendix B). */
    public void initPhase1Iv(byte[] gxi, byte[] gxr) {
        phase1Iv = Arrays.copyOf(digest(gxi, gxr), cipher.blockSize());
    }

    private byte[] digest(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(hash.digestName());
            for (byte[] p : parts) md.update(p);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] cookiesSwapped() {
        byte[] s = new byte[16];
        System.arraycopy(cookies, 8, s, 0, 8);
        System.arraycopy(cookies, 0, s, 8, 8);
        return s;
    }

    /** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b). */
    public byte[] hashI(byte[] gxi, byte[] gxr, byte[] saiB, byte[] idiiB) {
        return prf(skeyid, gxi, gxr, cookies, saiB, idiiB);
    }

    /** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b). */
    public byte[] hashR(byte[] gxi, byte[] gxr, byte[] saiB, byte[] idirB) {
        return prf(skeyid, gxr, gxi, cookiesSwapped(), saiB, idirB);
    }

    /** Quick Mode HASH(1) and Informational HASH(1): prf(SKEYID_a, M-ID | payloads after HASH). */
    public byte[] hash1(int messageId, byte[] rest) {
        return prf(skeyidA, intBytes(messageId), rest);
    }

    /** Quick Mode HASH(2) = prf(SKEYID_a, M-ID | Ni_b | payloads after HASH). */
    public byte[] hash2(int messageId, byte[] niB, byte[] rest) {
        return prf(skeyidA, intBytes(messageId), niB, rest);
    }

    /** Quick Mode HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
    public byte[] hash3(int messageId, byte[] niB, byte[] nrB) {
        return prf(skeyidA, new byte[] {0}, intBytes(messageId), niB, nrB);
    }

    /**
     * Phase-2 KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), expanded K1 | K2 | ... where
     * Kn = prf(SKEYID_d, K(n-1) | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) (RFC 2409 section 5.5).
     *
     * @param gqmxy the Quick Mode DH secret with PFS, else null
     * @param spi   the SPI of the SA the KEYMAT is for (the one its receiver chose)
     */
    public byte[] childKeymat(byte[] gqmxy, int protocol, int spi, byte[] niB, byte[] nrB, int length) {
        ByteArrayOutputStream seed = new ByteArrayOutputStream();
        if (gqmxy != null) seed.writeBytes(gqmxy);
        seed.write(protocol);
        seed.writeBytes(intBytes(spi));
        seed.writeBytes(niB);
        seed.writeBytes(nrB);
        byte[] s = seed.toByteArray();
        byte[] k = expand(hash, skeyidD, s, s, length);
        Arrays.fill(s, (byte) 0);
        return k;
    }

    /** Marks the end of phase 1: later exchanges derive their IVs from its last ciphertext block. */
    public void completePhase1() {
        phase1LastBlock = phase1Iv.clone();
    }

    /**
     * The current IV of exchange {@code messageId} (0 = phase 1): the last ciphertext block of its previous message,
     * or for the first message of an exchange after phase 1 hash(last phase-1 block | M-ID) truncated to the block
     * size (Appendix B). Looking it up stores nothing: an exchange is kept from its first message we send or
     * receive authentic.
     */
    byte[] iv(int messageId) {
        if (messageId == 0) return phase1Iv.clone();
        byte[] current = exchangeIvs.get(messageId);
        return current != null ? current.clone() : Arrays.copyOf(digest(phase1LastBlock, intBytes(messageId)), cipher.blockSize());
    }

    /** Forgets the IV of a finished exchange. */
    public void endExchange(int messageId) {
        byte[] iv = exchangeIvs.remove(messageId);
        if (iv != null) Arrays.fill(iv, (byte) 0);
    }

    /** How many exchanges' IVs are kept: for tests. */
    int exchanges() {
        return exchangeIvs.size();
    }

    /** Encrypts {@code plaintext}, zero-padded to the block size, and chains the exchange's IV. */
    public byte[] encrypt(int messageId, byte[] plaintext) {
        int bs = cipher.blockSize();
        byte[] padded = Arrays.copyOf(plaintext, (plaintext.length + bs - 1) / bs * bs);
        byte[] out = crypt(Cipher.ENCRYPT_MODE, iv(messageId), padded);
        Arrays.fill(padded, (byte) 0);
        chain(messageId, out);
        return out;
    }

    /**
     * Decrypts a message body under the current IV of its exchange, which stays where it is: only a message found
     * authentic moves it on ({@link #authentic}), so a forged or corrupted one leaves the exchange able to take the
     * genuine message (e.g. its retransmission). The caller parses past the padding.
     */
    public byte[] decrypt(int messageId, byte[] ciphertext) throws GeneralSecurityException {
        if (ciphertext.length == 0 || ciphertext.length % cipher.blockSize() != 0) {
            throw new GeneralSecurityException("ciphertext of " + ciphertext.length + " octets");
        }
        return crypt(Cipher.DECRYPT_MODE, iv(messageId), ciphertext);
    }

    /**
     * The message of exchange {@code messageId} with this body, decrypted by {@link #decrypt}, proved authentic (its
     * HASH or signature verified): the exchange's next IV is its last ciphertext block (Appendix B).
     */
    public void authentic(int messageId, byte[] ciphertext) {
        chain(messageId, ciphertext);
    }

    private void chain(int messageId, byte[] ciphertext) {
        byte[] last = Arrays.copyOfRange(ciphertext, ciphertext.length - cipher.blockSize(), ciphertext.length);
        if (messageId == 0) phase1Iv = last;
        else exchangeIvs.put(messageId, last);
    }

    private byte[] crypt(int mode, byte[] iv, byte[] data) {
        try {
            Cipher c = Cipher.getInstance(cipher.jceName() + "/CBC/NoPadding");
            c.init(mode, new SecretKeySpec(encKey, cipher.jceName()), new IvParameterSpec(iv));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Overwrites every key and IV; the Keymat is unusable afterwards. */
    public void wipe() {
        for (byte[] b : new byte[][] {skeyid, skeyidD, skeyidA, skeyidE, encKey, phase1Iv, phase1LastBlock}) {
            if (b != null) Arrays.fill(b, (byte) 0);
        }
        exchangeIvs.values().forEach(b -> Arrays.fill(b, (byte) 0));
        exchangeIvs.clear();
        skeyid = skeyidD = skeyidA = skeyidE = encKey = null;
    }

    byte[] skeyid() {
        return skeyid;
    }

    byte[] skeyidD() {
        return skeyidD;
    }

    byte[] skeyidA() {
        return skeyidA;
    }

    byte[] skeyidE() {
        return skeyidE;
    }

    byte[] encryptionKey() {
        return encKey;
    }

    void setPhase1LastBlock(byte[] block) {
        phase1LastBlock = block.clone();
    }

    static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (56 - 8 * i));
    }
}
