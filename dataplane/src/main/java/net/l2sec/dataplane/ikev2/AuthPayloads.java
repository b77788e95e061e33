package net.l2sec.dataplane.ikev2;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.util.Arrays;
import java.util.HexFormat;
import net.l2sec.dataplane.ikev2.keymat.PrfAlgorithm;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;

/**
 * The AUTH payload (RFC 7296 section 2.15): a signature or a shared-key MIC over the sender's IKE_SA_INIT
 * message, the other side's nonce and prf(SK_px, IDx'). Signatures: RSA PKCS#1 v1.5 with SHA-1 (method 1), ECDSA
 * with the curve's hash and r|s (methods 9-11, RFC 4754), or, when the peer announced SIGNATURE_HASH_ALGORITHMS,
 * RFC 7427 digital signatures with SHA-256/384/512 (method 14).
 */
final class AuthPayloads {
    /** RFC 7296 section 2.15: the key pad for shared-key MICs. */
    private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);
    /** RFC 7427 section 7 hash algorithm identifiers (IANA "IKEv2 Hash Algorithms"). */
    static final int HASH_SHA1 = 1;
    static final int HASH_SHA2_256 = 2;
    static final int HASH_SHA2_384 = 3;
    static final int HASH_SHA2_512 = 4;
    /** DER AlgorithmIdentifiers (RFC 7427 appendix A): sha256WithRSAEncryption, ecdsa-with-SHA256/384/512. */
    private static final byte[] RSA_SHA256 = HexFormat.of().parseHex("300d06092a864886f70d01010b0500");
    private static final byte[] RSA_SHA384 = HexFormat.of().parseHex("300d06092a864886f70d01010c0500");
    private static final byte[] RSA_SHA512 = HexFormat.of().parseHex("300d06092a864886f70d01010d0500");
    private static final byte[] ECDSA_SHA256 = HexFormat.of().parseHex("300a06082a8648ce3d040302");
    private static final byte[] ECDSA_SHA384 = HexFormat.of().parseHex("300a06082a8648ce3d040303");
    private static final byte[] ECDSA_SHA512 = HexFormat.of().parseHex("300a06082a8648ce3d040304");

    private AuthPayloads() {
    }

    /** The octets an AUTH payload covers: the sender's IKE_SA_INIT message, the peer's nonce, prf(SK_px, IDx'). */
    static byte[] signedOctets(byte[] initMessage, byte[] peerNonce, byte[] macedId) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(initMessage.length + peerNonce.length + macedId.length);
        o.writeBytes(initMessage);
        o.writeBytes(peerNonce);
        o.writeBytes(macedId);
        return o.toByteArray();
    }

    /** AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), signed octets) (method 2, also for EAP's MSK). */
    static byte[] sharedKeyMic(PrfAlgorithm prf, byte[] secret, byte[] signedOctets) {
        return prf.prf(prf.prf(secret, KEY_PAD), signedOctets);
    }

    /** True when {@code received} is the MIC {@code secret} gives, compared in constant time. */
    static boolean verifySharedKeyMic(PrfAlgorithm prf, byte[] secret, byte[] signedOctets, byte[] received) {
        return MessageDigest.isEqual(sharedKeyMic(prf, secret, signedOctets), received);
    }

    /** Our signature AUTH payload with {@code key}; RFC 7427 when the peer supports it. */
    static Auth sign(PrivateKey key, boolean rfc7427, byte[] signedOctets) throws GeneralSecurityException {
        boolean ec = key instanceof ECKey;
        int bits = ec ? ((ECKey) key).getParams().getCurve().getField().getFieldSize() : 0;
        if (rfc7427) {
            String hash = !ec || bits <= 256 ? "SHA256" : bits <= 384 ? "SHA384" : "SHA512";
            byte[] algorithm = ec ? (bits <= 256 ? ECDSA_SHA256 : bits <= 384 ? ECDSA_SHA384 : ECDSA_SHA512) : RSA_SHA256;
            Signature s = Signature.getInstance(hash + "with" + (ec ? "ECDSA" : "RSA"));
            s.initSign(key);
            s.update(signedOctets);
            byte[] sig = s.sign();
            byte[] data = new byte[1 + algorithm.length + sig.length];
            data[0] = (byte) algorithm.length;
            System.arraycopy(algorithm, 0, data, 1, algorithm.length);
            System.arraycopy(sig, 0, data, 1 + algorithm.length, sig.length);
            return new Auth(Auth.DIGITAL_SIGNATURE, data);
        }
        if (!ec) {
            Signature s = Signature.getInstance("SHA1withRSA");
            s.initSign(key);
            s.update(signedOctets);
            return new Auth(Auth.RSA_SIGNATURE, s.sign());
        }
        int method = bits <= 256 ? Auth.ECDSA_SHA256_P256 : bits <= 384 ? Auth.ECDSA_SHA384_P384 : Auth.ECDSA_SHA512_P521;
        String hash = bits <= 256 ? "SHA256" : bits <= 384 ? "SHA384" : "SHA512";
        Signature s = Signature.getInstance(hash + "withECDSAinP1363Format");
        s.initSign(key);
        s.update(signedOctets);
        return new Auth(method, s.sign());
    }

    /** Verifies a peer's signature AUTH payload with its certificate's key (methods 1, 9-11, 14). */
    static boolean verify(PublicKey key, Auth auth, byte[] signedOctets) {
        try {
            String algorithm;
            byte[] sig = auth.data();
            switch (auth.method()) {
                case Auth.RSA_SIGNATURE -> algorithm = "SHA1withRSA";
                case Auth.ECDSA_SHA256_P256 -> algorithm = "SHA256withECDSAinP1363Format";
                case Auth.ECDSA_SHA384_P384 -> algorithm = "SHA384withECDSAinP1363Format";
                case Auth.ECDSA_SHA512_P521 -> algorithm = "SHA512withECDSAinP1363Format";
                case Auth.DIGITAL_SIGNATURE -> {
                    if (sig.length < 1) return false;
                    int len = sig[0] & 0xff;
                    if (sig.length < 1 + len) return false;
                    byte[] id = Arrays.copyOfRange(sig, 1, 1 + len);
                    sig = Arrays.copyOfRange(sig, 1 + len, sig.length);
                    algorithm = algorithmOf(id);
                    if (algorithm == null) return false;
                }
                default -> {
                    return false;
                }
            }
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(signedOctets);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static String algorithmOf(byte[] id) {
        if (Arrays.equals(id, RSA_SHA256)) return "SHA256withRSA";
        if (Arrays.equals(id, RSA_SHA384)) return "SHA384withRSA";
        if (Arrays.equals(id, RSA_SHA512)) return "SHA512withRSA";
        if (Arrays.equals(id, ECDSA_SHA256)) return "SHA256withECDSA";
        if (Arrays.equals(id, ECDSA_SHA384)) return "SHA384withECDSA";
        if (Arrays.equals(id, ECDSA_SHA512)) return "SHA512withECDSA";
        return null;
    }

    /** SIGNATURE_HASH_ALGORITHMS notify data we send: SHA-256, SHA-384, SHA-512 (RFC 7427 section 4). */
    static byte[] supportedHashes() {
        return new byte[] {0, HASH_SHA2_256, 0, HASH_SHA2_384, 0, HASH_SHA2_512};
    }

    static String hex(BigInteger v) {
        return v.toString(16);
    }
}
