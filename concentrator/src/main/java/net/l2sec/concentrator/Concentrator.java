package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.l2sec.concentrator.admin.AdminServer;
import net.l2sec.concentrator.admin.DataplaneBackend;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigException;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.dataplane.tun.TunDevice;
import net.l2sec.dataplane.udp.Transport;
import net.l2sec.ops.MetricsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running concentrator: worker event loops ({@code server.workers}, one per processor by default), each owning
 * the clients whose address steers to it with their tunnels, sessions, SAs and routes (no locks on the packet
 * path); the TUN readers and the AAA virtual threads hand their results to the loop concerned. It composes the
 * subsystems (operations, AAA, L2TP with PPP, IPsec), starts them, reloads them and stops them in order.
 */
public final class Concentrator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);
    /** How long shutdown waits for the StopCCNs and IKE Deletes to leave. */
    private static final Duration GOODBYE_BOUND = Duration.ofSeconds(5);

    private final Ops ops;
    private final TunDevice tun;
    private final EventLoopGroup group;
    private final Workers workers;
    private final AaaWiring aaa;
    private final LocalAddresses addresses;
    private final L2tpWiring l2tp;
    private final Optional<IpsecWiring> ipsec;
    private volatile ConcentratorConfig config;

    private Concentrator(Ops ops, TunDevice tun, EventLoopGroup group, Workers workers, AaaWiring aaa,
                         LocalAddresses addresses, L2tpWiring l2tp, Optional<IpsecWiring> ipsec, ConcentratorConfig config) {
        this.ops = ops;
        this.tun = tun;
        this.group = group;
        this.workers = workers;
        this.aaa = aaa;
        this.addresses = addresses;
        this.l2tp = l2tp;
        this.ipsec = ipsec;
        this.config = config;
        for (String result : List.of("applied", "refused")) reloadCounter(result);
    }

    /** The pool names for the ready line, the IPv6 ones with their prefix. */
    private static String poolsText(L2tpWiring l2tp) {
        List<String> names = new ArrayList<>(l2tp.poolNames());
        for (String p6 : l2tp.pool6Names()) names.add(p6 + "=" + l2tp.pool6(p6).orElseThrow().prefix());
        return names.toString();
    }

    public static Concentrator start(ConcentratorConfig config) throws Exception {
        MetricsEndpoint metrics = Ops.metricsEndpoint(config.metrics());
        MeterRegistry registry = metrics.registry();
        ConcentratorConfig.Tun tc = config.tun();
        int workerCount = config.server().workers();
        TunDevice tun = TunDevice.open(tc.name(), workerCount, registry); // a queue per worker
        Transport transport = Transport.of(config.server().transport());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(workerCount, transport.ioHandlerFactory());
        // closed in reverse if a later step fails
        List<AutoCloseable> started = new ArrayList<>(List.of(metrics, tun, () -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS)));
        try {
            tun.configure(tc.address(), tc.prefixLength(), tc.mtu());
            if (!config.pools6().isEmpty() && tc.address6().isPresent()) tun.configureIpv6(tc.address6().get(), tc.prefixLength6());
            Workers workers = new Workers(group, workerCount, registry);
            EventLoopScheduler scheduler = workers.first().scheduler();
            SessionRegistry sessions = new SessionRegistry();
            AaaWiring aaa = AaaWiring.build(config.aaa(), sessions, config.ppp().authTimeout(), scheduler, registry);
            started.add(aaa);
            // session observers: RADIUS accounting, the per-rule and per-client-kind session meters (ops/METRICS.md)
            sessions.observer(FanOutObserver.of(aaa.observer(), SessionMeters.forPolicy(config.aaa().policy(), registry),
                    new ClientMeters(registry)));
            LocalAddresses addresses = new LocalAddresses(workers, transport, registry);
            started.add(addresses);
            L2tpWiring l2tp = L2tpWiring.start(config, aaa.authenticator(), sessions, tun::queue, workers, registry, addresses);
            started.add(l2tp::closeSockets);
            Optional<IkeSettings> ike = config.ipsec().ike();
            Optional<IpsecWiring> ipsec = Optional.empty();
            if (ike.isPresent()) {
                ipsec = Optional.of(IpsecWiring.start(config.ipsec(), ike.get(), l2tp, workers, registry, addresses, aaa.authenticator()));
                started.add(ipsec.get()::closeSockets);
                l2tp.identifyClientsBy(ipsec.get()::ike);
            } else {
                log.warn("ipsec disabled: neither ipsec.psk-file nor ipsec.certificate configured");
            }
            Set<InetAddress> local = addresses.start();
            ipsec.ifPresent(i -> i.logReady(local, ike.get().localId()));
            ike.ifPresent(IpsecWiring::logCertificateUse);
            tun.startReader(l2tp::deliverFromTun);
            List<DataplaneBackend.Worker> views = new ArrayList<>();
            for (Workers.Worker w : workers.all()) {
                views.add(new DataplaneBackend.Worker(l2tp.server(w.index()), ipsec.map(i -> i.ike(w.index())).orElse(null),
                        ipsec.flatMap(i -> i.ikev2(w.index())).orElse(null), w.loop()));
            }
            Ops ops = Ops.start(metrics, config, new DataplaneBackend(sessions, views, workers::ownerOf));
            started.add(ops::closeAdmin);
            String version = Concentrator.class.getPackage().getImplementationVersion();
            log.info("concentrator ready version={} config={} l2tp={} tun={} address={}/{} mtu={} pools={} auth-methods={} "
                            + "transport={} workers={}",
                    version != null ? version : "dev", config.source(), config.l2tp().listen(), tc.name(),
                    tc.address().getHostAddress(), tc.prefixLength(), tc.mtu(), poolsText(l2tp), config.ppp().authMethods(),
                    transport.label(), workers.size());
            Logging.apply(config.logging());
            Concentrator running = new Concentrator(ops, tun, group, workers, aaa, addresses, l2tp, ipsec, config);
            ops.admin().ifPresent(admin -> admin.reloader(running::reloadForAdmin));
            return running;
        } catch (Exception e) {
            for (AutoCloseable c : started.reversed()) closeQuietly(c);
            throw e;
        }
    }

    /**
     * Applies a new configuration without dropping anyone: AAA backends and policy, pools, PPP settings, IKE/ESP
     * proposals and keys, log levels apply to what starts from now on; established sessions keep their address,
     * authorization and SAs. Settings that need new sockets or devices (listen addresses, the transport, the TUN device, L2TP
     * timers, accounting and Disconnect/CoA, turning IPsec on or off) are reported as needing a restart and left
     * as they are; each subsystem compares the settings it runs with by value.
     *
     * @return the settings that were not applied because they need a restart
     */
    public synchronized List<String> reload(ConcentratorConfig next) throws Exception {
        ConcentratorConfig before = config;
        List<String> aaaRestart = aaa.reload(next.aaa());     // throws, changing nothing, when a backend cannot be built
        List<String> restart = new ArrayList<>(l2tp.reload(before, next));
        if (!next.tun().equals(before.tun())) restart.add("tunnel-interface");
        if (next.server().transport() != before.server().transport()) restart.add("server.transport");
        if (next.server().workers() != before.server().workers()) restart.add("server.workers");
        restart.addAll(Ops.restartNeeded(before, next));
        restart.addAll(ipsec.isPresent() ? ipsec.get().reload(before.ipsec(), next.ipsec(), workers)
                : IpsecWiring.restartNeededWhileOff(before.ipsec(), next.ipsec()));
        restart.addAll(aaaRestart);
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
    public ReloadOutcome reload(Path file) {
        ConcentratorConfig next;
        try {
            next = ConfigLoader.load(file);
        } catch (ConfigException e) {
            e.problems().forEach(p -> log.error("reload refused, running configuration unchanged: {}", p));
            reloadCounter("refused").increment();
            return new ReloadOutcome(false, e.problems(), List.of());
        }
        try {
            List<String> restart = reload(next);
            log.info("reload applied config={} pools={} rules={}{}", file, next.pools().stream().map(ConcentratorConfig.Pool::name).toList(),
                    next.aaa().policy().rules().stream().map(r -> r.name()).toList(),
                    restart.isEmpty() ? "" : " not applied until restart: " + restart);
            reloadCounter("applied").increment();
            return new ReloadOutcome(true, List.of(), restart);
        } catch (Exception e) {
            log.error("reload refused, running configuration unchanged: {}", e.toString());
            reloadCounter("refused").increment();
            return new ReloadOutcome(false, List.of(e.toString()), List.of());
        }
    }

    private AdminServer.ReloadReply reloadForAdmin() {
        ReloadOutcome o = reload(config.source());
        return new AdminServer.ReloadReply(o.applied(), o.problems(), o.restartNeeded());
    }

    private Counter reloadCounter(String result) {
        return Counter.builder("l2sec.config.reloads").tag("result", result).description("Configuration reloads, by result")
                .register(ops.registry());
    }

    /** The configuration in force. */
    public ConcentratorConfig config() {
        return config;
    }

    /**
     * Stops in order: the admin interface; every tunnel (StopCCN, inside ESP while the SAs exist) and every IKE
     * SA (Delete), waiting until those datagrams have left; the sockets; AAA (after the sessions ended, so their
     * accounting Stop records are spooled); the TUN device, the event loop and the metrics endpoint.
     */
    @Override
    public void close() {
        ops.closeAdmin();
        addresses.close();
        try {
            List<CompletableFuture<Void>> goodbyes = new ArrayList<>();
            for (Workers.Worker w : workers.all()) {
                goodbyes.add(PendingWrites.sent(w.loop(), () -> sayGoodbye(w.index()), () -> addresses.sockets(w.index()), GOODBYE_BOUND));
            }
            CompletableFuture.allOf(goodbyes.toArray(CompletableFuture[]::new)).get(GOODBYE_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("shutdown: {}", e.toString());
        }
        ipsec.ifPresent(IpsecWiring::closeSockets);
        l2tp.closeSockets();
        aaa.close();
        tun.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        ops.closeMetrics();
        log.info("concentrator stopped");
    }

    /** StopCCN to every tunnel of worker {@code worker}, then a Delete for every IKE SA. On its loop. */
    private void sayGoodbye(int worker) {
        l2tp.stopTunnels(worker);
        ipsec.ifPresent(i -> i.deleteSas(worker));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("start failed, closing: {}", e.toString());
        }
    }
}
