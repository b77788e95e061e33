package net.l2sec.aaa.policy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;
import net.l2sec.aaa.GroupDirectory;
import net.l2sec.aaa.LogText;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.RejectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dataplane calls: routes each method (the PPP ones, and the IKEv2 PSK and certificate methods whose
 * identity IKE verified) to its backends ({@link MethodRoutes}), collects the user's
 * groups (the backend's, plus the directory's when configured: groups from LDAP for a user RADIUS authenticated),
 * and applies the {@link Policy}. The backend's own answers (RADIUS Framed-Pool, Framed-IP-Address,
 * Session-Timeout, Idle-Timeout, Class, Framed-Route, WISPr-Bandwidth-Max-Down/Up) take precedence over the rule's defaults; a deny rule or the per-user
 * session limit turns an accept into {@link RejectReason#POLICY_DENIED}. Runs on a virtual thread per request.
 */
public final class PolicyAuthenticator implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(PolicyAuthenticator.class);

    private final MethodRoutes routes;
    private final Policy policy;
    private final Optional<GroupDirectory> directory;
    private final ToIntFunction<String> activeSessions;
    private final Duration backendLimit;
    private final MeterRegistry registry;
    private final Executor executor = command -> Thread.ofVirtual().name("aaa-policy").start(command);

    /**
     * @param directory      where to look up groups in addition to the backend's (empty: backend groups only)
     * @param activeSessions established sessions of a user right now (for {@link PolicyRule#maxSessions()})
     * @param backendLimit   the longest a backend may take before it counts as not answering
     */
    public PolicyAuthenticator(MethodRoutes routes, Policy policy, Optional<GroupDirectory> directory,
                               ToIntFunction<String> activeSessions, Duration backendLimit, MeterRegistry registry) {
        this.routes = routes;
        this.policy = policy;
        this.directory = directory;
        this.activeSessions = activeSessions;
        this.backendLimit = backendLimit;
        this.registry = registry;
    }

    /** EAP is relayed when the EAP route's first backend relays it (RADIUS). */
    @Override
    public boolean relaysEap() {
        List<Backend> eap = routes.route(AuthMethod.EAP_MSCHAPV2);
        return !eap.isEmpty() && eap.getFirst().authenticator().relaysEap();
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthRequest request) {
        return CompletableFuture.supplyAsync(() -> decide(request), executor);
    }

    AuthResult decide(AuthRequest request) {
        String tag = request.session().tag();
        List<Backend> route = routes.route(request.method());
        if (route.isEmpty()) {
            return reject("-", new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED,
                    "no backend configured for " + request.method().configName()));
        }
        boolean relayed = request.credentials() instanceof net.l2sec.spi.auth.EapCredentials;
        AuthResult last = null;
        String lastBackend = "-";
        for (Backend backend : relayed ? route.subList(0, 1) : route) {
            lastBackend = backend.name();
            last = ask(backend, request);
            switch (last) {
                case AuthResult.Challenge c -> {
                    return c;
                }
                case AuthResult.Accept a -> {
                    return authorize(tag, backend.name(), a);
                }
                case AuthResult.Reject r -> {
                    if (!tryNext(r.reason())) return reject(backend.name(), r);
                    log.info("session={} backend={} {} for user={}: trying the next backend", tag, backend.name(),
                            r.reason().label(), LogText.escape(request.credentials().user()));
                }
            }
        }
        return reject(lastBackend, (AuthResult.Reject) last);
    }

    private static boolean tryNext(RejectReason reason) {
        return reason == RejectReason.UNKNOWN_USER || reason == RejectReason.BACKEND_TIMEOUT
                || reason == RejectReason.BACKEND_ERROR || reason == RejectReason.METHOD_UNSUPPORTED;
    }

    private AuthResult ask(Backend backend, AuthRequest request) {
        try {
            AuthResult r = backend.authenticator().authenticate(request).toCompletableFuture()
                    .get(backendLimit.toMillis(), TimeUnit.MILLISECONDS);
            return r != null ? r : new AuthResult.Reject(RejectReason.BACKEND_ERROR, backend.name() + " returned nothing");
        } catch (TimeoutException e) {
            return new AuthResult.Reject(RejectReason.BACKEND_TIMEOUT, backend.name() + " did not answer within " + backendLimit);
        } catch (ExecutionException e) {
            return new AuthResult.Reject(RejectReason.BACKEND_ERROR, backend.name() + " failed: " + LogText.escape(String.valueOf(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "interrupted");
        }
    }

    private AuthResult authorize(String tag, String backend, AuthResult.Accept accept) {
        Authorization given = accept.authorization();
        Set<String> groups = new HashSet<>(given.groups());
        if (directory.isPresent()) {
            try {
                groups.addAll(directory.get().groupsOf(accept.user()).toCompletableFuture()
                        .get(backendLimit.toMillis(), TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                // groups decide access: without them we cannot apply the policy, so we refuse rather than guess
                return reject(backend, new AuthResult.Reject(RejectReason.BACKEND_ERROR,
                        "group look-up failed: " + LogText.escape(String.valueOf(e.getCause() != null ? e.getCause() : e))));
            }
        }
        PolicyRule rule = policy.decide(groups);
        if (!rule.allow()) {
            count(rule.name(), "deny");
            return reject(backend, new AuthResult.Reject(RejectReason.POLICY_DENIED, "rule=" + rule.name() + " denies groups=" + cns(groups)));
        }
        if (rule.maxSessions().isPresent()) {
            int active = activeSessions.applyAsInt(accept.user());
            if (active >= rule.maxSessions().getAsInt()) {
                count(rule.name(), "session_limit");
                return reject(backend, new AuthResult.Reject(RejectReason.POLICY_DENIED, "rule=" + rule.name()
                        + " allows " + rule.maxSessions().getAsInt() + " sessions, user has " + active));
            }
        }
        count(rule.name(), "allow");
        var authorization = new Authorization(rule.name(),
                given.pool().or(rule::pool),
                given.dns().isEmpty() ? rule.dns() : given.dns(),
                given.sessionTimeout().or(rule::sessionTimeout),
                given.idleTimeout().or(rule::idleTimeout),
                given.address(), given.classes(), groups, given.filterId(), OptionalInt.empty(),
                given.routes().isEmpty() ? rule.routes() : given.routes(),
                given.domain().or(rule::domain),
                rule.maxSessionsTotal(),
                given.rateLimit().or(rule::rateLimit)).withIpv6(given.ipv6());
        log.info("session={} authorized user={} backend={} rule={} groups={} pool={}", tag, LogText.escape(accept.user()),
                backend, rule.name(), cns(groups), authorization.pool().orElse("-"));
        return accept.withAuthorization(authorization);
    }

    private AuthResult.Reject reject(String backend, AuthResult.Reject r) {
        Counter.builder("l2sec.aaa.rejects").tag("backend", backend).tag("reason", r.reason().label())
                .description("Authentication requests refused, by deciding backend and reason").register(registry).increment();
        return r;
    }

    private void count(String rule, String result) {
        Counter.builder("l2sec.aaa.policy.decisions").tag("rule", rule).tag("result", result)
                .description("Authorization decisions, by matched rule and result").register(registry).increment();
    }

    /** The groups' names (first RDN values), sorted, escaped: they come from the backend, and go into log lines. */
    private static List<String> cns(Set<String> groups) {
        return groups.stream().map(PolicyRule::firstRdnValue).sorted().map(LogText::escape).toList();
    }
}
