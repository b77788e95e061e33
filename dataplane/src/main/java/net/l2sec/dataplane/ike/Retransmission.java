package net.l2sec.dataplane.ike;

import java.time.Duration;
import net.l2sec.spi.time.Scheduler;

/**
 * Resends our last message of an exchange that waits for the peer's next one (Main Mode 2 and 4, Aggressive Mode
 * 2, Quick Mode 2, and message 1 of a Quick Mode we start), with exponential backoff: 2, 4, 8, 16, 32 seconds, then
 * gives up (the half-open timeout or the peer ends it; for Quick Modes {@link Exchanges} ends the exchange).
 */
final class Retransmission {
    static final Duration FIRST = Duration.ofSeconds(2);
    static final int MAX = 5;
    private final Scheduler scheduler;
    private final Runnable resend;
    private final Runnable giveUp;
    private Scheduler.Timeout timer;
    private int sent;

    Retransmission(Scheduler scheduler, Runnable resend) {
        this(scheduler, resend, () -> {
        });
    }

    /** @param giveUp runs when the last retransmission went unanswered for its full interval */
    Retransmission(Scheduler scheduler, Runnable resend, Runnable giveUp) {
        this.scheduler = scheduler;
        this.resend = resend;
        this.giveUp = giveUp;
        arm();
    }

    private void arm() {
        timer = scheduler.schedule(FIRST.multipliedBy(1L << sent), () -> {
            if (++sent > MAX) {
                giveUp.run();
                return;
            }
            resend.run();
            arm();
        });
    }

    void cancel() {
        timer.cancel();
    }
}
