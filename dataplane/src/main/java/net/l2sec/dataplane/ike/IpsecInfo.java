package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.List;

/**
 * A read-only view of a client's IPsec state for the admin interface.
 *
 * @param ikeSa     the ISAKMP SA's log tag without {@code ike=} (the high half of our cookie, hex)
 * @param ike       the phase 1 proposal agreed, e.g. {@code aes256-sha256-modp2048}
 * @param mode      {@code main} or {@code aggressive}
 * @param natT      NAT traversal is in use (ESP in UDP/4500, RFC 3948)
 * @param peerId    the client's phase 1 identity as logged
 * @param age       how long ago the ISAKMP SA was created
 * @param esp       the child SAs (IPsec SAs) this ISAKMP SA installed, oldest first
 * @param dhGroup   the phase 1 Diffie-Hellman group, e.g. {@code modp2048}
 * @param vendorIds the names of the vendor IDs the client's message 1 carried, e.g. {@code ms-nt5-isakmpoakley/v9}
 */
public record IpsecInfo(String ikeSa, String ike, String mode, boolean natT, String peerId, Duration age,
                        List<Child> esp, String dhGroup, List<String> vendorIds) {
    public IpsecInfo {
        esp = List.copyOf(esp);
        vendorIds = List.copyOf(vendorIds);
    }

    /** Without group and vendor IDs. */
    public IpsecInfo(String ikeSa, String ike, String mode, boolean natT, String peerId, Duration age, List<Child> esp) {
        this(ikeSa, ike, mode, natT, peerId, age, esp, null, List.of());
    }

    /** One IPsec SA pair: our inbound SPI, the client's (our outbound), and the transform, e.g. {@code aes128-sha1}. */
    public record Child(int inboundSpi, int outboundSpi, String transform) {}
}
