package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ikev2.Ikev2Settings;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.ppp.PppSettings;
import net.l2sec.dataplane.udp.Transport;

/**
 * A validated configuration: everything the concentrator needs to start, already checked. Its parts compare by
 * value (secrets by their octets), so that a reload can tell what changed.
 *
 * @param source  the file it came from
 * @param l2tp    the L2TP listener and LNS behaviour
 * @param ppp     PPP behaviour
 * @param tun     the TUN device client traffic leaves through
 * @param pools   client address pools
 * @param aaa     authentication backends
 * @param metrics Prometheus endpoint
 * @param ipsec   IKEv1 + ESP
 * @param logging log levels
 * @param admin   the session administration interface
 * @param server  the {@code server} section
 * @param pools6  client IPv6 pools (each hands out /64s); empty: clients get IPv4 only
 */
public record ConcentratorConfig(Path source, L2tp l2tp, PppSettings ppp, Tun tun, List<Pool> pools, AaaConfig aaa,
                                 Metrics metrics, Ipsec ipsec, Logging logging, Admin admin, Server server,
                                 List<Pool6> pools6) {
    public ConcentratorConfig {
        pools6 = List.copyOf(pools6);
    }

    /** IPv4 only: without IPv6 pools. */
    public ConcentratorConfig(Path source, L2tp l2tp, PppSettings ppp, Tun tun, List<Pool> pools, AaaConfig aaa,
                              Metrics metrics, Ipsec ipsec, Logging logging, Admin admin, Server server) {
        this(source, l2tp, ppp, tun, pools, aaa, metrics, ipsec, logging, admin, server, List.of());
    }

    /**
     * The {@code server} section.
     *
     * @param name      our L2TP Host Name and PPP authenticator name
     * @param transport how the event loops move datagrams (epoll or NIO); read at start only
     * @param workers   worker event loops, each owning the clients whose addresses steer to it; read at start only
     */
    public record Server(String name, Transport.Choice transport, int workers) {
        /** With one worker per processor. */
        public Server(String name, Transport.Choice transport) {
            this(name, transport, Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * The {@code l2tp} section.
     *
     * @param listen       UDP address for L2TP (1701)
     * @param requireIpsec accept L2TP only inside IPsec; false allows plain L2TP (lab use, logged loudly)
     * @param settings     LNS behaviour (timers, limits, tunnel secret; the host name is {@code server.name})
     */
    public record L2tp(InetSocketAddress listen, boolean requireIpsec, L2tpSettings settings) {}

    /**
     * IKEv1 + ESP, with the algorithm names of the file already turned into the responder's settings.
     *
     * @param ike          the responder's settings; empty when neither a pre-shared key nor a certificate is
     *                     configured (IPsec off, lab use with {@code l2tp.require-ipsec: false})
     * @param replayWindow  ESP anti-replay window in packets
     * @param cryptoWorkers threads for Diffie-Hellman off the event loops (their queue is 64 tasks per thread)
     * @param cryptoNice    the nice value of those threads (Linux): 0, as the event loops, by default
     */
    public record Ipsec(InetSocketAddress ikeListen, InetSocketAddress nattListen, Optional<IkeSettings> ike,
                        int replayWindow, int cryptoWorkers, int cryptoNice, Ikev2Settings ikev2) {
        /** With IKEv2's defaults (on). */
        public Ipsec(InetSocketAddress ikeListen, InetSocketAddress nattListen, Optional<IkeSettings> ike,
                     int replayWindow, int cryptoWorkers, int cryptoNice) {
            this(ikeListen, nattListen, ike, replayWindow, cryptoWorkers, cryptoNice, Ikev2Settings.defaults());
        }

        /**
         * Whether the IKEv2 responder serves: IPsec is configured ({@link #ike()} present: a PSK or a certificate)
         * and {@code ipsec.ikev2.enabled} is not false. It shares {@link #ike()}'s proposals, keys and limits.
         */
        public boolean ikev2Enabled() {
            return ike.isPresent() && ikev2.enabled();
        }
    }

    /**
     * The TUN device: its address is the concentrator's tunnel-side address (the client's PPP peer); its IPv6
     * address, when IPv6 pools are configured, is the one clients reach the concentrator at over IPv6, and its prefix
     * covers the pools (the kernel routes the clients' /64s into the device).
     */
    public record Tun(String name, Inet4Address address, int prefixLength, int mtu, Optional<Inet6Address> address6,
                      int prefixLength6) {
        /** Without IPv6. */
        public Tun(String name, Inet4Address address, int prefixLength, int mtu) {
            this(name, address, prefixLength, mtu, Optional.empty(), 0);
        }
    }

    /** A client IPv6 pool: every /64 inside {@code prefix} is one session's. */
    public record Pool6(String name, Ipv6Prefix prefix) {}

    /** A client address pool, first..last inclusive. */
    public record Pool(String name, Inet4Address first, Inet4Address last) {}

    /** Log levels: {@code level} for everything, DEBUG for the loggers (package or class names) in {@code debug}. */
    public record Logging(String level, List<String> debug) {}

    /**
     * The admin interface (HTTP + JSON on loopback, bearer token). {@code listen} null means disabled.
     *
     * @param listen    loopback address and port
     * @param token     the bearer token clients must present (from {@code token-file})
     * @param tokenFile where the token came from, for the command-line client; null when disabled
     */
    public record Admin(InetSocketAddress listen, byte[] token, Path tokenFile) {
        public static final Admin DISABLED = new Admin(null, null, null);

        public boolean enabled() {
            return listen != null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Admin a && Objects.equals(listen, a.listen) && Arrays.equals(token, a.token)
                    && Objects.equals(tokenFile, a.tokenFile);
        }

        @Override
        public int hashCode() {
            return Objects.hash(listen, Arrays.hashCode(token), tokenFile);
        }

        @Override
        public String toString() {
            return "Admin[listen=" + listen + " token=" + (token != null ? "<set>" : "<none>") + " tokenFile=" + tokenFile + "]";
        }
    }

    /** Prometheus exposition; {@code listen} null means disabled. */
    public record Metrics(InetSocketAddress listen) {}
}
