package net.l2sec.benchmarks;

import java.time.Duration;
import java.util.ArrayDeque;
import net.l2sec.spi.time.Scheduler;

/**
 * The event loop of a benchmark: the benchmark thread itself. {@link #execute} runs the task at once on the calling
 * thread, after the task that is running (if any) returns, so nothing re-enters a state machine; timers never fire
 * (a benchmark trial is far shorter than any protocol timer that would matter, and LCP echoes are off). The clock
 * is {@link System#nanoTime()} and the coarse clock a field, as on the real event loop, so the per-packet clock
 * reads cost what they cost there.
 */
final class BenchmarkLoop implements Scheduler {
    private static final Timeout NEVER = () -> {};
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;
    private final long coarse = System.nanoTime();

    @Override
    public Timeout schedule(Duration delay, Runnable task) {
        return NEVER;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (running) return;
        running = true;
        try {
            Runnable r;
            while ((r = queue.poll()) != null) r.run();
        } finally {
            running = false;
        }
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    /** A field read, as on the event loop (where a timer refreshes it; here nothing reads it as a time). */
    @Override
    public long coarseNanoTime() {
        return coarse;
    }
}
