package net.l2sec.dataplane.ppp.auth;

import java.time.Duration;
import net.l2sec.spi.time.Scheduler;

/** Resends the last request every Restart interval, a bounded number of times (RFC 1994 section 4.1). */
final class Retransmission {
    private final Scheduler scheduler;
    private final Duration interval;
    private final int maxTransmissions;
    private Scheduler.Timeout timer;
    private int sent;
    private Runnable resend;

    Retransmission(Scheduler scheduler, Duration interval, int maxTransmissions) {
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
