package net.l2sec.benchmarks;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's worker pool made of the kind of thread a Netty event loop runs on: {@link FastThreadLocalThread}. Netty
 * treats such threads differently from plain ones, and the packet path must be measured as the server runs it: the
 * pooled allocators give them per-thread caches, and the {@code Recycler} reuses the {@code ByteBuf} objects of
 * pooled buffers on them (on a plain thread every buffer allocation is a new object plus its cache entry, which the
 * event loop never pays). Selected with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=} this class
 * ({@link #JVM_ARGS}); JMH calls the {@code (int, String)} constructor.
 */
public final class EventLoopThreads extends ThreadPoolExecutor {
    /** The fork's JVM arguments that make JMH run benchmark methods on these threads. */
    static final String EXECUTOR = "-Djmh.executor=CUSTOM";
    static final String EXECUTOR_CLASS = "-Djmh.executor.class=net.l2sec.benchmarks.EventLoopThreads";

    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), new Factory(prefix));
    }

    /** Refuses to measure on any other thread (a run without {@link #EXECUTOR} would measure something else). */
    static void requireEventLoopThread() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("benchmark thread " + Thread.currentThread().getName()
                    + " is not a FastThreadLocalThread: run the fork with " + EXECUTOR + " " + EXECUTOR_CLASS);
        }
    }

    private record Factory(String prefix, AtomicInteger count) implements java.util.concurrent.ThreadFactory {
        Factory(String prefix) {
            this(prefix, new AtomicInteger());
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new FastThreadLocalThread(r, prefix + "-event-loop-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
