package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.dataplane.esp.EspEndpoint;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ipsec.ChannelDatagramSender;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.ipsec.EncapsulatedDatagramHandler;
import net.l2sec.dataplane.ipsec.IkeDatagramHandler;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.l2tp.L2tpDatagramHandler;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.ppp.PppSessionFactory;
import net.l2sec.dataplane.ppp.PppSessionRegistry;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.dataplane.tun.TunDevice;
import net.l2sec.dataplane.udp.LocalAddressMonitor;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import net.l2sec.ops.MetricsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running concentrator: one event loop owns every tunnel, session, pool and route (no locks on the packet
 * path); the TUN reader thread and the AAA virtual threads hand their results to that loop.
 */
public final class Concentrator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);
    /** How often the host's addresses are read (at once, too, when a datagram reaches an address not yet bound). */
    private static final Duration ADDRESS_READ_INTERVAL = Duration.ofSeconds(2);

    private final EventLoopGroup group;
    private final MetricsEndpoint metrics;
    private final TunDevice tun;
    private final L2tpNetworkServer l2tp;
    private final IkeResponder ike;
    private final EventLoop loop;
    /** The UDP ports we serve, each bound on every local address, and what follows the host's addresses. */
    private final List<LocalAddressSockets> ports;
    private final LocalAddressMonitor addresses;
    private final AaaWiring aaa;
    private final PppSessionRegistry sessions;
    // ---- what a reload changes (pools and the PPP factory are confined to the event loop)
    private final MeterRegistry registry;
    private final PppSessionFactory ppp;
    private final Map<String, Ipv4Pool> pools;
    private volatile ConcentratorConfig config;
    /** The admin interface (issue 5); null when disabled. */
    private net.l2sec.concentrator.admin.AdminServer adminServer;

    private Concentrator(EventLoopGroup group, MetricsEndpoint metrics, TunDevice tun, L2tpNetworkServer l2tp,
                         IkeResponder ike, EventLoop loop, List<LocalAddressSockets> ports, LocalAddressMonitor addresses,
                         AaaWiring aaa, PppSessionRegistry sessions,
                         MeterRegistry registry, PppSessionFactory ppp, Map<String, Ipv4Pool> pools, ConcentratorConfig config) {
        this.registry = registry;
        for (String result : List.of("applied", "refused")) {
            Counter.builder("l2sec.config.reloads").tag("result", result).description("Configuration reloads, by result").register(registry);
        }
        this.ppp = ppp;
        this.pools = pools;
        this.config = config;
        this.aaa = aaa;
        this.sessions = sessions;
        this.group = group;
        this.metrics = metrics;
        this.tun = tun;
        this.l2tp = l2tp;
        this.ike = ike;
        this.loop = loop;
        this.ports = ports;
        this.addresses = addresses;
    }

    public static Concentrator start(ConcentratorConfig config) throws Exception {
        MetricsEndpoint metrics = new MetricsEndpoint(config.metrics().listen() != null
                ? config.metrics().listen() : new InetSocketAddress("127.0.0.1", 0));
        MeterRegistry registry = metrics.registry();

        ConcentratorConfig.Tun tc = config.tun();
        TunDevice tun = TunDevice.open(tc.name(), registry);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AaaWiring aaa = null;
        LocalAddressMonitor monitor = null;
        List<LocalAddressSockets> ports = new ArrayList<>();
        try {
            tun.configure(tc.address(), tc.prefixLength(), tc.mtu());
            EventLoop loop = group.next();
            EventLoopScheduler scheduler = new EventLoopScheduler(loop);

            Map<String, Ipv4Pool> pools = new HashMap<>();
            for (ConcentratorConfig.Pool p : config.pools()) {
                pools.put(p.name(), new Ipv4Pool(p.name(), p.first(), p.last()).bindTo(registry));
            }
            ClientRoutes routes = new ClientRoutes(registry);
            PppSessionRegistry sessions = new PppSessionRegistry(scheduler);
            aaa = AaaWiring.build(config.aaa(), sessions, config.ppp().authTimeout(), scheduler, registry);
            // ---- session observers: RADIUS accounting and the per-rule session meters (ops/METRICS.md) ----
            sessions.observer(FanOutObserver.of(aaa.observer(), SessionMeters.forPolicy(config.aaa().policy(), registry)));
            PppSessionFactory ppp = new PppSessionFactory(config.ppp(), aaa.authenticator(),
                    name -> Optional.ofNullable(pools.get(name)), routes, tun, scheduler, registry, new java.security.SecureRandom(),
                    sessions);
            L2tpNetworkServer l2tp = new L2tpNetworkServer(config.l2tp().settings(), ppp, scheduler, registry);

            // every UDP port we serve is bound on each local address (replies leave from the address a client
            // sent to); the monitor follows addresses added and removed after start
            LocalAddressMonitor addresses = new LocalAddressMonitor(LocalAddressMonitor::hostAddresses,
                    found -> loop.execute(() -> ports.forEach(p -> p.update(found))));
            monitor = addresses;

            // IPsec: IKE on UDP/500, IKE (non-ESP marker) and UDP-encapsulated ESP on UDP/4500 (RFC 3948)
            ConcentratorConfig.Ipsec ic = config.ipsec();
            IkeResponder ike = null;
            if (ic.ike().isPresent()) {
                LocalAddressSockets ikeSockets = new LocalAddressSockets("ike", loop, ic.ikeListen(), registry);
                LocalAddressSockets nattSockets = new LocalAddressSockets("natt", loop, ic.nattListen(), registry);
                DatagramSender sender = ChannelDatagramSender.over(ikeSockets, nattSockets);
                EspEndpoint esp = new EspEndpoint(l2tp, sender, scheduler, registry, ic.replayWindow());
                IkeResponder responder = new IkeResponder(ic.ike().get(), esp, sender, scheduler, registry);
                // ESP's lifetime events drive IKE: a rekey we initiate at the soft limit, a Delete at expiry
                esp.saEvents(new EspEndpoint.SaEvents() {
                    @Override
                    public void rekeyNeeded(String ikeSaTag, int inboundSpi, String why) {
                        responder.rekeyChildSa(ikeSaTag, inboundSpi, why);
                    }

                    @Override
                    public void expired(String ikeSaTag, int inboundSpi) {
                        responder.childSaExpired(ikeSaTag, inboundSpi);
                    }
                });
                ike = responder;
                UdpEncapsulationDemux demux = new UdpEncapsulationDemux(responder, esp, registry);
                ikeSockets.open(local -> new IkeDatagramHandler(responder, local), addresses::refreshSoon);
                ports.add(ikeSockets);
                nattSockets.open(local -> new EncapsulatedDatagramHandler(demux, local), addresses::refreshSoon);
                ports.add(nattSockets);
            } else {
                log.warn("ipsec disabled: neither ipsec.psk-file nor ipsec.certificate configured");
            }

            LocalAddressSockets l2tpSockets = new LocalAddressSockets("l2tp", loop, config.l2tp().listen(), registry);
            if (config.l2tp().requireIpsec()) {
                log.info("l2tp.require-ipsec is true: L2TP is accepted only inside IPsec; plain L2TP datagrams on {} are "
                        + "dropped and counted (l2sec_l2tp_packets_dropped_total{reason=\"ipsec_required\"})", config.l2tp().listen());
                l2tpSockets.open(local -> new IpsecRequired(registry), addresses::refreshSoon);
            } else {
                log.warn("!!! l2tp.require-ipsec is false: plain L2TP is accepted on {} WITHOUT ENCRYPTION. PAP passwords "
                        + "and all user traffic cross the network in clear. Lab use only. !!!", config.l2tp().listen());
                l2tpSockets.open(local -> new L2tpDatagramHandler(l2tp), addresses::refreshSoon);
            }
            ports.add(l2tpSockets);
            Set<InetAddress> local = addresses.start(ADDRESS_READ_INTERVAL);
            if (ike != null) {
                log.info("ipsec ready ike={} natt={} local-addresses={}{}", ic.ikeListen(), ic.nattListen(),
                        ports.getFirst().listen().getAddress().isAnyLocalAddress()
                                ? local.stream().filter(ports.getFirst()::accepts).map(InetAddress::getHostAddress).sorted().toList()
                                : List.of(ic.ikeListen().getAddress().getHostAddress()),
                        ic.ike().get().localId().map(id -> " local-id=" + id).orElse(""));
            }
            tun.startReader(packet -> loop.execute(() -> routes.deliver(packet)));
            if (config.metrics().listen() != null) {
                metrics.start();
                log.info("metrics at http://{}/metrics", hostPort(metrics.address()));
            }
            // --- admin interface (issue 5): sessions, disconnect, drain over HTTP + JSON on loopback ----------------
            net.l2sec.concentrator.admin.AdminServer adminServer = null;
            if (config.admin().enabled()) {
                adminServer = new net.l2sec.concentrator.admin.AdminServer(config.admin().listen(), config.admin().token(),
                        new net.l2sec.concentrator.admin.DataplaneBackend(sessions, l2tp, ike, loop), registry,
                        java.time.Clock.systemUTC()).start();
            } else {
                log.info("admin interface disabled (no admin section in {})", config.source());
            }
            // --- end admin interface ---------------------------------------------------------------------------------
            String version = Concentrator.class.getPackage().getImplementationVersion();
            log.info("concentrator ready version={} config={} l2tp={} tun={} address={}/{} mtu={} pools={} auth-methods={}",
                    version != null ? version : "dev", config.source(), config.l2tp().listen(), tc.name(), tc.address().getHostAddress(), tc.prefixLength(),
                    tc.mtu(), pools.keySet(), config.ppp().authMethods());
            Logging.apply(config.logging());
            Concentrator running = new Concentrator(group, metrics, tun, l2tp, ike, loop, ports, addresses, aaa, sessions, registry, ppp, pools, config);
            running.adminServer = adminServer; // admin interface (issue 5)
            if (adminServer != null) {
                adminServer.reloader(() -> {
                    ReloadOutcome o = running.reload(config.source());
                    return new net.l2sec.concentrator.admin.AdminServer.ReloadReply(o.applied(), o.problems(), o.restartNeeded());
                });
            }
            return running;
        } catch (Exception e) {
            if (monitor != null) monitor.close();
            ports.forEach(LocalAddressSockets::close);
            if (aaa != null) aaa.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            tun.close();
            metrics.close();
            throw e;
        }
    }

    /**
     * Applies a new configuration without dropping anyone: AAA backends and policy, pools, PPP settings, IKE/ESP
     * proposals and keys, log levels apply to what starts from now on; established sessions keep their address,
     * authorization and SAs. Settings that need new sockets or devices (listen addresses, the TUN device, L2TP
     * timers, accounting and Disconnect/CoA) are reported as needing a restart and left as they are.
     *
     * @return the settings that were not applied because they need a restart
     */
    public synchronized List<String> reload(ConcentratorConfig next) throws Exception {
        ConcentratorConfig before = config;
        List<String> restart = new ArrayList<>();
        if (!next.l2tp().listen().equals(before.l2tp().listen())) restart.add("l2tp.listen");
        if (next.l2tp().requireIpsec() != before.l2tp().requireIpsec()) restart.add("l2tp.require-ipsec");
        if (!next.l2tp().settings().equals(before.l2tp().settings())) restart.add("l2tp (timers, limits, tunnel secret)");
        if (!next.tun().equals(before.tun())) restart.add("tunnel-interface");
        if (!java.util.Objects.equals(next.metrics().listen(), before.metrics().listen())) restart.add("metrics.listen");
        if (!next.ipsec().ikeListen().equals(before.ipsec().ikeListen()) || !next.ipsec().nattListen().equals(before.ipsec().nattListen())
                || ike == null && next.ipsec().ike().isPresent()) {
            restart.add("ipsec.listen-ike / listen-natt / enabling IPsec");
        }
        restart.addAll(aaa.reload(next.aaa()));     // throws, changing nothing, when a backend cannot be built
        loop.submit(() -> {
            Map<String, Ipv4Pool> replaced = new HashMap<>();
            for (ConcentratorConfig.Pool p : next.pools()) {
                Ipv4Pool old = pools.get(p.name());
                if (old != null && sameRange(before, p)) {
                    replaced.put(p.name(), old);
                    continue;
                }
                Ipv4Pool fresh = new Ipv4Pool(p.name(), p.first(), p.last());
                if (old != null) {
                    old.replaceWith(fresh);
                    registry.find("l2sec.pool.addresses").tag("pool", p.name()).meters().forEach(registry::remove);
                }
                replaced.put(p.name(), fresh.bindTo(registry));
            }
            for (String gone : pools.keySet()) {
                if (!replaced.containsKey(gone)) registry.find("l2sec.pool.addresses").tag("pool", gone).meters().forEach(registry::remove);
            }
            pools.clear();
            pools.putAll(replaced);
            ppp.reconfigure(next.ppp(), aaa.authenticator(), name -> Optional.ofNullable(pools.get(name)));
            if (ike != null) next.ipsec().ike().ifPresent(ike::updateSettings);
        }).get(10, TimeUnit.SECONDS);
        Logging.apply(next.logging());
        config = next;
        return restart;
    }

    /** What a reload did: {@code applied}, or {@code refused} with the problems, the running config unchanged. */
    public record ReloadOutcome(boolean applied, List<String> problems, List<String> restartNeeded) {}

    /**
     * Reads {@code file} again (SIGHUP, admin command) and applies it; an invalid file is refused and the running
     * configuration stays. Logged and counted as {@code l2sec_config_reloads_total{result}}.
     */
    public ReloadOutcome reload(java.nio.file.Path file) {
        ConcentratorConfig next;
        try {
            next = net.l2sec.concentrator.config.ConfigLoader.load(file);
        } catch (net.l2sec.concentrator.config.ConfigException e) {
            e.problems().forEach(p -> log.error("reload refused, running configuration unchanged: {}", p));
            countReload("refused");
            return new ReloadOutcome(false, e.problems(), List.of());
        }
        try {
            List<String> restart = reload(next);
            log.info("reload applied config={} pools={} rules={}{}", file, next.pools().stream().map(ConcentratorConfig.Pool::name).toList(),
                    next.aaa().policy().rules().stream().map(r -> r.name()).toList(),
                    restart.isEmpty() ? "" : " not applied until restart: " + restart);
            countReload("applied");
            return new ReloadOutcome(true, List.of(), restart);
        } catch (Exception e) {
            log.error("reload refused, running configuration unchanged: {}", e.toString());
            countReload("refused");
            return new ReloadOutcome(false, List.of(e.toString()), List.of());
        }
    }

    private void countReload(String result) {
        Counter.builder("l2sec.config.reloads").tag("result", result).description("Configuration reloads, by result")
                .register(registry).increment();
    }

    private static ConcentratorConfig.Pool poolOf(ConcentratorConfig c, String name) {
        return c.pools().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    private static boolean sameRange(ConcentratorConfig before, ConcentratorConfig.Pool p) {
        ConcentratorConfig.Pool old = poolOf(before, p.name());
        return old != null && old.first().equals(p.first()) && old.last().equals(p.last());
    }

    /** The configuration in force. */
    public ConcentratorConfig config() {
        return config;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Ends every tunnel (StopCCN), then closes the sockets, the TUN device and the metrics endpoint. */
    @Override
    public void close() {
        if (adminServer != null) adminServer.close(); // admin interface (issue 5): no admin requests while stopping
        addresses.close();
        try {
            // StopCCN (inside ESP while the SAs exist), then IKE Deletes for every SA
            loop.submit(() -> {
                l2tp.close();
                if (ike != null) ike.close();
            }).get(5, TimeUnit.SECONDS);
            // give the StopCCNs a moment to leave before the socket closes
            Thread.sleep(200);
        } catch (Exception e) {
            log.warn("shutdown: {}", e.toString());
        }
        ports.forEach(LocalAddressSockets::close);
        aaa.close();                 // after the sessions ended: their Stop records are spooled
        tun.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        metrics.close();
        log.info("concentrator stopped");
    }

    /** Stands in for the L2TP handler while IPsec is required but not yet available: drops and counts. */
    private static final class IpsecRequired extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Counter dropped;
        private long lastWarn;

        IpsecRequired(MeterRegistry registry) {
            this.dropped = Counter.builder("l2sec.l2tp.packets.dropped").tag("reason", "ipsec_required")
                    .description("L2TP datagrams dropped, by reason").register(registry);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            dropped.increment();
            long now = System.nanoTime();
            if (now - lastWarn > TimeUnit.MINUTES.toNanos(1) || lastWarn == 0) {
                lastWarn = now;
                log.warn("plain L2TP from {} dropped: l2tp.require-ipsec is true", packet.sender());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("l2tp socket: {}", cause.toString());
        }
    }

}
