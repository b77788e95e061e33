package net.l2sec.dataplane.ppp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ip.nd.RouterPreference;
import net.l2sec.spi.auth.AuthMethod;

/**
 * PPP behaviour knobs (config section {@code ppp}).
 *
 * @param authMethods      methods we offer, most preferred first (LCP Authentication-Protocol; a Configure-Nak
 *                         from the peer moves to the next one it accepts). Default: MS-CHAPv2 first.
 * @param mru              our MRU (RFC 1661 section 6.1)
 * @param localAddress     our IPCP IP-Address: the concentrator's tunnel-side address the client sees as peer
 * @param dns              primary and secondary DNS offered (RFC 1877), zero to two entries
 * @param wins             primary and secondary NBNS offered (RFC 1877); empty means the options are rejected
 * @param defaultPool      the pool addresses come from unless authorization names another
 * @param echoInterval     LCP Echo-Request interval once the link is up (zero disables)
 * @param echoFailures     unanswered echoes after which the peer is declared dead
 * @param restartTimer     RFC 1661 Restart timer
 * @param maxConfigure     RFC 1661 Max-Configure
 * @param maxTerminate     RFC 1661 Max-Terminate
 * @param maxFailure       RFC 1661 Max-Failure
 * @param authTimeout      time allowed for the whole authentication phase, backend included
 * @param authThrottle     how authentication failures hold down a tunnel or a user name ({@link AuthThrottle})
 * @param mssClamp         TCP MSS clamping on the packet path ({@link MssClamp})
 * @param subnetPrefixLength the prefix length of the clients' subnet (the tunnel interface's), answered to
 *                         DHCPINFORM as the Subnet Mask
 * @param ipv6             IPv6 for clients (IPV6CP, Router Advertisements); {@link Ipv6#disabled()} by default
 */
