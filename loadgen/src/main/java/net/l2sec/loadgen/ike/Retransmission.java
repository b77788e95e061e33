package net.l2sec.loadgen.ike;

import java.time.Duration;
import net.l2sec.spi.time.Scheduler;

/**
 * Resends the last request of an exchange until its answer comes (RFC 2408 leaves the timing to the implementation):
 * after 2, 4, 8 and 16 s, then gives up ({@link #start}'s {@code exhausted}) 32 s after the last try, so a
 * server that stays silent costs a client about a minute.
 */
final class Retransmission {
    static final Duration FIRST = Duration.ofSeconds(2);
    static final int TRIES = 4;
    private final Scheduler scheduler;
    private Scheduler.Timeout timer;
    private int tries;

    Retransmission(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Sends with {@code send} now and again on every timeout; {@code exhausted} when every try went unanswered. */
    void start(Runnable send, Runnable exhausted) {
        cancel();
        tries = 0;
        send.run();
        arm(send, exhausted, FIRST);
    }

    private void arm(Runnable send, Runnable exhausted, Duration after) {
        timer = scheduler.schedule(after, () -> {
            timer = null;
            if (tries++ >= TRIES) {
                exhausted.run();
                return;
            }
            send.run();
            arm(send, exhausted, after.multipliedBy(2));
        });
    }

    void cancel() {
        if (timer != null) timer.cancel();
        timer = null;
    }
}
