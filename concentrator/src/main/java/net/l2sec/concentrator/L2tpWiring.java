package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.l2sec.concentrator.config.ConcentratorConfig;
import io.netty.buffer.ByteBuf;
import java.util.function.IntFunction;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.RouteOwners;
import net.l2sec.dataplane.l2tp.L2tpIdentifiers;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.dataplane.ppp.PppSettings;
import net.l2sec.dataplane.udp.L2tpDatagramHandler;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.ppp.AuthThrottle;
import net.l2sec.dataplane.ppp.PppSessionFactory;
import net.l2sec.dataplane.session.RemoteAccessSessions;
import net.l2sec.dataplane.session.RemoteAccessSettings;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.spi.auth.Authenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L2TP and the PPP sessions it carries: the client address pools (shared by the workers), and per worker the routes
 * back to its clients, its PPP session factory and its LNS; the L2TP port on every local address, served by the
 * first worker (plain L2TP there is dropped while IPsec is required; L2TP inside ESP reaches each worker's LNS
 * through that worker's IPsec). The pools are replaced as a whole on reload and are thread-safe; each worker's
 * factory and LNS belong to its loop.
 */
final class L2tpWiring {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);

    private final MeterRegistry registry;
    private final Authenticator authenticator;
    private final Workers workers;
    /** Replaced whole on reload; read by every worker's sessions. */
    private volatile Map<String, Ipv4Pool> pools = Map.of();
    /** The IPv6 pools; fixed until a restart (the TUN device's IPv6 address covers them). */
    private final Map<String, Ipv6Pool> pools6;
    /** The configuration {@link #pools6} was built from. */
    private final List<ConcentratorConfig.Pool6> runningPools6;
    /** The PPP IPv6 settings in force: a reload that changes pools6 keeps these. Reloads are serialised by the caller. */
    private PppSettings.Ipv6 appliedIpv6;
    private final RouteOwners owners = new RouteOwners();
    private final List<ClientRoutes> routes = new ArrayList<>();
    private final List<PppSessionFactory> ppp = new ArrayList<>();
    /** Per worker: IKEv2 clients' sessions, on the same pools, routes, egress and registry as its PPP sessions. */
    private final List<RemoteAccessSessions> remoteAccess = new ArrayList<>();
    private final List<L2tpNetworkServer> servers = new ArrayList<>();
    private final List<IkeIdentification> identification = new ArrayList<>();
    private final LocalAddresses.Port sockets;

    private L2tpWiring(ConcentratorConfig config, Authenticator authenticator, SessionRegistry sessions,
                       IntFunction<IpEgress> egress, Workers workers, MeterRegistry registry, LocalAddresses addresses) {
        this.registry = registry;
        this.authenticator = authenticator;
        this.workers = workers;
        Map<String, Ipv4Pool> p = new HashMap<>();
        for (ConcentratorConfig.Pool c : config.pools()) p.put(c.name(), new Ipv4Pool(c.name(), c.first(), c.last()).bindTo(registry));
        this.pools = Map.copyOf(p);
        Map<String, Ipv6Pool> p6 = new HashMap<>();
        for (ConcentratorConfig.Pool6 c : config.pools6()) {
            Ipv6Pool pool = new Ipv6Pool(c.name(), c.prefix());
            config.tun().address6().ifPresent(own -> pool.reserve(Ipv6.high(own)));   // our own address's /64
            p6.put(c.name(), pool.bindTo(registry));
        }
        this.pools6 = Map.copyOf(p6);
        this.runningPools6 = config.pools6();
        this.appliedIpv6 = config.ppp().ipv6();
        L2tpIdentifiers ids = new L2tpIdentifiers();
        AuthThrottle throttle = new AuthThrottle(workers.first().scheduler(), config.ppp().authThrottle());
        for (Workers.Worker w : workers.all()) {
            ClientRoutes r = new ClientRoutes(w.registry(), owners, w.index());
            PppSessionFactory f = new PppSessionFactory(config.ppp(), authenticator, this::pool, this::pool6, r,
                    egress.apply(w.index()), w.scheduler(), w.registry(), new SecureRandom(), sessions, throttle);
            routes.add(r);
            ppp.add(f);
            remoteAccess.add(new RemoteAccessSessions(remoteAccessSettings(config.ppp()), this::pool, this::pool6, r,
                    egress.apply(w.index()), w.scheduler(), sessions, w.registry()));
            IkeIdentification identified = new IkeIdentification(f);
            identification.add(identified);
            servers.add(new L2tpNetworkServer(config.l2tp().settings(), identified, w.scheduler(), w.registry(), ids));
        }
        this.sockets = addresses.portOfFirst("l2tp", config.l2tp().listen());
    }

    /**
     * Builds the pools and, per worker, the PPP factory and the LNS, and binds the L2TP port (closed again if it
     * cannot be bound).
     *
     * @param authenticator the AAA side, for every new session
     * @param sessions      where established sessions report (accounting, Disconnect/CoA, admin)
     * @param egress        where worker i's client traffic leaves (its TUN queue)
     */
    static L2tpWiring start(ConcentratorConfig config, Authenticator authenticator, SessionRegistry sessions,
                            IntFunction<IpEgress> egress, Workers workers, MeterRegistry registry, LocalAddresses addresses)
            throws IOException, InterruptedException {
        L2tpWiring l2tp = new L2tpWiring(config, authenticator, sessions, egress, workers, registry, addresses);
        try {
            l2tp.open(config.l2tp(), addresses);
        } catch (IOException | InterruptedException | RuntimeException e) {
            l2tp.closeSockets();
            throw e;
        }
        return l2tp;
    }

    private void open(ConcentratorConfig.L2tp config, LocalAddresses addresses) throws IOException, InterruptedException {
        if (config.requireIpsec()) {
            log.info("l2tp.require-ipsec is true: L2TP is accepted only inside IPsec; plain L2TP datagrams on {} are "
                    + "dropped and counted (l2sec_l2tp_packets_dropped_total{reason=\"ipsec_required\"})", config.listen());
            addresses.open(sockets, (worker, local) -> new IpsecRequired(registry));
        } else {
            log.warn("!!! l2tp.require-ipsec is false: plain L2TP is accepted on {} WITHOUT ENCRYPTION. PAP passwords "
                    + "and all user traffic cross the network in clear. Lab use only. !!!", config.listen());
            addresses.open(sockets, (worker, local) -> new L2tpDatagramHandler(servers.getFirst()));
        }
    }

    /**
     * Worker {@code worker}'s opener of IKEv2 clients' sessions: the IKEv2 responder of that worker calls it once a
     * client has authenticated, on that worker's loop (the session's routes are that worker's).
     */
    RemoteAccessSessions remoteAccess(int worker) {
        return remoteAccess.get(worker);
    }

    /**
     * What IKEv2 clients get from the {@code ppp} section: the same pools, DNS, WINS and IPv6; the MSS clamp with
     * tunnel-mode ESP's overhead in place of L2TP's ({@code auto}), a fixed value, or none.
     */
    static RemoteAccessSettings remoteAccessSettings(PppSettings ppp) {
        int mss = switch (ppp.mssClamp().mode()) {
            case OFF -> 0;
            case FIXED -> ppp.mssClamp().tunnelMtu();
            case AUTO -> RemoteAccessSettings.autoMss(ppp.mssClamp().tunnelMtu());
        };
        return new RemoteAccessSettings(ppp.defaultPool(), ppp.ipv6().pool(), ppp.localAddress(), ppp.subnetPrefixLength(),
                ppp.dns(), ppp.wins(), ppp.ipv6().dns(), mss);
    }

    /** From now on, new sessions of worker {@code i} also carry what {@code ike.apply(i)} knows of their ISAKMP SA. */
    void identifyClientsBy(IntFunction<IkeResponder> ike) {
        for (int i = 0; i < identification.size(); i++) identification.get(i).ike(ike.apply(i));
    }

    /** Worker {@code worker}'s LNS, for the L2TP its IPsec decrypts. */
    L2tpNetworkServer server(int worker) {
        return servers.get(worker);
    }

    /**
     * Hands a batch read from the TUN device to the workers whose sessions own the destinations: one task per
     * worker concerned, in arrival order within each. Any thread (a TUN reader).
     */
    void deliverFromTun(List<ByteBuf> batch) {
        int n = workers.size();
        if (n == 1) {
            workers.first().loop().execute(() -> routes.getFirst().deliverAll(batch));
            return;
        }
        List<List<ByteBuf>> byWorker = new ArrayList<>(n);
        for (int i = 0; i < n; i++) byWorker.add(null);
        for (ByteBuf packet : batch) {
            int owner = owners.ownerOfDestination(packet);
            int w = owner == RouteOwners.NONE ? 0 : owner; // the first worker counts what no session owns
            List<ByteBuf> part = byWorker.get(w);
            if (part == null) byWorker.set(w, part = new ArrayList<>(batch.size()));
            part.add(packet);
        }
        for (int i = 0; i < n; i++) {
            List<ByteBuf> part = byWorker.get(i);
            if (part == null) continue;
            ClientRoutes r = routes.get(i);
            try {
                workers.get(i).loop().execute(() -> r.deliverAll(part));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                part.forEach(ByteBuf::release); // shutting down
            }
        }
    }

    Optional<Ipv4Pool> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    Optional<Ipv6Pool> pool6(String name) {
        return Optional.ofNullable(pools6.get(name));
    }

    /** The names of the IPv6 pools in use. */
    List<String> pool6Names() {
        return List.copyOf(pools6.keySet());
    }

    /** The names of the pools in use. */
    List<String> poolNames() {
        return List.copyOf(pools.keySet());
    }

    /**
     * Applies the next pools and PPP settings to sessions that start from now on (established ones keep their
     * address); returns the L2TP settings that need a restart (listen address, IPsec requirement, timers and
     * limits, tunnel secret). Call from outside the workers' loops.
     */
    List<String> reload(ConcentratorConfig before, ConcentratorConfig next) throws Exception {
        List<String> restart = restartNeeded(before.l2tp(), next.l2tp());
        replacePools(before.pools(), next.pools());
        // the IPv6 pools and the TUN device's IPv6 address change together, at a restart; until then IPv6 stays as it
        // is (compared with the pools running, not the last file read: a second reload must not apply them either)
        boolean pools6Changed = !next.pools6().equals(runningPools6);
        if (pools6Changed) restart.add("pools6");
        PppSettings settings = pools6Changed ? next.ppp().withIpv6(appliedIpv6) : next.ppp();
        appliedIpv6 = settings.ipv6();
        workers.onEach(w -> {
            ppp.get(w.index()).reconfigure(settings, authenticator, this::pool, this::pool6);
            remoteAccess.get(w.index()).reconfigure(remoteAccessSettings(settings), this::pool, this::pool6);
            return null;
        }, 10);
        return restart;
    }

    /** The L2TP settings of {@code next} that differ from {@code before} (compared by value); all need a restart. */
    static List<String> restartNeeded(ConcentratorConfig.L2tp before, ConcentratorConfig.L2tp next) {
        List<String> restart = new ArrayList<>();
        if (!next.listen().equals(before.listen())) restart.add("l2tp.listen");
        if (next.requireIpsec() != before.requireIpsec()) restart.add("l2tp.require-ipsec");
        if (!next.settings().equals(before.settings())) restart.add("l2tp (timers, limits, tunnel secret)");
        return restart;
    }

    /** A pool whose range changed is replaced: the addresses its sessions hold stay reserved in the new one. */
    private synchronized void replacePools(List<ConcentratorConfig.Pool> before, List<ConcentratorConfig.Pool> next) {
        Map<String, Ipv4Pool> current = pools;
        Map<String, Ipv4Pool> replaced = new HashMap<>();
        for (ConcentratorConfig.Pool p : next) {
            Ipv4Pool old = current.get(p.name());
            if (old != null && before.contains(p)) {
                replaced.put(p.name(), old);
                continue;
            }
            Ipv4Pool fresh = new Ipv4Pool(p.name(), p.first(), p.last());
            if (old != null) {
                old.replaceWith(fresh);
                unbindMeters(p.name());
            }
            replaced.put(p.name(), fresh.bindTo(registry));
        }
        for (String gone : current.keySet()) {
            if (!replaced.containsKey(gone)) unbindMeters(gone);
        }
        pools = Map.copyOf(replaced);
    }

    private void unbindMeters(String pool) {
        registry.find("l2sec.pool.addresses").tag("pool", pool).meters().forEach(registry::remove);
    }

    /** Ends every tunnel with a StopCCN, inside ESP while the SAs still exist (shutdown). Call on worker {@code worker}'s loop. */
    void stopTunnels(int worker) {
        servers.get(worker).close();
    }

    /** Closes the L2TP port's sockets. Call from outside the event loops. */
    void closeSockets() {
        sockets.close();
    }

    /** Stands in for the L2TP handler while IPsec is required: plain L2TP is dropped and counted. */
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