public record PppSettings(List<AuthMethod> authMethods, int mru, Inet4Address localAddress, List<Inet4Address> dns,
                          List<Inet4Address> wins, String defaultPool, Duration echoInterval, int echoFailures,
                          Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure,
                          Duration authTimeout, Throttle authThrottle, MssClamp mssClamp, int subnetPrefixLength,
                          Ipv6 ipv6) {
    public PppSettings {
        authMethods = List.copyOf(authMethods);
        dns = List.copyOf(dns);
        wins = List.copyOf(wins);
        if (authMethods.isEmpty()) throw new IllegalArgumentException("at least one authentication method");
        if (dns.size() > 2 || wins.size() > 2) throw new IllegalArgumentException("at most two DNS and two WINS servers");
        if (subnetPrefixLength < 0 || subnetPrefixLength > 32) throw new IllegalArgumentException("subnet prefix length");
    }

    /** With automatic MSS clamping for a 1500-octet tunnel interface and a /32 subnet, IPv4 only. */
    public PppSettings(List<AuthMethod> authMethods, int mru, Inet4Address localAddress, List<Inet4Address> dns,
                       List<Inet4Address> wins, String defaultPool, Duration echoInterval, int echoFailures,
                       Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure,
                       Duration authTimeout, Throttle authThrottle) {
        this(authMethods, mru, localAddress, dns, wins, defaultPool, echoInterval, echoFailures, restartTimer,
                maxConfigure, maxTerminate, maxFailure, authTimeout, authThrottle, MssClamp.auto(1500), 32, Ipv6.disabled());
    }

    /** IPv4 only ({@link Ipv6#disabled()}). */
    public PppSettings(List<AuthMethod> authMethods, int mru, Inet4Address localAddress, List<Inet4Address> dns,
                       List<Inet4Address> wins, String defaultPool, Duration echoInterval, int echoFailures,
                       Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure,
                       Duration authTimeout, Throttle authThrottle, MssClamp mssClamp, int subnetPrefixLength) {
        this(authMethods, mru, localAddress, dns, wins, defaultPool, echoInterval, echoFailures, restartTimer,
                maxConfigure, maxTerminate, maxFailure, authTimeout, authThrottle, mssClamp, subnetPrefixLength,
                Ipv6.disabled());
    }

    /** With automatic MSS clamping for a 1500-octet tunnel interface and a /32 subnet. */
    public PppSettings(List<AuthMethod> authMethods, int mru, Inet4Address localAddress, List<Inet4Address> dns,
                       List<Inet4Address> wins, String defaultPool, Duration echoInterval, int echoFailures,
                       Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure,
                       Duration authTimeout, Throttle authThrottle, Ipv6 ipv6) {
        this(authMethods, mru, localAddress, dns, wins, defaultPool, echoInterval, echoFailures, restartTimer,
                maxConfigure, maxTerminate, maxFailure, authTimeout, authThrottle, MssClamp.auto(1500), 32, ipv6);
    }

    /**
     * Config {@code ppp.mss-clamp}: the largest MSS a TCP SYN or SYN-ACK through a session may carry.
     * {@link #auto}: the largest IPv4 packet the session carries either way without fragmentation, less the 40
     * octets of IPv4 and TCP headers (RFC 9293 section 3.7.1): the smallest of the tunnel interface's MTU (what the
     * kernel sends into the TUN device), our MRU (what we asked the client to send), the client's MRU (what it
     * takes) and what the L2TP/IPsec link carries in one outer packet ({@code PppLink#mtu()} less the PPP header).
     * {@link #fixed}: that value. {@link #off}: SYNs pass unchanged.
     *
     * @param tunnelMtu for {@code auto}, the tunnel interface's MTU; for {@code fixed}, the MSS; 0 for {@code off}
     */
    public record MssClamp(Mode mode, int tunnelMtu) {
        public enum Mode { AUTO, FIXED, OFF }

        public static MssClamp auto(int tunnelMtu) {
            return new MssClamp(Mode.AUTO, tunnelMtu);
        }

        public static MssClamp fixed(int mss) {
            return new MssClamp(Mode.FIXED, mss);
        }

        public static MssClamp off() {
            return new MssClamp(Mode.OFF, 0);
        }

        /** The limit for a session whose LCP agreed {@code ourMru} and {@code peerMru} over a link of {@code linkMtu}; 0 for none. */
        public int limit(int ourMru, int peerMru, int linkMtu) {
            return switch (mode) {
                case OFF -> 0;
                case FIXED -> tunnelMtu;
                case AUTO -> Math.min(Math.min(tunnelMtu, ourMru), Math.min(peerMru, linkMtu - 4)) - 40;
            };
        }

        @Override
        public String toString() {
            return switch (mode) {
                case OFF -> "off";
                case FIXED -> String.valueOf(tunnelMtu);
                case AUTO -> "auto";
            };
        }
    }

    /** These settings with IPv6 for clients as {@code next} says. */
    public PppSettings withIpv6(Ipv6 next) {
        return new PppSettings(authMethods, mru, localAddress, dns, wins, defaultPool, echoInterval, echoFailures,
                restartTimer, maxConfigure, maxTerminate, maxFailure, authTimeout, authThrottle, mssClamp, subnetPrefixLength,
                next);
    }

    /**
     * IPv6 for clients (config {@code pools6}, {@code ppp.pool6}, {@code ppp.dns6}): with a pool, IPV6CP (RFC 5072)
     * is negotiated after authentication and each session gets a /64 of the pool, advertised by Router
     * Advertisement (RFC 4861) for SLAAC (RFC 4862); without one, IPV6CP is Protocol-Rejected.
     *
     * @param pool                the IPv6 pool /64s come from unless the authorization names a prefix; empty: IPv6 off
     * @param dns                 DNS servers advertised in the RDNSS option (RFC 8106), at most three
     * @param maxRtrAdvInterval   RFC 4861 section 6.2.1 MaxRtrAdvInterval: unsolicited advertisements come at a random
     *                            time between 0.33 and 1 times this
     * @param routerPreference    the Default Router Preference advertised (RFC 4191): HIGH by default, so that a client
     *                            whose own network also has an IPv6 default router sends its IPv6 through the tunnel
     */
    public record Ipv6(Optional<String> pool, List<Inet6Address> dns, Duration maxRtrAdvInterval,
                       RouterPreference routerPreference) {
        /** With the HIGH Default Router Preference. */
        public Ipv6(Optional<String> pool, List<Inet6Address> dns, Duration maxRtrAdvInterval) {
            this(pool, dns, maxRtrAdvInterval, RouterPreference.HIGH);
        }

        public Ipv6 {
            dns = List.copyOf(dns);
            if (dns.size() > 3) throw new IllegalArgumentException("at most three IPv6 DNS servers");
            if (maxRtrAdvInterval.compareTo(Duration.ofSeconds(4)) < 0 || maxRtrAdvInterval.compareTo(Duration.ofSeconds(1800)) > 0) {
                throw new IllegalArgumentException("MaxRtrAdvInterval outside 4..1800 s (RFC 4861 section 6.2.1)");
            }
        }

        public static Ipv6 disabled() {
            return new Ipv6(Optional.empty(), List.of(), Duration.ofSeconds(600));
        }

        public boolean enabled() {
            return pool.isPresent();
        }
    }

    /** With {@link Throttle#defaults()}. */
    public PppSettings(List<AuthMethod> authMethods, int mru, Inet4Address localAddress, List<Inet4Address> dns,
                       List<Inet4Address> wins, String defaultPool, Duration echoInterval, int echoFailures,
                       Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure, Duration authTimeout) {
        this(authMethods, mru, localAddress, dns, wins, defaultPool, echoInterval, echoFailures, restartTimer,
                maxConfigure, maxTerminate, maxFailure, authTimeout, Throttle.defaults());
    }

    /**
     * Config {@code ppp.auth-throttle}: {@code tunnelFailures} failed authentications on one tunnel, or
     * {@code userFailures} for one user name, within {@code window} hold that tunnel or name down for
     * {@code holdDown}: its attempts are refused without asking the backend ({@code reason=throttled}). A zero
     * {@code holdDown} turns throttling off.
     */
    public record Throttle(Duration window, int tunnelFailures, int userFailures, Duration holdDown) {
        public Throttle {
            if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window");
            if (tunnelFailures < 1 || userFailures < 1) throw new IllegalArgumentException("failures");
            if (holdDown.isNegative()) throw new IllegalArgumentException("hold-down");
        }

        public static Throttle defaults() {
            return new Throttle(Duration.ofMinutes(10), 3, 5, Duration.ofMinutes(10));
        }
    }

    public Optional<Inet4Address> primaryDns() {
        return dns.isEmpty() ? Optional.empty() : Optional.of(dns.get(0));
    }

    public Optional<Inet4Address> secondaryDns() {
        return dns.size() < 2 ? Optional.empty() : Optional.of(dns.get(1));
    }
}
