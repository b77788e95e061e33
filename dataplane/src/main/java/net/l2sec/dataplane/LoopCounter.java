package net.l2sec.dataplane;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A per-packet counter for the event loop: one thread adds, any thread reads. Micrometer's {@code Counter} pays an
 * atomic read-modify-write (a {@code DoubleAdder} CAS) per update so that many threads can add; the packet path
 * runs on the one event loop and updates four such counters per packet, so here the writer does a plain add and
 * publishes it with an opaque store, and the registry reads it with an opaque load when it is scraped (a
 * {@link FunctionCounter}: the same name, tags, description and Prometheus exposition as a {@code Counter}).
 *
 * <p>Only for code confined to one thread; elsewhere use a {@code Counter}.
 */
public final class LoopCounter {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(LoopCounter.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long count;

    private LoopCounter() {}

    /** A new counter registered as {@code name} with {@code tags} (key, value pairs), name first as Micrometer's builders. */
    public static LoopCounter register(String name, String description, MeterRegistry registry, String... tags) {
        LoopCounter c = new LoopCounter();
        FunctionCounter.builder(name, c, LoopCounter::count).tags(tags).description(description).register(registry);
        return c;
    }

    /** Adds one; only from the owning thread. */
    public void increment() {
        COUNT.setOpaque(this, count + 1);
    }

    /** Adds {@code n}; only from the owning thread. */
    public void add(long n) {
        COUNT.setOpaque(this, count + n);
    }

    /** The count, from any thread. */
    public double count() {
        return (long) COUNT.getOpaque(this);
    }
}
