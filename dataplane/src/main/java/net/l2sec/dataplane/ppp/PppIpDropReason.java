package net.l2sec.dataplane.ppp;

import java.util.Locale;

/**
 * Why a session dropped an IPv4 or IPv6 packet: {@link #tag()} is the {@code reason} tag of
 * {@code l2sec.ppp.ip.dropped} (its {@code family} tag says which IP).
 */
public enum PppIpDropReason {
    /** IPCP (IPV6CP) is not Opened (RFC 1661 section 3.4: no network-layer packets before), or the session has ended. */
    NOT_OPEN,
    /** Not a well-formed IPv4 (IPv6) header. */
    MALFORMED,
    /**
     * From the client with a source address other than the one it was given; for IPv6, outside its link-local
     * address, its /64 and its delegated prefix.
     */
    SPOOFED_SOURCE,
    /**
     * IPv6 that stays on the PPP link and is not a Router Solicitation: to a link-local or multicast destination
     * (MLD reports, Duplicate Address Detection), or from the link-local address to elsewhere (RFC 4291 section
     * 2.5.6: never forwarded).
     */
    LINK_SCOPE,
    /** A Router Solicitation failing RFC 4861 section 6.1.1 (hop limit not 255, bad checksum, ...). */
    INVALID_ND;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
