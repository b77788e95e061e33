package net.l2sec.dataplane.dhcp;

import java.util.Locale;

/** Why a DHCP message from a client got no answer: {@link #tag()} is the {@code reason} tag of {@code l2sec.ppp.dhcp.dropped}. */
public enum DhcpDropReason {
    /** Not a DHCP message: too short for the fixed fields, no magic cookie, options running past the end, a bad UDP checksum or length. */
    MALFORMED,
    /** Longer than {@link DhcpCodec#MAX_MESSAGE}: no client of ours sends one. */
    OVERSIZED,
    /** A well-formed BOOTREQUEST that is not a DHCPINFORM (DISCOVER, REQUEST, ...): on PPP the address comes from IPCP. */
    NOT_INFORM,
    /** The answer would not fit the client's limit (576 octets, or its Maximum DHCP Message Size) or an option's 255 octets. */
    REPLY_TOO_LARGE;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
