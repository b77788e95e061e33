package net.l2sec.dataplane.session;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.time.Scheduler;

/**
 * The limits an authorization puts on a session: Session-Timeout and Idle-Timeout (RFC 2865 sections 5.27, 5.28),
 * as a Change of Authorization (RFC 5176) may replace them. Session time counts from the first authorization and
 * idle time from the last IP packet in either direction; LCP renegotiation restarts neither, and after a CoA the
 * values of later authorizations no longer apply. The timers run while the session is in the Network phase
 * ({@link #arm}, {@link #disarm}).
 */
public final class SessionLimits {
    private final Scheduler scheduler;
    private final Consumer<EndCause> expired;
    private Optional<Duration> sessionTimeout = Optional.empty();
    private Optional<Duration> idleTimeout = Optional.empty();
    private boolean changedByCoa;
    private long authorizedNanos = -1;
    private long lastActivityNanos;
    private Scheduler.Timeout sessionTimer;
    private Scheduler.Timeout idleTimer;

    /** @param expired told {@link EndCause#SESSION_TIMEOUT} or {@link EndCause#IDLE_TIMEOUT} */
    public SessionLimits(Scheduler scheduler, Consumer<EndCause> expired) {
        this.scheduler = scheduler;
        this.expired = expired;
    }

    /** The Network phase begins under {@code authorization}: the clocks start with the first one; the timers run. */
    public void authorized(Authorization authorization) {
        long now = scheduler.nanoTime();
        if (authorizedNanos < 0) {
            authorizedNanos = now;
            lastActivityNanos = now;
        }
        if (!changedByCoa) {
            sessionTimeout = authorization.sessionTimeout();
            idleTimeout = authorization.idleTimeout();
        }
        arm();
    }

    /** Change of Authorization: the values given replace the current ones, for the rest of the session. */
    public void reauthorize(Optional<Duration> newSessionTimeout, Optional<Duration> newIdleTimeout) {
        changedByCoa = true;
        newSessionTimeout.ifPresent(t -> sessionTimeout = Optional.of(t));
        newIdleTimeout.ifPresent(t -> idleTimeout = Optional.of(t));
    }

    /** (Re)starts the timers for the limits in force, counting the time already spent. */
    public void arm() {
        disarm();
        long now = scheduler.nanoTime();
        sessionTimeout.ifPresent(t -> sessionTimer = scheduler.schedule(
                remaining(t, authorizedNanos, now), () -> expired.accept(EndCause.SESSION_TIMEOUT)));
        idleTimeout.ifPresent(t -> idleTimer = scheduler.schedule(
                remaining(t, lastActivityNanos, now), () -> idleCheck(t)));
    }

    public void disarm() {
        if (sessionTimer != null) sessionTimer.cancel();
        if (idleTimer != null) idleTimer.cancel();
        sessionTimer = null;
        idleTimer = null;
    }

    /** An IP packet passed at {@code nanos} (the scheduler's coarse clock). */
    public void activity(long nanos) {
        lastActivityNanos = nanos;
    }

    /** The scheduler's time of the first authorization, or -1 before it. */
    public long authorizedNanos() {
        return authorizedNanos;
    }

    public Optional<Duration> sessionTimeout() {
        return sessionTimeout;
    }

    public Optional<Duration> idleTimeout() {
        return idleTimeout;
    }

    private void idleCheck(Duration idle) {
        idleTimer = null;
        long idleFor = scheduler.nanoTime() - lastActivityNanos;
        if (idleFor >= idle.toNanos()) {
            expired.accept(EndCause.IDLE_TIMEOUT);
        } else {
            idleTimer = scheduler.schedule(Duration.ofNanos(idle.toNanos() - idleFor), () -> idleCheck(idle));
        }
    }

    private static Duration remaining(Duration limit, long sinceNanos, long nowNanos) {
        return Duration.ofNanos(Math.max(0, limit.toNanos() - (nowNanos - sinceNanos)));
    }
}
