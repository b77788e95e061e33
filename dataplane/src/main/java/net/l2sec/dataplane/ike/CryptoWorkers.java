package net.l2sec.dataplane.ike;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.l2sec.dataplane.os.ThreadNice;

/**
 * The work of a handshake that is too expensive for the event loop, which also carries every established client's
 * packets: Diffie-Hellman (our key pair and g^xy, {@link net.l2sec.dataplane.ike.keymat.Phase1Keying}; PFS of a
 * Quick Mode, {@link QuickMode}) and, with
 * certificates, the peer's certificate chain and SIG_I and our SIG_R ({@link PeerSignature}). A bounded
 * pool of platform threads (CPU-bound work, nothing to gain from virtual threads): {@code workers} threads and at
 * most {@link #QUEUED_PER_WORKER} tasks per thread waiting; beyond that {@link #submit} refuses, and the caller
 * drops the message (the client resends it). Each result goes back to the event loop the caller names, where the
 * exchange continues; the worker touches nothing but the task's own values.
 */
public final class CryptoWorkers implements AutoCloseable {
    /**
     * Tasks that may wait per worker before new ones are refused. One computation takes about 1 to 3 ms, so 64
     * waiting is at most about 200 ms, well under a client's first retransmission (1 to 2 s): a burst of clients
     * is absorbed instead of dropped into retransmission waves (with 4, 100 clients started at once came up in
     * waves at 0, 2, 6 and 14 s and one ran out of its half-open lifetime). Beyond it the wait would outlast the
     * retransmission, so the message is dropped ({@code crypto_busy}).
     */
    public static final int QUEUED_PER_WORKER = 64;

    /** A task's result, or what it threw. */
    public record Outcome<T>(T value, Exception failure) {
    }

    private final Executor executor;
    private final Runnable shutdown;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final String description;

    private CryptoWorkers(Executor executor, Runnable shutdown, String description) {
        this.executor = executor;
        this.shutdown = shutdown;
        this.description = description;
    }

    /**
     * The nice value of the worker threads by default: 0, the event loops' own. A higher value (config
     * {@code ipsec.crypto-nice}) lets an event loop woken by an established client's packet preempt a
     * Diffie-Hellman computation on its core at once, but when the loops themselves keep a core busy (a thousand
     * clients at once on one core) the workers then get too little of it and clients time out (README,
     * "Established clients during a connect storm").
     */
    public static final int NICE = 0;

    /** {@code workers} platform threads at {@link #NICE}, {@code QUEUED_PER_WORKER × workers} tasks waiting at most. */
    public static CryptoWorkers pool(int workers) {
        return pool(workers, NICE);
    }

    /** {@code workers} platform threads at nice value {@code nice} (Linux; elsewhere the default priority). */
    public static CryptoWorkers pool(int workers, int nice) {
        if (workers < 1) throw new IllegalArgumentException("workers " + workers);
        boolean renice = nice != 0;
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor e = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_PER_WORKER * workers),
                r -> Thread.ofPlatform().name("l2sec-crypto-" + n.incrementAndGet()).daemon(true).unstarted(() -> {
                    if (renice) ThreadNice.apply(nice);
                    r.run();
                }),
                new ThreadPoolExecutor.AbortPolicy());
        e.prestartAllCoreThreads();
        return new CryptoWorkers(e, e::shutdownNow, workers + " workers at nice " + nice + ", "
                + QUEUED_PER_WORKER * workers + " queued");
    }

    /** On the calling thread (the event loop), as before the pool: micro-benchmarks and most tests. */
    public static CryptoWorkers inline() {
        return over(Runnable::run, "inline");
    }

    /**
     * Over {@code executor}, which refuses a task by throwing {@link RejectedExecutionException}: tests that run the
     * worker's part by hand.
     */
    static CryptoWorkers over(Executor executor, String description) {
        return new CryptoWorkers(executor, () -> {
        }, description);
    }

    /**
     * Runs {@code work} on a worker, then {@code done} with its outcome on {@code loop}; false, and nothing runs,
     * when every worker is busy and the queue full.
     */
    public <T> boolean submit(Callable<T> work, Executor loop, Consumer<Outcome<T>> done) {
        inProgress.incrementAndGet();
        try {
            executor.execute(() -> {
                Outcome<T> outcome;
                try {
                    outcome = new Outcome<>(work.call(), null);
                } catch (Exception e) {
                    outcome = new Outcome<>(null, e);
                }
                inProgress.decrementAndGet();
                Outcome<T> result = outcome;
                loop.execute(() -> done.accept(result));
            });
            return true;
        } catch (RejectedExecutionException e) {
            inProgress.decrementAndGet();
            return false;
        }
    }

    /** Tasks submitted whose worker part has not finished: waiting or running. */
    int inProgress() {
        return inProgress.get();
    }

    /** Stops the threads; tasks still waiting are dropped (their SAs are gone with the responder). */
    @Override
    public void close() {
        shutdown.run();
    }

    @Override
    public String toString() {
        return description;
    }
}
