package net.l2sec.dataplane.esp;

import java.util.Locale;

/** Why an ESP packet was dropped: {@link #tag()} is the {@code reason} tag of {@code l2sec.esp.packets.dropped}. */
public enum EspDropReason {
    /** Duplicate or left of the anti-replay window (RFC 4303 section 3.4.3). */
    REPLAY,
    /** ICV mismatch (RFC 4303 section 3.4.4). */
    INTEGRITY,
    /** Too short, or ciphertext not a multiple of the block size. */
    MALFORMED,
    /** No inbound SA for the SPI. */
    UNKNOWN_SPI,
    /** Pad Length beyond the payload, or Padding not 1, 2, 3, ... (RFC 4303 section 2.4). */
    BAD_PADDING,
    /** Transport mode: Next Header not UDP (17): we carry L2TP only. */
    NOT_UDP,
    /** UDP inside the SA, but not to port 1701. */
    NOT_L2TP,
    /** From an address the SA was not negotiated with. */
    WRONG_PEER,
    /** Outbound: the 32-bit sequence number would cycle (RFC 4303 section 3.3.3); the SA needs a rekey. */
    SEQ_EXHAUSTED,
    /** The SA's byte lifetime is used up. */
    LIFETIME,
    /** Outbound: the peer has no SA left to send with. */
    NO_SA,
    /** Tunnel mode: Next Header neither IPv4 (4) nor IPv6 (41), or outbound a packet of neither IP version. */
    NOT_IP,
    /**
     * Tunnel mode: the inner packet's header is not of the version its Next Header names, or its length does not
     * fit the payload.
     */
    INNER_MALFORMED,
    /** Tunnel mode: a dummy packet (Next Header 59, RFC 4303 section 2.6), discarded as the RFC asks. */
    DUMMY;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
