package net.l2sec.dataplane.time;

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

    /** A scheduled task that may still be cancelled. */
    interface Timeout {
        /** Cancels the task if it has not run; harmless otherwise. */
        void cancel();
    }
}
