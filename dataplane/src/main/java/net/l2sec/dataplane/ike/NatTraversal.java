package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import net.l2sec.dataplane.ike.keymat.IkeHash;

/**
 * What an IKEv1 initiator needs of NAT-Traversal (RFC 3947) besides the payload codec: the vendor IDs it announces
 * in Main Mode message 1 (section 3.1; DPD's of RFC 3706 section 5 beside it) and the NAT-D hash of section 3.2.
 * The responder's own tasks ({@code IsakmpVendor}, {@code IsakmpNatd}) use the same definitions; this class is
 * public for the load generator's client side, which must compute exactly what a real client does.
 */
public final class NatTraversal {
    private NatTraversal() {
    }

    /** The RFC 3947 vendor ID, MD5("RFC 3947") (section 3.1). */
    public static byte[] rfc3947VendorId() {
        return IsakmpVendor.RFC3947.clone();
    }

    /** The DPD vendor ID (RFC 3706 section 5.1). */
    public static byte[] dpdVendorId() {
        return IsakmpVendor.DPD.clone();
    }

    /** Whether {@code vid} is the RFC 3947 vendor ID. */
    public static boolean isRfc3947(byte[] vid) {
        return MessageDigest.isEqual(vid, IsakmpVendor.RFC3947);
    }

    /**
     * NAT-D HASH = HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash (RFC 3947 section 3.2).
     *
     * @param cookies CKY-I then CKY-R, 16 octets
     */
    public static byte[] natDHash(IkeHash hash, byte[] cookies, InetSocketAddress address) {
        try {
            MessageDigest md = MessageDigest.getInstance(hash.digestName());
            md.update(cookies);
            md.update(address.getAddress().getAddress());
            md.update(new byte[] {(byte) (address.getPort() >> 8), (byte) address.getPort()});
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
