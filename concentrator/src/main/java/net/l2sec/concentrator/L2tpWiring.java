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
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.udp.L2tpDatagramHandler;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.ppp.PppSessionFactory;
import net.l2sec.dataplane.ppp.PppSessionRegistry;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L2TP and the PPP sessions it carries: the client address pools, the routes back to the clients, the PPP session
 * factory, the LNS and its UDP port on every local address (plain L2TP there is dropped while IPsec is required;
 * L2TP inside ESP reaches the LNS through IPsec). The pools and the factory belong to the event loop: everything
 * but {@link #start} and {@link #closeSockets} runs there.
 */
final class L2tpWiring {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);

    private final MeterRegistry registry;
    private final Authenticator authenticator;
    private final Map<String, Ipv4Pool> pools = new HashMap<>();
    private final ClientRoutes routes;
    private final PppSessionFactory ppp;
    private final L2tpNetworkServer server;
    private final LocalAddressSockets sockets;

    private L2tpWiring(ConcentratorConfig config, Authenticator authenticator, PppSessionRegistry sessions, IpEgress tun,
                       Scheduler scheduler, MeterRegistry registry, LocalAddresses addresses) {
        this.registry = registry;
        this.authenticator = authenticator;
        for (ConcentratorConfig.Pool p : config.pools()) pools.put(p.name(), new Ipv4Pool(p.name(), p.first(), p.last()).bindTo(registry));
        this.routes = new ClientRoutes(registry);
        this.ppp = new PppSessionFactory(config.ppp(), authenticator, this::pool, routes, tun, scheduler, registry,
                new SecureRandom(), sessions);
        this.server = new L2tpNetworkServer(config.l2tp().settings(), ppp, scheduler, registry);
        this.sockets = addresses.port("l2tp", config.l2tp().listen());
    }

    /**
     * Builds the pools, the PPP factory and the LNS and binds the L2TP port (closed again if it cannot be bound).
     *
     * @param authenticator the AAA side, for every new session
     * @param sessions      where established sessions report (accounting, Disconnect/CoA, admin)
     * @param tun           where client traffic leaves
     */
    static L2tpWiring start(ConcentratorConfig config, Authenticator authenticator, PppSessionRegistry sessions, IpEgress tun,
                            Scheduler scheduler, MeterRegistry registry, LocalAddresses addresses)
            throws IOException, InterruptedException {
        L2tpWiring l2tp = new L2tpWiring(config, authenticator, sessions, tun, scheduler, registry, addresses);
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
            addresses.open(sockets, local -> new IpsecRequired(registry));
        } else {
            log.warn("!!! l2tp.require-ipsec is false: plain L2TP is accepted on {} WITHOUT ENCRYPTION. PAP passwords "
                    + "and all user traffic cross the network in clear. Lab use only. !!!", config.listen());
            addresses.open(sockets, local -> new L2tpDatagramHandler(server));
        }
    }

    /** The LNS, for L2TP inside ESP and for the admin interface. */
    L2tpNetworkServer server() {
        return server;
    }

    /** Where packets from the TUN device find the session they are addressed to. */
    ClientRoutes routes() {
        return routes;
    }

    Optional<Ipv4Pool> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /** The names of the pools in use. */
    List<String> poolNames() {
        return List.copyOf(pools.keySet());
    }

    /**
     * Applies the next pools and PPP settings to sessions that start from now on (established ones keep their
     * address); returns the L2TP settings that need a restart (listen address, IPsec requirement, timers and
     * limits, tunnel secret). Call on the event loop.
     */
    List<String> reload(ConcentratorConfig before, ConcentratorConfig next) {
        List<String> restart = restartNeeded(before.l2tp(), next.l2tp());
        replacePools(before.pools(), next.pools());
        ppp.reconfigure(next.ppp(), authenticator, this::pool);
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
    private void replacePools(List<ConcentratorConfig.Pool> before, List<ConcentratorConfig.Pool> next) {
        Map<String, Ipv4Pool> replaced = new HashMap<>();
        for (ConcentratorConfig.Pool p : next) {
            Ipv4Pool old = pools.get(p.name());
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
        for (String gone : pools.keySet()) {
            if (!replaced.containsKey(gone)) unbindMeters(gone);
        }
        pools.clear();
        pools.putAll(replaced);
    }

    private void unbindMeters(String pool) {
        registry.find("l2sec.pool.addresses").tag("pool", pool).meters().forEach(registry::remove);
    }

    /** Ends every tunnel with a StopCCN, inside ESP while the SAs still exist (shutdown). Call on the event loop. */
    void stopTunnels() {
        server.close();
    }

    /** Closes the L2TP port's sockets. Call from outside the event loop. */
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
