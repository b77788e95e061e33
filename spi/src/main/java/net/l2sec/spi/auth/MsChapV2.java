package net.l2sec.spi.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.MD4Digest;

/**
 * RFC 2759 section 8 computations, and the RFC 3079 section 3 key derivation from their results. Primitives come from the JCE (SHA-1, DES) and Bouncy Castle (MD4, which the
 * JCE does not offer); nothing here is a hand-rolled primitive.
 */
public final class MsChapV2 {
    // RFC 2759 section 8.7 constants (ASCII of the RFC's Magic1 / Magic2)
    private static final byte[] MAGIC1 = "Magic server to client signing constant".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC2 = "Pad to make it do more than one iteration".getBytes(StandardCharsets.US_ASCII);

    // RFC 3079 section 3.4 constants (ASCII of the RFC's Magic1 / Magic2 / Magic3; a different Magic1 than above)
    private static final byte[] KEY_MAGIC1 = "This is the MPPE Master Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_MAGIC2 = ("On the client side, this is the send key; on the server side, "
            + "it is the receive key.").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_MAGIC3 = ("On the client side, this is the receive key; on the server side, "
            + "it is the send key.").getBytes(StandardCharsets.US_ASCII);
    /** RFC 3079 section 3.4 SHSpad1 (40 octets of 0x00) and SHSpad2 (40 octets of 0xF2). */
    private static final byte[] SHS_PAD1 = new byte[40];
    private static final byte[] SHS_PAD2 = new byte[40];
    static {
        java.util.Arrays.fill(SHS_PAD2, (byte) 0xF2);
    }
    /** RFC 3079 section 3.3: the 128-bit variant's start keys are 16 octets. */
    public static final int KEY_LENGTH_128 = 16;
    /** RFC 3748 section 7.10: an MSK is at least 64 octets. */
    public static final int MSK_LENGTH = 64;

    private MsChapV2() {}

    /** RFC 2759 section 8.3 NtPasswordHash: MD4 of the UTF-16LE password. */
    public static byte[] ntPasswordHash(String password) {
        return md4(password.getBytes(StandardCharsets.UTF_16LE));
    }

    /** RFC 2759 section 8.4 HashNtPasswordHash. */
    public static byte[] hashNtPasswordHash(byte[] ntPasswordHash) {
        return md4(ntPasswordHash);
    }

    /** RFC 2759 section 8.2 ChallengeHash: first 8 octets of SHA1(PeerChallenge | AuthenticatorChallenge | UserName). */
    public static byte[] challengeHash(byte[] peerChallenge, byte[] authenticatorChallenge, String userName) {
        MessageDigest sha1 = sha1();
        sha1.update(peerChallenge);
        sha1.update(authenticatorChallenge);
        sha1.update(userName.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[8];
        System.arraycopy(sha1.digest(), 0, out, 0, 8);
        return out;
    }

    /** RFC 2759 section 8.1 GenerateNTResponse. */
    public static byte[] generateNtResponse(byte[] authenticatorChallenge, byte[] peerChallenge, String userName,
                                            byte[] ntPasswordHash) {
        return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), ntPasswordHash);
    }

    /** RFC 2759 section 8.5 ChallengeResponse: three DES encryptions of the challenge under the padded hash. */
    public static byte[] challengeResponse(byte[] challenge, byte[] passwordHash) {
        byte[] z = new byte[21];
        System.arraycopy(passwordHash, 0, z, 0, 16);
        byte[] out = new byte[24];
        for (int i = 0; i < 3; i++) {
            byte[] block = desEncrypt(challenge, z, i * 7);
            System.arraycopy(block, 0, out, i * 8, 8);
        }
        return out;
    }

    /** RFC 2759 section 8.7 GenerateAuthenticatorResponse, as the 20 raw octets (sent as "S=" + 40 hex digits). */
    public static byte[] generateAuthenticatorResponse(byte[] ntPasswordHash, byte[] ntResponse, byte[] peerChallenge,
                                                       byte[] authenticatorChallenge, String userName) {
        byte[] passwordHashHash = hashNtPasswordHash(ntPasswordHash);
        MessageDigest sha1 = sha1();
        sha1.update(passwordHashHash);
        sha1.update(ntResponse);
        sha1.update(MAGIC1);
        byte[] digest = sha1.digest();
        byte[] challenge = challengeHash(peerChallenge, authenticatorChallenge, userName);
        sha1.reset();
        sha1.update(digest);
        sha1.update(challenge);
        sha1.update(MAGIC2);
        return sha1.digest();
    }

    /** The 42-character "S=..." string of RFC 2759 section 8.7, upper-case hex. */
    public static String authenticatorResponseString(byte[] authenticatorResponse) {
        StringBuilder sb = new StringBuilder(42).append("S=");
        for (byte b : authenticatorResponse) sb.append(String.format("%02X", b & 0xff));
        return sb.toString();
    }

    /**
     * RFC 3079 section 3.4 GetMasterKey: the first 16 octets of SHA1(PasswordHashHash | NT-Response | Magic1).
     */
    public static byte[] masterKey(byte[] passwordHashHash, byte[] ntResponse) {
        MessageDigest sha1 = sha1();
        sha1.update(passwordHashHash);
        sha1.update(ntResponse);
        sha1.update(KEY_MAGIC1);
        byte[] out = new byte[16];
        System.arraycopy(sha1.digest(), 0, out, 0, 16);
        return out;
    }

    /**
     * RFC 3079 section 3.4 GetAsymmetricStartKey, 128-bit variant (section 3.3: 16 octets): the first 16 octets of
     * SHA1(MasterKey | SHSpad1 | s | SHSpad2), where s is Magic2 for the client's send key (the server's receive
     * key) and Magic3 for the client's receive key (the server's send key).
     *
     * @param send   true for the send key of the side {@code server} names, false for its receive key
     * @param server true when the keys are the server's (the authenticator's), false the client's (the peer's)
     */
    public static byte[] asymmetricStartKey(byte[] masterKey, boolean send, boolean server) {
        byte[] magic = send == server ? KEY_MAGIC3 : KEY_MAGIC2;
        MessageDigest sha1 = sha1();
        sha1.update(masterKey);
        sha1.update(SHS_PAD1);
        sha1.update(magic);
        sha1.update(SHS_PAD2);
        byte[] out = new byte[KEY_LENGTH_128];
        System.arraycopy(sha1.digest(), 0, out, 0, KEY_LENGTH_128);
        return out;
    }

    /**
     * The EAP-MSCHAPv2 Master Session Key as peers compute it, 64 octets: the authenticator's MasterReceiveKey
     * (RFC 3079 Magic2, which is the peer's send key), then the authenticator's MasterSendKey (Magic3, the peer's
     * receive key), each 16 octets from {@link #asymmetricStartKey}, then 32 zero octets to the 64 octets RFC 3748
     * section 7.10 asks of an MSK. The MasterKey is {@link #masterKey} of HashNtPasswordHash and the NT-Response.
     *
     * <p>Source: Microsoft's [MS-CHAP] open specification (learn.microsoft.com, openspecs/windows_protocols/ms-chap,
     * the EAP-MSCHAPv2 key page) defines exactly this: MSK = MasterReceiveKey + MasterSendKey + 32 zero octets, and, on
     * an authenticator, MS-MPPE-Recv-Key = MasterReceiveKey, MS-MPPE-Send-Key = MasterSendKey (RFC 2548 section 2.4).
     * wpa_supplicant and hostapd use the same order (peer send = server receive key first). strongSwan and
     * wpa_supplicant keep only the 32 key octets; with IKEv2's HMAC PRFs (RFC 7296 section 2.16: prf(MSK, "Key Pad
     * for IKEv2")) that signs the same AUTH, because HMAC pads a short key with zeros to the hash block size
     * (RFC 2104 section 2).
     */
    public static byte[] eapMsk(byte[] ntPasswordHash, byte[] ntResponse) {
        byte[] master = masterKey(hashNtPasswordHash(ntPasswordHash), ntResponse);
        byte[] msk = new byte[MSK_LENGTH];
        System.arraycopy(asymmetricStartKey(master, false, true), 0, msk, 0, KEY_LENGTH_128);
        System.arraycopy(asymmetricStartKey(master, true, true), 0, msk, KEY_LENGTH_128, KEY_LENGTH_128);
        java.util.Arrays.fill(master, (byte) 0);
        return msk;
    }

    private static byte[] desEncrypt(byte[] clear, byte[] key21, int offset) {
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey(key21, offset), "DES"));
            return des.doFinal(clear, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DES missing from the JCE", e);
        }
    }

    /** Spreads 56 key bits over 8 octets, one bit of each left for parity (ignored by DES). */
    private static byte[] desKey(byte[] k, int o) {
        byte[] key = new byte[8];
        key[0] = (byte) (k[o] & 0xfe);
        key[1] = (byte) ((k[o] << 7) | ((k[o + 1] & 0xff) >>> 1));
        key[2] = (byte) ((k[o + 1] << 6) | ((k[o + 2] & 0xff) >>> 2));
        key[3] = (byte) ((k[o + 2] << 5) | ((k[o + 3] & 0xff) >>> 3));
        key[4] = (byte) ((k[o + 3] << 4) | ((k[o + 4] & 0xff) >>> 4));
        key[5] = (byte) ((k[o + 4] << 3) | ((k[o + 5] & 0xff) >>> 5));
        key[6] = (byte) ((k[o + 5] << 2) | ((k[o + 6] & 0xff) >>> 6));
        key[7] = (byte) (k[o + 6] << 1);
        return key;
    }

    private static byte[] md4(byte[] in) {
        MD4Digest d = new MD4Digest();
        d.update(in, 0, in.length);
        byte[] out = new byte[16];
        d.doFinal(out, 0);
        return out;
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 missing from the JCE", e);
        }
    }
}
