package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.aaa.policy.Policy;
import net.l2sec.aaa.policy.PolicyRule;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.SessionProtocol;
import net.l2sec.spi.session.TerminateCause;

/**
 * Established sessions by the authorization rule that admitted them and the protocol that carries them: how many
 * are up now ({@code l2sec_sessions_established{rule,protocol}}), how they ended
 * ({@code l2sec_sessions_ended_total{rule,cause,protocol}}, the RFC 2866 Acct-Terminate-Cause in lower case) and how
 * long they lasted ({@code l2sec_sessions_duration_seconds{rule,protocol}}). The {@code rule} label is the policy
 * rule's name, so its values are bounded by the configuration, and {@code protocol} is {@code l2tp} or {@code ikev2}
 * ({@link SessionProtocol}); every configured rule is exported at 0 for each protocol from the start so that
 * dashboards and alerts see it before the first session. Runs on the
 * worker event loops like every {@link SessionObserver}, several at once: the map is concurrent and the counts are
 * atomics (scrapes read them from the HTTP thread).
 */
final class SessionMeters implements SessionObserver {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> established = new ConcurrentHashMap<>();

    /** Meters for the policy's rules and its fallback ({@code default}). */
    static SessionMeters forPolicy(Policy policy, MeterRegistry registry) {
        List<String> rules = new ArrayList<>(policy.rules().stream().map(PolicyRule::name).toList());
        rules.add(policy.fallback().name());
        return new SessionMeters(registry, rules);
    }

    SessionMeters(MeterRegistry registry, Collection<String> rules) {
        this.registry = registry;
        for (String rule : rules) {
            for (SessionProtocol p : SessionProtocol.values()) gauge(rule, p);
        }
    }

    private AtomicInteger gauge(String rule, SessionProtocol protocol) {
        return established.computeIfAbsent(rule + "\0" + protocol.label(), k -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("l2sec.sessions.established", n, AtomicInteger::get).tag("rule", rule)
                    .tag("protocol", protocol.label())
                    .description("Sessions established now (authenticated, address assigned, IPCP opened or IKEv2 SA up), by authorization rule and protocol")
                    .strongReference(true).register(registry);
            duration(rule, protocol);
            return n;
        });
    }

    @Override
    public void started(ActiveSession session) {
        gauge(rule(session), session.protocol()).incrementAndGet();
    }

    @Override
    public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
        String rule = rule(session);
        gauge(rule, session.protocol()).decrementAndGet();
        Counter.builder("l2sec.sessions.ended").tag("rule", rule).tag("cause", cause.name().toLowerCase(Locale.ROOT))
                .tag("protocol", session.protocol().label())
                .description("Established sessions that ended, by authorization rule, RFC 2866 terminate cause and protocol")
                .register(registry).increment();
        Duration lasted = Duration.between(session.authorized(), Instant.now());
        duration(rule, session.protocol()).record(lasted.isNegative() ? Duration.ZERO : lasted);
    }

    private Timer duration(String rule, SessionProtocol protocol) {
        return Timer.builder("l2sec.sessions.duration").tag("rule", rule).tag("protocol", protocol.label())
                .description("How long established sessions lasted, from authorization to end, by authorization rule and protocol")
                .register(registry);
    }

    private static String rule(ActiveSession session) {
        return session.authorization() != null ? session.authorization().rule() : "none";
    }
}
