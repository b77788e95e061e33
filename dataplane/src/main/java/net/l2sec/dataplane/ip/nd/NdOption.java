package net.l2sec.dataplane.ip.nd;

import java.net.Inet6Address;
import java.util.List;
import net.l2sec.dataplane.ip.Ipv6Prefix;

/** Neighbor Discovery options (RFC 4861 section 4.6) that a router sends and reads on a PPP link. */
public sealed interface NdOption {
    /** Section 4.6.1; PPP has no link-layer address, so a router on PPP never sends it, only reads past it. */
    record SourceLinkLayerAddress(byte[] address) implements NdOption {
        public SourceLinkLayerAddress { address = address.clone(); }
    }

    /**
     * Section 4.6.2.
     *
     * @param onLink            the L flag: the prefix is on this link
     * @param autonomous        the A flag: hosts form addresses in it by SLAAC (RFC 4862 section 5.5.3)
     * @param validLifetime     seconds; 0xffffffff is infinity
     * @param preferredLifetime seconds, at most the valid lifetime
     */
    record PrefixInformation(Ipv6Prefix prefix, boolean onLink, boolean autonomous, long validLifetime,
                             long preferredLifetime) implements NdOption {}

    /** Section 4.6.4: the link's MTU. */
    record Mtu(long mtu) implements NdOption {}

    /** RFC 8106 section 5.1: recursive DNS servers, valid for {@code lifetime} seconds. */
    record RecursiveDnsServer(long lifetime, List<Inet6Address> servers) implements NdOption {
        public RecursiveDnsServer {
            servers = List.copyOf(servers);
            if (servers.isEmpty()) throw new IllegalArgumentException("RDNSS without a server");
        }
    }

    /** Any other option, kept as received (section 4.6: a receiver silently ignores options it does not know). */
    record Unknown(int type, byte[] data) implements NdOption {
        public Unknown { data = data.clone(); }
    }
}
