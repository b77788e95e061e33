package net.l2sec.spi.auth;

import java.net.Inet6Address;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the backend assigned a user for IPv6 (RADIUS, RFC 3162 and RFC 4818); empty fields fall back to the
 * concentrator's IPv6 pool and negotiation.
 *
 * @param framedPrefix    Framed-IPv6-Prefix (RFC 3162 section 2.3): the prefix advertised to the client; a /64 is
 *                        what SLAAC needs
 * @param interfaceId     Framed-Interface-Id (RFC 3162 section 2.2): the client's IPV6CP Interface-Identifier
 * @param delegatedPrefix Delegated-IPv6-Prefix (RFC 4818): a prefix routed to the client, for the network behind it
 */
public record Ipv6Framing(Optional<Prefix> framedPrefix, OptionalLong interfaceId, Optional<Prefix> delegatedPrefix) {
    /** An IPv6 prefix as RADIUS carries it: the address with the bits past {@code length} zero, and the length. */
    public record Prefix(Inet6Address address, int length) {
        public Prefix {
            if (length < 0 || length > 128) throw new IllegalArgumentException("prefix length " + length);
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + length;
        }
    }

    public static Ipv6Framing none() {
        return new Ipv6Framing(Optional.empty(), OptionalLong.empty(), Optional.empty());
    }

    public boolean isEmpty() {
        return framedPrefix.isEmpty() && interfaceId.isEmpty() && delegatedPrefix.isEmpty();
    }
}
