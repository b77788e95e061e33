package net.l2sec.dataplane.time;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import net.l2sec.spi.time.Scheduler;

/**
 * Virtual-time {@link Scheduler} for tests: nothing runs until the test calls {@link #runPending()} or
 * {@link #advance(Duration)}. Single-threaded, like the event loop it stands in for.
 */
public final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> timers = new PriorityQueue<>();
    private final ArrayDeque<Runnable> immediate = new ArrayDeque<>();
    private long now;
    private long sequence;

    private final class Task implements Comparable<Task>, Timeout {
        final long due;
        final long seq = sequence++;
        final Runnable run;
        boolean cancelled;

        Task(long due, Runnable run) {
            this.due = due;
            this.run = run;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public Timeout schedule(Duration delay, Runnable task) {
        Task t = new Task(now + delay.toNanos(), task);
        timers.add(t);
        return t;
    }

    @Override
    public void execute(Runnable task) {
        immediate.add(task);
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Runs tasks submitted with {@link #execute} (and any they submit). */
    public void runPending() {
        Runnable r;
        while ((r = immediate.poll()) != null) r.run();
    }

    /** Moves virtual time forward, firing every timer that falls due, in order. */
    public void advance(Duration d) {
        long target = now + d.toNanos();
        runPending();
        while (!timers.isEmpty() && timers.peek().due <= target) {
            Task t = timers.poll();
            now = Math.max(now, t.due);
            if (!t.cancelled) t.run.run();
            runPending();
        }
        now = target;
    }

    /** Timers scheduled and not yet cancelled or fired. */
    public int activeTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }
}
