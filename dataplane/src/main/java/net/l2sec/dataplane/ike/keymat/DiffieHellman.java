package net.l2sec.dataplane.ike.keymat;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPrivateKeySpec;
import javax.crypto.spec.DHPublicKeySpec;

/**
 * One side of a Diffie-Hellman exchange with the JCE. Public values: MODP g^x as an octet string of the prime's
 * length; ECP x || y (RFC 5903 section 7). Shared secrets: MODP g^xy padded to the prime's length, ECP the x
 * coordinate (RFC 5903 section 9).
 */
public final class DiffieHellman {
    private final DhGroup group;
    private final PrivateKey privateKey;
    private final byte[] publicValue;

    private DiffieHellman(DhGroup group, PrivateKey privateKey, byte[] publicValue) {
        this.group = group;
        this.privateKey = privateKey;
        this.publicValue = publicValue;
    }

    /** A fresh key pair in {@code group}. */
    public static DiffieHellman generate(DhGroup group) {
        try {
            if (group.elliptic()) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec(group.curve()));
                KeyPair kp = g.generateKeyPair();
                ECPoint w = ((ECPublicKey) kp.getPublic()).getW();
                byte[] pub = new byte[2 * group.length()];
                put(w.getAffineX(), pub, 0, group.length());
                put(w.getAffineY(), pub, group.length(), group.length());
                return new DiffieHellman(group, kp.getPrivate(), pub);
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("DH");
            g.initialize(new DHParameterSpec(group.prime(), group.generator(), group.privateExponentBits()));
            KeyPair kp = g.generateKeyPair();
            byte[] pub = new byte[group.length()];
            put(((DHPublicKey) kp.getPublic()).getY(), pub, 0, group.length());
            return new DiffieHellman(group, kp.getPrivate(), pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE cannot do " + group, e);
        }
    }

    /** Our public value and the shared secret of a fresh key pair in a group with the peer's public value. */
    public record Agreement(byte[] publicValue, byte[] sharedSecret) {
        @Override
        public String toString() {
            return "Agreement[" + publicValue.length + " octets]";
        }
    }

    /**
     * A fresh key pair in {@code group} and its shared secret with {@code peerPublic} (Quick Mode PFS, on a crypto
     * worker); the caller zeroes the secret.
     *
     * @throws GeneralSecurityException if {@code peerPublic} is not a valid public value of the group
     */
    public static Agreement agree(DhGroup group, byte[] peerPublic) throws GeneralSecurityException {
        DiffieHellman dh = generate(group);
        return new Agreement(dh.publicValue(), dh.sharedSecret(peerPublic));
    }

    /** A MODP exchange with a given private exponent: for known-answer tests only. */
    static DiffieHellman withPrivateExponent(DhGroup group, BigInteger x) throws GeneralSecurityException {
        PrivateKey priv = KeyFactory.getInstance("DH").generatePrivate(new DHPrivateKeySpec(x, group.prime(), group.generator()));
        byte[] pub = new byte[group.length()];
        put(group.generator().modPow(x, group.prime()), pub, 0, group.length());
        return new DiffieHellman(group, priv, pub);
    }

    /**
     * An ECP exchange with a given private value {@code d} (RFC 5903 section 8's {@code i} or {@code r}): for
     * known-answer tests only. The public value d·G is computed with Bouncy Castle's curve arithmetic.
     */
    static DiffieHellman withEcPrivateValue(DhGroup group, BigInteger d) throws GeneralSecurityException {
        java.security.AlgorithmParameters ap = java.security.AlgorithmParameters.getInstance("EC");
        ap.init(new ECGenParameterSpec(group.curve()));
        ECParameterSpec params = ap.getParameterSpec(ECParameterSpec.class);
        PrivateKey priv = KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.ECPrivateKeySpec(d, params));
        org.bouncycastle.math.ec.ECPoint w = org.bouncycastle.asn1.x9.ECNamedCurveTable.getByName(group.curve()).getG()
                .multiply(d).normalize();
        byte[] pub = new byte[2 * group.length()];
        put(w.getAffineXCoord().toBigInteger(), pub, 0, group.length());
        put(w.getAffineYCoord().toBigInteger(), pub, group.length(), group.length());
        return new DiffieHellman(group, priv, pub);
    }

    /** MODP: the bit length of our private exponent (for tests of its sizing). */
    int privateExponentBitLength() {
        return ((javax.crypto.interfaces.DHPrivateKey) privateKey).getX().bitLength();
    }

    public DhGroup group() {
        return group;
    }

    public byte[] publicValue() {
        return publicValue.clone();
    }

    /**
     * @param peerPublic the peer's KE data
     * @throws GeneralSecurityException if it has the wrong length or is not a valid public value
     */
    public byte[] sharedSecret(byte[] peerPublic) throws GeneralSecurityException {
        if (peerPublic.length != group.publicValueLength()) {
            throw new GeneralSecurityException("KE of " + peerPublic.length + " octets for " + group.label());
        }
        PublicKey peer;
        KeyAgreement ka;
        if (group.elliptic()) {
            ECParameterSpec params = ((java.security.interfaces.ECPrivateKey) privateKey).getParams();
            int n = group.length();
            ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(peerPublic, 0, n)),
                    new BigInteger(1, Arrays.copyOfRange(peerPublic, n, 2 * n)));
            peer = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
            ka = KeyAgreement.getInstance("ECDH");
        } else {
            BigInteger y = new BigInteger(1, peerPublic);
            // RFC 2409 / RFC 6989: reject 0, 1 and p-1 (and anything >= p)
            if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(group.prime().subtract(BigInteger.ONE)) >= 0) {
                throw new GeneralSecurityException("degenerate MODP public value");
            }
            peer = KeyFactory.getInstance("DH").generatePublic(new DHPublicKeySpec(y, group.prime(), group.generator()));
            ka = KeyAgreement.getInstance("DH");
        }
        ka.init(privateKey);
        ka.doPhase(peer, true);
        byte[] secret = ka.generateSecret();
        if (secret.length == group.length()) return secret;
        byte[] padded = new byte[group.length()];
        System.arraycopy(secret, 0, padded, group.length() - secret.length, secret.length);
        Arrays.fill(secret, (byte) 0);
        return padded;
    }

    private static void put(BigInteger v, byte[] out, int off, int len) {
        byte[] b = v.toByteArray();
        int skip = b.length > len ? b.length - len : 0;
        System.arraycopy(b, skip, out, off + len - (b.length - skip), b.length - skip);
    }
}
