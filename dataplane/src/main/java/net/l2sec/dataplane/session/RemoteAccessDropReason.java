package net.l2sec.dataplane.session;

import java.util.Locale;

/**
 * Why an IKEv2 client's session dropped an IP packet: {@link #tag()} is the {@code reason} tag of
 * {@code l2sec.ikev2.ip.dropped} (its {@code family} tag says which IP).
 */
public enum RemoteAccessDropReason {
    /** The session has ended (its IKE SA is going away), or IPv6 for a session that has no /64. */
    NOT_OPEN,
    /** Not a well-formed IPv4 (IPv6) header. */
    MALFORMED,
    /** From the client with a source other than its assigned IPv4 address or its IPv6 /64 (RFC 4301 section 5.2: the SA's selectors). */
    SPOOFED_SOURCE,
    /** IPv6 to a link-local or multicast destination: a tunnel-mode SA has no link to keep it on (RFC 4291 section 2.5.6). */
    LINK_SCOPE;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
