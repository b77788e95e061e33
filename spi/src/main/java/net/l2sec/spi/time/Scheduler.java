package net.l2sec.spi.time;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Time and deferred work for protocol state machines. Production code backs this with the Netty event loop
 * that owns the state (so every callback runs on that loop); tests use a manual, virtual-time implementation
 * so timers fire without sleeping.
 */
public interface Scheduler extends Executor {

    /** Runs {@code task} once after {@code delay}, on the owning thread. */
    Timeout schedule(Duration delay, Runnable task);

    /** Runs {@code task} soon on the owning thread; safe to call from any thread. */
    @Override
    void execute(Runnable task);

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /**
     * {@link #nanoTime()} as of a recent moment, at most {@link #COARSE_RESOLUTION} old, for the per-packet activity
     * stamps that only idle timeouts and dead-peer checks read (seconds and more): reading the clock costs some
     * 25 ns, two or three times per packet, while this is a field read. Call on the owning thread.
     */
    default long coarseNanoTime() {
        return nanoTime();
    }

    /** How far {@link #coarseNanoTime()} may lag behind {@link #nanoTime()}. */
    Duration COARSE_RESOLUTION = Duration.ofMillis(100);

    /** A scheduled task that may still be cancelled. */
    interface Timeout {
        /** Cancels the task if it has not run; harmless otherwise. */
        void cancel();
    }
}
