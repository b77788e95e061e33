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
import net.l2sec.aaa.policy.Backend;
import net.l2sec.aaa.policy.MethodRoutes;
import net.l2sec.aaa.policy.PolicyAuthenticator;
import net.l2sec.aaa.radius.RadiusAuthenticator;
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

    private AaaWiring(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    static AaaWiring build(AaaConfig config, PppSessionRegistry sessions, Duration authTimeout, MeterRegistry registry)
            throws Exception {
        Map<String, Authenticator> backends = new LinkedHashMap<>();
        if (config.localUsersFile().isPresent()) backends.put("local", LocalUserAuthenticator.load(config.localUsersFile().get()));
        Optional<GroupDirectory> directory = Optional.empty();
        if (config.radius().isPresent()) {
            RadiusClientSettings radius = radiusSettings(config.radius().get());
            backends.put("radius", RadiusAuthenticator.create(radius, registry));
            log.info("radius servers={} timeout={} retries={} dead-time={}", radius.servers(), radius.timeout(),
                    radius.retries(), radius.deadTime());
        }

        Map<AuthMethod, List<Backend>> routes = new EnumMap<>(AuthMethod.class);
        config.methods().forEach((method, names) -> routes.put(method,
                names.stream().map(n -> new Backend(n, backends.get(n))).toList()));
        var policy = new PolicyAuthenticator(new MethodRoutes(routes), config.policy(),
                config.groupsFromLdap() ? directory : Optional.empty(), sessions::sessionsOf, authTimeout, registry);
        log.info("aaa backends={} routes={} rules={} default={}", backends.keySet(), describe(config.methods()),
                config.policy().rules().stream().map(r -> r.name()).toList(), config.policy().fallback().allow() ? "allow" : "deny");
        return new AaaWiring(policy);
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
