package net.l2sec.dataplane.ike.keymat;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The expensive half of a phase 1 (RFC 2409 section 5): our Diffie-Hellman pair, g^xy from the peer's public value,
 * SKEYID and its derivatives, and the phase-1 IV. Immutable input, computed by {@link #compute()} on any thread
 * (a crypto worker): it touches nothing but its own arrays, and g^xy never leaves it (zeroed before it returns).
 *
 * @param gxi the peer's KE data
 * @param psk the pre-shared key, or null for signature authentication
 */
public record Phase1Keying(DhGroup group, IkeHash hash, IkeCipher cipher, int keyBits, long initiatorCookie,
                           long responderCookie, byte[] gxi, byte[] ni, byte[] nr, byte[] psk) {

    /** Our public value and the SA's key material. */
    public record Keys(byte[] gxr, Keymat keymat) {
        @Override
        public String toString() {
            return "Keys[gxr=" + gxr.length + " octets]";
        }
    }

    /**
     * @throws GeneralSecurityException when the peer's public value is not one of the group
     */
    public Keys compute() throws GeneralSecurityException {
        DiffieHellman dh = DiffieHellman.generate(group);
        byte[] gxy = dh.sharedSecret(gxi);
        try {
            byte[] gxr = dh.publicValue();
            Keymat k = new Keymat(hash, cipher, keyBits, initiatorCookie, responderCookie);
            if (psk == null) k.deriveSignature(ni, nr, gxy);
            else k.derivePreSharedKey(psk, ni, nr, gxy);
            k.initPhase1Iv(gxi, gxr);
            return new Keys(gxr, k);
        } finally {
            Arrays.fill(gxy, (byte) 0);
        }
    }

    /** Never the PSK or nonces: this may reach a log line through an exception message. */
    @Override
    public String toString() {
        return "Phase1Keying[" + group.label() + "]";
    }
}
