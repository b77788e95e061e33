package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.aaa.policy.Policy;
import net.l2sec.aaa.policy.PolicyRule;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.Test;

class SessionMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static ActiveSession session(String id, String rule) throws Exception {
        return new ActiveSession(id, "t1/s" + id, "alice", AuthMethod.MSCHAPV2, new InetSocketAddress("192.0.2.7", 4500),
                (Inet4Address) InetAddress.getByName("10.99.0.10"), 1, Instant.now().minusSeconds(30),
                Authorization.defaults(rule));
    }

    private double established(String rule) {
        return established(rule, "l2tp");
    }

    private double established(String rule, String protocol) {
        return registry.get("l2sec.sessions.established").tags("rule", rule, "protocol", protocol).gauge().value();
    }

    @Test
    void everyConfiguredRuleIsExportedAtZeroBeforeTheFirstSession() {
        var staff = new PolicyRule("staff", List.of("cn=staff"), true, java.util.Optional.empty(), List.of(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.OptionalInt.empty());
        SessionMeters.forPolicy(new Policy(List.of(staff), PolicyRule.denyAll("default")), registry);

        assertThat(established("staff")).isZero();
        assertThat(established("default")).isZero();
        assertThat(established("staff", "ikev2")).isZero();
        assertThat(registry.get("l2sec.sessions.duration").tags("rule", "staff", "protocol", "ikev2").timer().count()).isZero();
        assertThat(registry.find("l2sec.sessions.established").gauges()).as("two rules, two protocols").hasSize(4);
    }

    @Test
    void countsUpAndDownByRuleAndRecordsHowSessionsEnded() throws Exception {
        var meters = new SessionMeters(registry, List.of("staff", "default"));
        var a = session("1", "staff");
        var b = session("2", "staff");
        var c = session("3", "default");
        meters.started(a);
        meters.started(b);
        meters.started(c);
        assertThat(established("staff")).isEqualTo(2);
        assertThat(established("default")).isEqualTo(1);

        var d = session("4", "staff").withProtocol(net.l2sec.spi.session.SessionProtocol.IKEV2);
        meters.started(d);
        assertThat(established("staff", "ikev2")).isEqualTo(1);
        assertThat(established("staff")).isEqualTo(2);
        meters.stopped(d, SessionCounters.ZERO, TerminateCause.ADMIN_RESET);
        assertThat(established("staff", "ikev2")).isZero();
        assertThat(registry.get("l2sec.sessions.ended").tags("rule", "staff", "cause", "admin_reset", "protocol", "ikev2")
                .counter().count()).isEqualTo(1);

        meters.stopped(a, SessionCounters.ZERO, TerminateCause.LOST_CARRIER);
        assertThat(established("staff")).isEqualTo(1);
        assertThat(registry.get("l2sec.sessions.ended").tags("rule", "staff", "cause", "lost_carrier", "protocol", "l2tp")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.sessions.duration").tags("rule", "staff", "protocol", "l2tp").timer().totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isGreaterThanOrEqualTo(30);
    }

    @Test
    void aRuleOutsideTheConfigurationIsCountedToo() throws Exception {
        var meters = new SessionMeters(registry, List.of("default"));
        meters.started(session("9", "radius-only"));
        assertThat(established("radius-only")).isEqualTo(1);
    }

    @Test
    void fanOutGivesEveryObserverTheEventEvenWhenOneThrows() throws Exception {
        List<String> seen = new ArrayList<>();
        SessionObserver failing = new SessionObserver() {
            @Override
            public void started(ActiveSession s) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void stopped(ActiveSession s, SessionCounters n, TerminateCause c) {
                throw new IllegalStateException("boom");
            }
        };
        SessionObserver recording = new SessionObserver() {
            @Override
            public void started(ActiveSession s) {
                seen.add("start " + s.acctSessionId());
            }

            @Override
            public void stopped(ActiveSession s, SessionCounters n, TerminateCause c) {
                seen.add("stop " + s.acctSessionId() + " " + c);
            }
        };
        SessionObserver both = FanOutObserver.of(failing, recording);
        both.started(session("5", "default"));
        both.stopped(session("5", "default"), SessionCounters.ZERO, TerminateCause.USER_REQUEST);
        assertThat(seen).containsExactly("start 5", "stop 5 USER_REQUEST");
    }

    @Test
    void fanOutOfOneIsThatObserverAndNoneAreSkipped() {
        var meters = new SessionMeters(registry, List.of());
        assertThat(FanOutObserver.of(SessionObserver.NONE, meters)).isSameAs(meters);
    }
}
