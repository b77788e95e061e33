package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.List;

/**
 * A read-only view of a client's IPsec state for the admin interface.
 *
 * <p>The same view serves IKEv1 (L2TP/IPsec) and IKEv2 clients; {@code ikeVersion} says which, and where the two
 * differ the field says how.
 *
 * @param ikeSa      the IKE SA's log tag without its prefix: IKEv1 {@code ike=} (the high half of our cookie, hex),
 *                   IKEv2 {@code ike2=} (our SPI when the client set the SA up, hex; rekeys keep it)
 * @param ike        the IKE SA's suite agreed, e.g. {@code aes256-sha256-modp2048} (phase 1 for IKEv1)
 * @param mode       IKEv1's phase 1 exchange, {@code main} or {@code aggressive}; null for IKEv2, which has none
 * @param natT       ESP travels in UDP/4500 (RFC 3948): NAT traversal for IKEv1; for IKEv2 every client of ours
 *                   encapsulates (our NAT detection makes it, RFC 7296 section 2.23)
 * @param peerId     the client's identity as logged (IKEv1 phase 1 ID, IKEv2 IDi)
 * @param age        IKEv1: how long ago the ISAKMP SA was created; IKEv2: how long ago the client's IKE SA began
 *                   authenticating (IKE_AUTH; rekeys do not reset it)
 * @param esp        the child SAs (IPsec SAs) this IKE SA installed, oldest first
 * @param dhGroup    the IKE SA's Diffie-Hellman group, e.g. {@code modp2048}
 * @param vendorIds  the names of the vendor IDs the client's first message carried, e.g. {@code ms-nt5-isakmpoakley/v9}
 * @param ikeVersion 1 or 2: the IKE version the client speaks
 */
public record IpsecInfo(String ikeSa, String ike, String mode, boolean natT, String peerId, Duration age,
                        List<Child> esp, String dhGroup, List<String> vendorIds, int ikeVersion) {
    public IpsecInfo {
        esp = List.copyOf(esp);
        vendorIds = List.copyOf(vendorIds);
        if (ikeVersion != 1 && ikeVersion != 2) throw new IllegalArgumentException("ike version " + ikeVersion);
    }

    /** An IKEv1 SA's. */
    public IpsecInfo(String ikeSa, String ike, String mode, boolean natT, String peerId, Duration age,
                     List<Child> esp, String dhGroup, List<String> vendorIds) {
        this(ikeSa, ike, mode, natT, peerId, age, esp, dhGroup, vendorIds, 1);
    }

    /** An IKEv1 SA's, without group and vendor IDs. */
    public IpsecInfo(String ikeSa, String ike, String mode, boolean natT, String peerId, Duration age, List<Child> esp) {
        this(ikeSa, ike, mode, natT, peerId, age, esp, null, List.of());
    }

    /** One IPsec SA pair: our inbound SPI, the client's (our outbound), and the transform, e.g. {@code aes128-sha1}. */
    public record Child(int inboundSpi, int outboundSpi, String transform) {}
}
