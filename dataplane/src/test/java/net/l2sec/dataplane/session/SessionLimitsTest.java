package net.l2sec.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;

class SessionLimitsTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final List<EndCause> expired = new ArrayList<>();
    final SessionLimits limits = new SessionLimits(scheduler, expired::add);

    static Authorization limited(Duration session, Duration idle) {
        return new Authorization("r", Optional.empty(), List.of(), Optional.ofNullable(session), Optional.ofNullable(idle));
    }

    @Test
    void noLimitsNoTimers() {
        limits.authorized(Authorization.defaults("r"));
        assertThat(scheduler.activeTimers()).isZero();
        assertThat(limits.authorizedNanos()).isZero();
    }

    @Test
    void sessionTimeoutCountsFromTheFirstAuthorizationAcrossRearming() {
        limits.authorized(limited(Duration.ofMinutes(5), null));
        scheduler.advance(Duration.ofMinutes(3));
        limits.disarm();                                        // LCP renegotiates
        scheduler.advance(Duration.ofMinutes(1));
        limits.authorized(limited(Duration.ofMinutes(5), null));   // authenticated again: the clock goes on
        scheduler.advance(Duration.ofSeconds(59));
        assertThat(expired).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(expired).containsExactly(EndCause.SESSION_TIMEOUT);
    }

    @Test
    void idleTimeoutLooksAgainAfterActivity() {
        limits.authorized(limited(null, Duration.ofSeconds(60)));
        scheduler.advance(Duration.ofSeconds(40));
        limits.activity(scheduler.nanoTime());
        scheduler.advance(Duration.ofSeconds(20));              // the first check finds 20 s of idleness
        assertThat(expired).isEmpty();
        assertThat(scheduler.activeTimers()).isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(40));
        assertThat(expired).containsExactly(EndCause.IDLE_TIMEOUT);
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void coaReplacesOnlyWhatItCarriesAndLaterAuthorizationsNoLongerApply() {
        limits.authorized(limited(Duration.ofMinutes(10), Duration.ofMinutes(2)));
        limits.reauthorize(Optional.empty(), Optional.of(Duration.ofMinutes(5)));
        assertThat(limits.sessionTimeout()).contains(Duration.ofMinutes(10));
        assertThat(limits.idleTimeout()).contains(Duration.ofMinutes(5));
        limits.arm();
        scheduler.advance(Duration.ofMinutes(3));
        assertThat(expired).isEmpty();                          // the old 2-minute idle timer is gone
        limits.disarm();
        limits.authorized(limited(Duration.ofMinutes(1), Duration.ofMinutes(1)));   // after renegotiation
        assertThat(limits.sessionTimeout()).contains(Duration.ofMinutes(10));
        assertThat(limits.idleTimeout()).contains(Duration.ofMinutes(5));
    }

    @Test
    void disarmCancelsBoth() {
        limits.authorized(limited(Duration.ofMinutes(1), Duration.ofMinutes(1)));
        assertThat(scheduler.activeTimers()).isEqualTo(2);
        limits.disarm();
        assertThat(scheduler.activeTimers()).isZero();
        scheduler.advance(Duration.ofMinutes(2));
        assertThat(expired).isEmpty();
    }
}
