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
 */
public record IpsecInfo(String ikeSa, String ike, String mode, boolean natT, String peerId, Duration age,
                        List<Child> esp) {
    /** One IPsec SA pair: our inbound SPI, the client's (our outbound), and the transform, e.g. {@code aes128-sha1}. */
    public record Child(int inboundSpi, int outboundSpi, String transform) {}
}
