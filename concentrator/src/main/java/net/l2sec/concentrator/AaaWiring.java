package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.l2sec.aaa.GroupDirectory;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import net.l2sec.aaa.ldap.GroupMode;
import net.l2sec.aaa.ldap.LdapAuthenticator;
import net.l2sec.aaa.ldap.LdapSettings;
import net.l2sec.aaa.policy.Backend;
import net.l2sec.aaa.policy.MethodRoutes;
import net.l2sec.aaa.policy.PolicyAuthenticator;
import net.l2sec.aaa.radius.AccountingSettings;
import net.l2sec.aaa.radius.DynamicAuthorizationClient;
import net.l2sec.aaa.radius.DynamicAuthorizationServer;
import net.l2sec.aaa.radius.DynamicAuthorizationSettings;
import net.l2sec.aaa.radius.RadiusAccounting;
import net.l2sec.aaa.radius.RadiusAuthenticator;
import net.l2sec.aaa.radius.RadiusTransport;
import net.l2sec.aaa.radius.RadiusClientSettings;
import net.l2sec.aaa.radius.RadiusServer;
import net.l2sec.concentrator.config.AaaConfig;
import net.l2sec.dataplane.auth.AuthMethod;
import net.l2sec.dataplane.auth.Authenticator;
import net.l2sec.dataplane.ppp.PppSessionRegistry;
import net.l2sec.dataplane.session.SessionObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the AAA side from the {@code aaa} config: the backends, the router with the policy in front of them, the
 * accounting observer and the Disconnect/CoA listener. Everything it starts is closed by {@link #close()}.
 */
final class AaaWiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AaaWiring.class);

    final Authenticator authenticator;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    SessionObserver observer = SessionObserver.NONE;

    private AaaWiring(Authenticator authenticator, List<AutoCloseable> closeables, SessionObserver observer) {
        this.authenticator = authenticator;
        this.closeables.addAll(closeables);
        this.observer = observer;
    }

    static AaaWiring build(AaaConfig config, PppSessionRegistry sessions, Duration authTimeout, MeterRegistry registry)
            throws Exception {
        Map<String, Authenticator> backends = new LinkedHashMap<>();
        if (config.localUsersFile().isPresent()) backends.put("local", LocalUserAuthenticator.load(config.localUsersFile().get()));
        Optional<GroupDirectory> directory = Optional.empty();
        List<AutoCloseable> closeables = new ArrayList<>();
        SessionObserver observer = SessionObserver.NONE;
        try {
            if (config.radius().isPresent()) {
                AaaConfig.Radius rc = config.radius().get();
                RadiusClientSettings radius = radiusSettings(rc);
                backends.put("radius", RadiusAuthenticator.create(radius, registry));
                log.info("radius servers={} timeout={} retries={} dead-time={}", radius.servers(), radius.timeout(),
                        radius.retries(), radius.deadTime());
                if (rc.accounting().enabled()) {
                    if (radius.servers().stream().noneMatch(x -> x.accounting().isPresent())) {
                        throw new IllegalStateException("radius accounting enabled but no server has an accounting address");
                    }
                    var settings = AccountingSettings.of(rc.accounting().spoolDir(), rc.nasIdentifier(), rc.nasIpAddress())
                            .withInterimInterval(rc.accounting().interimInterval());
                    java.nio.file.Files.createDirectories(rc.accounting().spoolDir());
                    var accounting = new RadiusAccounting(settings, RadiusTransport.accounting(radius, registry), registry);
                    accounting.sessionControl(sessions);
                    closeables.add(accounting);
                    observer = accounting;
                    log.info("radius accounting spool={} interim-interval={}", rc.accounting().spoolDir(),
                            rc.accounting().interimInterval().isZero() ? "off" : rc.accounting().interimInterval());
                }
                if (rc.dynamicAuthorization().isPresent()) {
                    AaaConfig.DynamicAuthorization d = rc.dynamicAuthorization().get();
                    var clients = d.clients().stream().map(c -> new DynamicAuthorizationClient(c.address(), c.secret())).toList();
                    var dyn = new DynamicAuthorizationServer(new DynamicAuthorizationSettings(d.listen(), clients,
                            d.replayWindow(), d.requireEventTimestamp(), rc.nasIdentifier(), rc.nasIpAddress()), sessions, registry);
                    closeables.add(dyn);
                    log.info("radius dynamic authorization (RFC 5176 Disconnect/CoA) on {} clients={}", dyn.localAddress(),
                            d.clients().stream().map(c -> c.address().getHostAddress()).toList());
                }
            }
            if (config.ldap().isPresent()) {
                AaaConfig.Ldap l = config.ldap().get();
                var mode = l.groupMode().equals("member-of-walk") ? GroupMode.MEMBER_OF_WALK : GroupMode.AD_IN_CHAIN;
                var settings = new LdapSettings(l.urls(), l.startTls(), l.trustedCertificates(), l.bindDn(), l.bindPassword(),
                        l.baseDn(), l.userFilter().orElse(LdapSettings.AD_USER_FILTER), mode, l.poolSize(), l.connectTimeout(),
                        l.operationTimeout(), l.deadTime());
                var ldap = new LdapAuthenticator(settings, registry);
                closeables.add(ldap);
                backends.put("ldap", ldap);
                directory = Optional.of(ldap);
                log.info("ldap servers={} base-dn={} group-mode={}", l.urls(), l.baseDn(), l.groupMode());
            }
        } catch (Exception e) {
            for (AutoCloseable c : closeables.reversed()) c.close();
            throw e;
        }

        Map<AuthMethod, List<Backend>> routes = new EnumMap<>(AuthMethod.class);
        config.methods().forEach((method, names) -> routes.put(method,
                names.stream().map(n -> new Backend(n, backends.get(n))).toList()));
        var policy = new PolicyAuthenticator(new MethodRoutes(routes), config.policy(),
                config.groupsFromLdap() ? directory : Optional.empty(), sessions::sessionsOf, authTimeout, registry);
        log.info("aaa backends={} routes={} rules={} default={}", backends.keySet(), describe(config.methods()),
                config.policy().rules().stream().map(r -> r.name()).toList(), config.policy().fallback().allow() ? "allow" : "deny");
        return new AaaWiring(policy, closeables, observer);
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

    @Override
    public void close() {
        for (AutoCloseable c : closeables.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("aaa shutdown: {}", e.toString());
            }
        }
    }
}
