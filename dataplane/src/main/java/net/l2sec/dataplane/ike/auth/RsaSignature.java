package net.l2sec.dataplane.ike.auth;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * IKEv1 RSA signatures: the hash (HASH_I or HASH_R, RFC 2409 section 5.1) is signed as it is, with PKCS#1 v1.5
 * type-1 padding and no DigestInfo around it; RFC 7296 section 3.8 notes that IKEv1 "used a different method for
 * RSA signatures" than IKEv2's RSASSA-PKCS1-v1_5. The JCE's {@code NONEwithRSA} does exactly that.
 */
public final class RsaSignature {
    private static final String ALGORITHM = "NONEwithRSA";

    private RsaSignature() {
    }

    public static byte[] sign(PrivateKey key, byte[] hash) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(hash);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA signing failed: " + e.getMessage(), e);
        }
    }

    /** True when {@code signature} is {@code key}'s signature over {@code hash}; false for any malformed input. */
    public static boolean verify(PublicKey key, byte[] hash, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(hash);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
