package net.l2sec.dataplane.ppp;

import java.util.Locale;

/** Why a session dropped an IPv4 packet: {@link #tag()} is the {@code reason} tag of {@code l2sec.ppp.ip.dropped}. */
public enum PppIpDropReason {
    /** IPCP is not Opened (RFC 1661 section 3.4: no network-layer packets before), or the session has ended. */
    NOT_OPEN,
    /** Not a well-formed IPv4 header. */
    MALFORMED,
    /** From the client with a source address other than the one it was given. */
    SPOOFED_SOURCE;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
