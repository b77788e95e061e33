package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import net.l2sec.aaa.GroupDirectory;
import net.l2sec.aaa.ldap.GroupMode;
import net.l2sec.aaa.ldap.LdapAuthenticator;
import net.l2sec.aaa.ldap.LdapSettings;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import net.l2sec.aaa.policy.Backend;
import net.l2sec.aaa.policy.MethodRoutes;
import net.l2sec.aaa.policy.PolicyAuthenticator;
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
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.dataplane.ppp.PppSessionRegistry;
import net.l2sec.spi.session.SessionObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the AAA side from the {@code aaa} config: the backends, the router with the policy in front of them, the
 * accounting observer and the Disconnect/CoA listener. {@link #reload} swaps backends and policy for new
 * authentications (the local user file is read again; RADIUS and LDAP clients whose settings did not change are
 * kept, so their server state and metrics carry on); accounting and Disconnect/CoA keep running as they are.
 */
final class AaaWiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AaaWiring.class);

    /** What the dataplane holds: forwards to the current policy, so a reload needs no dataplane change. */
    final Authenticator authenticator = new Authenticator() {
        @Override
        public CompletionStage<AuthResult> authenticate(AuthRequest request) {
            return current.authenticate(request);
        }

        @Override
        public boolean relaysEap() {
            return current.relaysEap();
        }
    };
    private volatile PolicyAuthenticator current;
    private final List<AutoCloseable> services = new ArrayList<>();
    private final Map<String, Keyed> clients = new LinkedHashMap<>();   // "radius" / "ldap" -> built client
    private final PppSessionRegistry sessions;
    private final Duration authTimeout;
    private final MeterRegistry registry;
    private String servicesFingerprint = "";
    SessionObserver observer = SessionObserver.NONE;

    /** A backend client and the fingerprint of the settings it was built from. */
    private record Keyed(String fingerprint, Authenticator authenticator, Optional<AutoCloseable> closeable) {}

    private AaaWiring(PppSessionRegistry sessions, Duration authTimeout, MeterRegistry registry) {
        this.sessions = sessions;
        this.authTimeout = authTimeout;
        this.registry = registry;
    }

    static AaaWiring build(AaaConfig config, PppSessionRegistry sessions, Duration authTimeout, MeterRegistry registry)
            throws Exception {
        AaaWiring w = new AaaWiring(sessions, authTimeout, registry);
        try {
            w.startServices(config);
            w.current = w.policy(config);
            return w;
        } catch (Exception e) {
            w.close();
            throw e;
        }
    }

    /**
     * Applies a new {@code aaa} section to new authentications; returns what needs a restart to apply.
     * On failure nothing changes.
     */
    List<String> reload(AaaConfig config) throws Exception {
        Map<String, Keyed> before = new LinkedHashMap<>(clients);
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
        current = next;
        for (var entry : before.entrySet()) {
            if (clients.get(entry.getKey()) != entry.getValue()) {
                // requests in flight may still use it: close it a little later
                entry.getValue().closeable().ifPresent(c -> Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(authTimeout.multipliedBy(2));
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    closeQuietly(c);
                }));
            }
        }
        List<String> restart = new ArrayList<>();
        if (!servicesFingerprint.equals(servicesFingerprint(config))) {
            restart.add("aaa.radius accounting / dynamic-authorization / servers used for accounting");
        }
        return restart;
    }

    private PolicyAuthenticator policy(AaaConfig config) throws Exception {
        Map<String, Authenticator> backends = new LinkedHashMap<>();
        if (config.localUsersFile().isPresent()) backends.put("local", LocalUserAuthenticator.load(config.localUsersFile().get()));
        Optional<GroupDirectory> directory = Optional.empty();
        clients.keySet().retainAll(List.of(config.radius().isPresent() ? "radius" : "", config.ldap().isPresent() ? "ldap" : ""));
        if (config.radius().isPresent()) {
            RadiusClientSettings radius = radiusSettings(config.radius().get());
            Keyed k = client("radius", fingerprint(config.radius().get()), () -> {
                log.info("radius servers={} timeout={} retries={} dead-time={}", radius.servers(), radius.timeout(),
                        radius.retries(), radius.deadTime());
                return new Keyed("", RadiusAuthenticator.create(radius, registry), Optional.empty());
            });
            backends.put("radius", k.authenticator());
        }
        if (config.ldap().isPresent()) {
            AaaConfig.Ldap l = config.ldap().get();
            Keyed k = client("ldap", fingerprint(l), () -> {
                var mode = l.groupMode().equals("member-of-walk") ? GroupMode.MEMBER_OF_WALK : GroupMode.AD_IN_CHAIN;
                var settings = new LdapSettings(l.urls(), l.startTls(), l.trustedCertificates(), l.bindDn(), l.bindPassword(),
                        l.baseDn(), l.userFilter().orElse(LdapSettings.AD_USER_FILTER), mode, l.poolSize(), l.connectTimeout(),
                        l.operationTimeout(), l.deadTime());
                log.info("ldap servers={} base-dn={} group-mode={}", l.urls(), l.baseDn(), l.groupMode());
                var ldap = new LdapAuthenticator(settings, registry);
                return new Keyed("", ldap, Optional.of(ldap));
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

    private interface Builder {
        Keyed build() throws Exception;
    }

    /** The client built for these settings before, or a new one. */
    private Keyed client(String name, String fingerprint, Builder builder) throws Exception {
        Keyed existing = clients.get(name);
        if (existing != null && existing.fingerprint().equals(fingerprint)) return existing;
        Keyed built = builder.build();
        Keyed k = new Keyed(fingerprint, built.authenticator(), built.closeable());
        clients.put(name, k);
        return k;
    }

    private void startServices(AaaConfig config) throws Exception {
        servicesFingerprint = servicesFingerprint(config);
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

    private static String fingerprint(AaaConfig.Radius r) {
        StringBuilder b = new StringBuilder();
        for (AaaConfig.RadiusServer s : r.servers()) b.append(s).append(digest(s.secret())).append(';');
        return b.append(r.timeout()).append(r.retries()).append(r.deadTime()).append(r.nasIdentifier())
                .append(r.nasIpAddress()).append(r.groupAttributes()).toString();
    }

    private static String fingerprint(AaaConfig.Ldap l) {
        return l + digest(l.bindPassword()) + l.urls() + l.startTls() + l.trustedCertificates() + l.userFilter() + l.groupMode()
                + l.poolSize() + l.connectTimeout() + l.operationTimeout() + l.deadTime();
    }

    private static String servicesFingerprint(AaaConfig config) {
        if (config.radius().isEmpty()) return "-";
        AaaConfig.Radius r = config.radius().get();
        StringBuilder b = new StringBuilder(fingerprint(r)).append(r.accounting());
        r.dynamicAuthorization().ifPresent(d -> {
            b.append(d.listen()).append(d.replayWindow()).append(d.requireEventTimestamp());
            d.clients().forEach(c -> b.append(c).append(digest(c.secret())));
        });
        return b.toString();
    }

    private static String digest(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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

    @Override
    public void close() {
        for (AutoCloseable c : services.reversed()) closeQuietly(c);
        for (Keyed k : clients.values()) k.closeable().ifPresent(AaaWiring::closeQuietly);
    }
}
