package net.l2sec.dataplane.ppp.auth;

import java.time.Duration;
import net.l2sec.spi.time.Scheduler;

/**
 * The Restart timer of an authenticator (RFC 1994 section 4.1, RFC 3748 section 4.3, as RFC 1661 section 4.6
 * names it): resends the last request every interval, a bounded number of times, until stopped.
 */
final class RestartTimer {
    private final Scheduler scheduler;
    private final Duration interval;
    private final int maxTransmissions;
    private Scheduler.Timeout timer;
    private int sent;
    private Runnable resend;

    RestartTimer(Scheduler scheduler, Duration interval, int maxTransmissions) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.maxTransmissions = maxTransmissions;
    }

    /** Sends now via {@code send} and again on each timeout until {@link #stop()}. */
    void start(Runnable send) {
        stop();
        this.resend = send;
        this.sent = 0;
        fire();
    }

    private void fire() {
        timer = null;
        if (sent >= maxTransmissions) return;
        sent++;
        resend.run();
        timer = scheduler.schedule(interval, this::fire);
    }

    void stop() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
