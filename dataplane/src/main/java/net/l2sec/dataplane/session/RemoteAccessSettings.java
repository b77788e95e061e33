package net.l2sec.dataplane.session;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;

/**
 * What IKEv2 clients' sessions are given, from the same configuration as PPP clients' ({@code ppp.*}, {@code pools},
 * {@code pools6}), so that both kinds of client get the same addresses, DNS and WINS.
 *
 * @param defaultPool        the IPv4 pool addresses come from unless the authorization names another ({@code ppp.default-pool})
 * @param pool6              the IPv6 pool /64s come from ({@code ppp.pool6}); empty: IPv4 only
 * @param localAddress       our tunnel-side address ({@code ppp.local-address}): the DHCPINFORM server identifier and
 *                           the next hop of the routes a DHCPACK carries
 * @param subnetPrefixLength the clients' subnet, answered to DHCPINFORM as the Subnet Mask
 * @param dns                DNS servers (INTERNAL_IP4_DNS, RFC 7296 section 3.15.1) unless the authorization names some; at most two
 * @param wins               NBNS servers (INTERNAL_IP4_NBNS); at most two
 * @param dns6               IPv6 DNS servers (INTERNAL_IP6_DNS) for a session with a /64; at most three
 * @param mssLimit           the largest MSS a TCP SYN or SYN-ACK through a session may carry (IPv4; 20 less for
 *                           IPv6), 0 for no clamping; {@link #autoMss} computes it from the tunnel interface's MTU
 */
public record RemoteAccessSettings(String defaultPool, Optional<String> pool6, Inet4Address localAddress,
                                   int subnetPrefixLength, List<Inet4Address> dns, List<Inet4Address> wins,
                                   List<Inet6Address> dns6, int mssLimit) {
    /**
     * What tunnel-mode ESP in UDP adds to an inner packet, at most: outer IPv6 header (40), UDP (8), SPI and sequence
     * number (8), IV (16), padding, Pad Length and Next Header (17), ICV (16): 105; 120 leaves a margin for a path
     * with PPPoE or IPv4 options.
     */
    public static final int ESP_TUNNEL_OVERHEAD = 120;
    /** IPv4 and TCP headers without options (RFC 9293 section 3.7.1). */
    private static final int TCP_IPV4_HEADERS = 40;

    public RemoteAccessSettings {
        dns = List.copyOf(dns);
        wins = List.copyOf(wins);
        dns6 = List.copyOf(dns6);
        if (defaultPool == null || defaultPool.isBlank()) throw new IllegalArgumentException("default pool");
        if (dns.size() > 2 || wins.size() > 2 || dns6.size() > 3) {
            throw new IllegalArgumentException("at most two DNS, two WINS and three IPv6 DNS servers");
        }
        if (subnetPrefixLength < 0 || subnetPrefixLength > 32) throw new IllegalArgumentException("subnet prefix length");
        if (mssLimit < 0 || mssLimit > 65_535) throw new IllegalArgumentException("MSS limit " + mssLimit);
    }

    /**
     * The MSS that keeps a TCP segment to or from an IKEv2 client within one outer packet of a 1500-octet path, and
     * within the tunnel interface's MTU: min(tunnelMtu, 1500 - {@value #ESP_TUNNEL_OVERHEAD}) - 40; 1340 for a
     * 1500-octet tunnel interface.
     */
    public static int autoMss(int tunnelMtu) {
        return Math.min(tunnelMtu, 1500 - ESP_TUNNEL_OVERHEAD) - TCP_IPV4_HEADERS;
    }
}
