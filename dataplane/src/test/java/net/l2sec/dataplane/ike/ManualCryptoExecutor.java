package net.l2sec.dataplane.ike;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The crypto workers' executor for tests: a task waits until the test runs it ({@link #runNext}); beyond {@code
 * bound} waiting tasks it refuses, as the pool does with its queue full.
 */
final class ManualCryptoExecutor implements Executor {
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private final int bound;
    int executed;

    ManualCryptoExecutor(int bound) {
        this.bound = bound;
    }

    CryptoWorkers workers() {
        return CryptoWorkers.over(this, "manual");
    }

    @Override
    public void execute(Runnable task) {
        if (waiting.size() >= bound) throw new RejectedExecutionException("full");
        waiting.add(task);
    }

    int waiting() {
        return waiting.size();
    }

    /** Runs the oldest waiting task, as a worker would (its result then waits for the event loop). */
    void runNext() {
        Runnable r = waiting.poll();
        if (r == null) throw new AssertionError("no crypto task waiting");
        executed++;
        r.run();
    }
}
