package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import net.l2sec.aaa.GroupDirectory;
import net.l2sec.aaa.ldap.GroupMode;
import net.l2sec.aaa.ldap.LdapAuthenticator;
import net.l2sec.aaa.ldap.LdapSettings;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import net.l2sec.aaa.local.VerificationLimit;
import net.l2sec.aaa.policy.Backend;
import net.l2sec.aaa.policy.MethodRoutes;
import net.l2sec.aaa.policy.Policy;
import net.l2sec.aaa.policy.PolicyAuthenticator;
import net.l2sec.aaa.policy.PolicyRule;
import net.l2sec.aaa.radius.AccountingSettings;
import net.l2sec.aaa.radius.DynamicAuthorizationClient;
import net.l2sec.aaa.radius.DynamicAuthorizationServer;
import net.l2sec.aaa.radius.DynamicAuthorizationSettings;
import net.l2sec.aaa.radius.RadiusAccounting;
import net.l2sec.aaa.radius.RadiusAuthenticator;
import net.l2sec.aaa.radius.RadiusClientSettings;
import net.l2sec.aaa.radius.RadiusServer;
import net.l2sec.aaa.radius.RadiusTransport;
import net.l2sec.concentrator.config.AaaConfig;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the AAA side from the {@code aaa} config: the backends, the router with the policy in front of them, the
 * accounting observer and the Disconnect/CoA listener. {@link #reload} swaps backends and policy for new
 * authentications (the local user file is read again; RADIUS and LDAP clients whose settings are equal are kept,
 * so their server state and metrics carry on); accounting and Disconnect/CoA keep running as they are.
 */
final class AaaWiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AaaWiring.class);

    private final CurrentPolicy authenticator = new CurrentPolicy();
    private final List<AutoCloseable> services = new ArrayList<>();
    private final Map<String, Built> clients = new LinkedHashMap<>();   // "radius" / "ldap" -> built client
    /** Replaced clients, closed once the requests that may still use them are over (or at {@link #close}). */
    private final Set<AutoCloseable> retiring = ConcurrentHashMap.newKeySet();
    private final SessionRegistry sessions;
    private final Duration authTimeout;
    private final Scheduler scheduler;
    private final MeterRegistry registry;
    /** The RADIUS section the services were started from: any change to it needs a restart. */
    private Optional<AaaConfig.Radius> servicesStartedFrom = Optional.empty();
    private SessionObserver observer = SessionObserver.NONE;
    /** Bounds slow local password checks; one for the process, so the bound holds across reloads. */
    private VerificationLimit localVerifications;

    /**
     * What the dataplane holds: forwards to the current policy, so a reload needs no dataplane change. An accept
     * carries the {@code max-sessions} of the rule that admitted it ({@link Authorization#maxSessions()}), which the
     * dataplane enforces where it counts the session, so that logins in parallel cannot pass the policy's check
     * together.
     */
    private static final class CurrentPolicy implements Authenticator {
        private record Current(PolicyAuthenticator policy, Map<String, Integer> maxSessions) {}

        private volatile Current current;

        void use(PolicyAuthenticator policy, Policy rules) {
            Map<String, Integer> limits = new HashMap<>();
            for (PolicyRule r : rules.rules()) r.maxSessions().ifPresent(n -> limits.putIfAbsent(r.name(), n));
            rules.fallback().maxSessions().ifPresent(n -> limits.putIfAbsent(rules.fallback().name(), n));
            current = new Current(policy, Map.copyOf(limits));
        }

        @Override
        public CompletionStage<AuthResult> authenticate(AuthRequest request) {
            Current c = current;
            return c.policy().authenticate(request).thenApply(r -> {
                if (!(r instanceof AuthResult.Accept a) || a.authorization().maxSessions().isPresent()) return r;
                Integer limit = c.maxSessions().get(a.authorization().rule());
                return limit == null ? r : a.withAuthorization(a.authorization().withMaxSessions(OptionalInt.of(limit)));
            });
        }

        @Override
        public boolean relaysEap() {
            return current.policy().relaysEap();
        }
    }

    /** A backend client and the settings it was built from. */
    private record Built(Object settings, Authenticator authenticator) {
        Optional<AutoCloseable> closeable() {
            return authenticator instanceof AutoCloseable c ? Optional.of(c) : Optional.empty();
        }
    }

    /** What the RADIUS authentication client is built from: the servers and client settings, not the services. */
    private record RadiusClient(List<AaaConfig.RadiusServer> servers, Duration timeout, int retries, Duration deadTime,
                                String nasIdentifier, Optional<Inet4Address> nasIpAddress, List<String> groupAttributes) {
        static RadiusClient of(AaaConfig.Radius r) {
            return new RadiusClient(r.servers(), r.timeout(), r.retries(), r.deadTime(), r.nasIdentifier(),
                    r.nasIpAddress(), r.groupAttributes());
        }
    }

    private AaaWiring(SessionRegistry sessions, Duration authTimeout, Scheduler scheduler, MeterRegistry registry) {
        this.sessions = sessions;
        this.authTimeout = authTimeout;
        this.scheduler = scheduler;
        this.registry = registry;
    }

    /**
     * @param authTimeout how long an authentication may take ({@code ppp.auth-timeout}); a replaced client is
     *                    closed twice that long after the reload
     * @param scheduler   times the closing of replaced clients (the closing itself runs on a virtual thread)
     */
    static AaaWiring build(AaaConfig config, SessionRegistry sessions, Duration authTimeout, Scheduler scheduler,
                           MeterRegistry registry) throws Exception {
        AaaWiring w = new AaaWiring(sessions, authTimeout, scheduler, registry);
        try {
            w.startServices(config);
            w.authenticator.use(w.policy(config), config.policy());
            return w;
        } catch (Exception e) {
            w.close();
            throw e;
        }
    }

    /** The authenticator the dataplane holds; it always asks the current policy. */
    Authenticator authenticator() {
        return authenticator;
    }

    /** RADIUS accounting, when configured: it hears of every session. */
    SessionObserver observer() {
        return observer;
    }

    /**
     * Applies a new {@code aaa} section to new authentications; returns what needs a restart to apply.
     * On failure nothing changes.
     */
    List<String> reload(AaaConfig config) throws Exception {
        Map<String, Built> before = new LinkedHashMap<>(clients);
        PolicyAuthenticator next;
        try {
            next = policy(config);
        } catch (Exception e) {
            // undo clients built for the refused config
            for (var entry : clients.entrySet()) {
                if (before.get(entry.getKey()) != entry.getValue()) entry.getValue().closeable().ifPresent(AaaWiring::closeQuietly);
            }
            clients.clear();
            clients.putAll(before);
            throw e;
        }
        authenticator.use(next, config.policy());
        for (var entry : before.entrySet()) {
            if (clients.get(entry.getKey()) != entry.getValue()) entry.getValue().closeable().ifPresent(this::retire);
        }
        return servicesStartedFrom.equals(config.radius()) ? List.of()
                : List.of("aaa.radius accounting / dynamic-authorization / servers used for accounting");
    }

    /** Requests in flight may still use a replaced client: it is closed once they have timed out. */
    private void retire(AutoCloseable client) {
        retiring.add(client);
        scheduler.schedule(authTimeout.multipliedBy(2), () -> {
            if (retiring.remove(client)) Thread.ofVirtual().name("aaa-retire").start(() -> closeQuietly(client));
        });
    }

    private PolicyAuthenticator policy(AaaConfig config) throws Exception {
        Map<String, Authenticator> backends = new LinkedHashMap<>();
        if (config.localUsersFile().isPresent()) {
            backends.put("local", LocalUserAuthenticator.load(config.localUsersFile().get(), localVerifications()));
        }
        Optional<GroupDirectory> directory = Optional.empty();
        clients.keySet().retainAll(List.of(config.radius().isPresent() ? "radius" : "", config.ldap().isPresent() ? "ldap" : ""));
        if (config.radius().isPresent()) {
            RadiusClientSettings radius = radiusSettings(config.radius().get());
            Built k = client("radius", RadiusClient.of(config.radius().get()), () -> {
                log.info("radius servers={} timeout={} retries={} dead-time={}", radius.servers(), radius.timeout(),
                        radius.retries(), radius.deadTime());
                return RadiusAuthenticator.create(radius, registry);
            });
            backends.put("radius", k.authenticator());
        }
        if (config.ldap().isPresent()) {
            AaaConfig.Ldap l = config.ldap().get();
            Built k = client("ldap", l, () -> {
                var mode = l.groupMode().equals("member-of-walk") ? GroupMode.MEMBER_OF_WALK : GroupMode.AD_IN_CHAIN;
                var settings = new LdapSettings(l.urls(), l.startTls(), l.trustedCertificates(), l.bindDn(), l.bindPassword(),
                        l.baseDn(), l.userFilter().orElse(LdapSettings.AD_USER_FILTER), mode, l.poolSize(), l.connectTimeout(),
                        l.operationTimeout(), l.deadTime());
                log.info("ldap servers={} base-dn={} group-mode={}", l.urls(), l.baseDn(), l.groupMode());
                return new LdapAuthenticator(settings, registry);
            });
            backends.put("ldap", k.authenticator());
            directory = Optional.of((GroupDirectory) k.authenticator());
        }
        Map<AuthMethod, List<Backend>> routes = new EnumMap<>(AuthMethod.class);
        config.methods().forEach((method, names) -> routes.put(method,
                names.stream().map(n -> new Backend(n, backends.get(n))).toList()));
        log.info("aaa backends={} routes={} rules={} default={}", backends.keySet(), describe(config.methods()),
                config.policy().rules().stream().map(r -> r.name()).toList(), config.policy().fallback().allow() ? "allow" : "deny");
        return new PolicyAuthenticator(new MethodRoutes(routes), config.policy(),
                config.groupsFromLdap() ? directory : Optional.empty(), sessions::sessionsOf, authTimeout, registry);
    }

    private VerificationLimit localVerifications() {
        if (localVerifications == null) {
            localVerifications = VerificationLimit.perProcessor(registry);
            log.info("local password verifications: {}", localVerifications);
        }
        return localVerifications;
    }

    /** The client built from equal settings before, or a new one. */
    private Built client(String name, Object settings, Callable<Authenticator> builder) throws Exception {
        Built existing = clients.get(name);
        if (existing != null && existing.settings().equals(settings)) return existing;
        Built built = new Built(settings, builder.call());
        clients.put(name, built);
        return built;
    }

    private void startServices(AaaConfig config) throws Exception {
        servicesStartedFrom = config.radius();
        if (config.radius().isEmpty()) return;
        AaaConfig.Radius rc = config.radius().get();
        RadiusClientSettings radius = radiusSettings(rc);
        if (rc.accounting().enabled()) {
            if (radius.servers().stream().noneMatch(x -> x.accounting().isPresent())) {
                throw new IllegalStateException("radius accounting enabled but no server has an accounting address");
            }
            var settings = AccountingSettings.of(rc.accounting().spoolDir(), rc.nasIdentifier(), rc.nasIpAddress())
                    .withInterimInterval(rc.accounting().interimInterval());
            Files.createDirectories(rc.accounting().spoolDir());
            var accounting = new RadiusAccounting(settings, RadiusTransport.accounting(radius, registry), registry);
            accounting.sessionControl(sessions);
            services.add(accounting);
            observer = accounting;
            log.info("radius accounting spool={} interim-interval={}", rc.accounting().spoolDir(),
                    rc.accounting().interimInterval().isZero() ? "off" : rc.accounting().interimInterval());
        }
        if (rc.dynamicAuthorization().isPresent()) {
            AaaConfig.DynamicAuthorization d = rc.dynamicAuthorization().get();
            var dynClients = d.clients().stream().map(c -> new DynamicAuthorizationClient(c.address(), c.secret())).toList();
            var dyn = new DynamicAuthorizationServer(new DynamicAuthorizationSettings(d.listen(), dynClients,
                    d.replayWindow(), d.requireEventTimestamp(), rc.nasIdentifier(), rc.nasIpAddress()), sessions, registry);
            services.add(dyn);
            log.info("radius dynamic authorization (RFC 5176 Disconnect/CoA) on {} clients={}", dyn.localAddress(),
                    d.clients().stream().map(c -> c.address().getHostAddress()).toList());
        }
    }

    static RadiusClientSettings radiusSettings(AaaConfig.Radius r) {
        List<RadiusServer> servers = r.servers().stream().map(s -> new RadiusServer(s.name(), s.authentication(),
                s.accounting(), s.secret(), s.requireMessageAuthenticator())).toList();
        return new RadiusClientSettings(servers, r.timeout(), r.retries(), r.deadTime(), r.nasIdentifier(),
                r.nasIpAddress(), r.groupAttributes());
    }

    private static Map<String, List<String>> describe(Map<AuthMethod, List<String>> methods) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        methods.forEach((m, b) -> out.put(m.configName(), b));
        return out;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("aaa shutdown: {}", e.toString());
        }
    }

    /** Closes the services (accounting spools its records first), the clients, and replaced clients not yet closed. */
    @Override
    public void close() {
        for (AutoCloseable c : services.reversed()) closeQuietly(c);
        for (Built k : clients.values()) k.closeable().ifPresent(AaaWiring::closeQuietly);
        for (AutoCloseable c : List.copyOf(retiring)) {
            if (retiring.remove(c)) closeQuietly(c);
        }
    }
}
