package net.l2sec.spi.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.MD4Digest;

/**
 * RFC 2759 section 8 computations. Primitives come from the JCE (SHA-1, DES) and Bouncy Castle (MD4, which the
 * JCE does not offer); nothing here is a hand-rolled primitive.
 */
public final class MsChapV2 {
    // RFC 2759 section 8.7 constants (ASCII of the RFC's Magic1 / Magic2)
    private static final byte[] MAGIC1 = "Magic server to client signing constant".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC2 = "Pad to make it do more than one iteration".getBytes(StandardCharsets.US_ASCII);

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
