package net.l2sec.aaa.local;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.l2sec.aaa.OverloadReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the CPU that slow password verifications (PBKDF2, see {@link StoredSecret#slow()}) can take, however many
 * logins arrive: at most {@code concurrent} run at once, at most {@code queue} more wait (in arrival order) for a
 * slot, and none waits longer than {@code maxWait}. A verification beyond the queue, or one that waited too long,
 * is not run: it is refused, counted as {@code l2sec.aaa.overload{backend="local",reason="backend_busy"}} and logged
 * (at most every 10 seconds, with the count since the last line).
 *
 * <p>One instance serves every {@link LocalUserAuthenticator} of the process (a reload builds a new authenticator,
 * not a new limit), so the bound holds across reloads. The waiting callers are virtual threads, so what waits costs
 * no platform thread; what is refused costs nothing.
 */
public final class VerificationLimit {
    /** How many verifications wait at most, per concurrent slot, by default. */
    public static final int DEFAULT_QUEUE_PER_SLOT = 8;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(10);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final Logger log = LoggerFactory.getLogger(VerificationLimit.class);

    private final int concurrent;
    private final int queue;
    private final Duration maxWait;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter refused;
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /**
     * @param concurrent verifications running at once (at least 1)
     * @param queue      verifications waiting for a slot at most (0: none waits)
     * @param maxWait    the longest a verification waits for a slot
     */
    public VerificationLimit(int concurrent, int queue, Duration maxWait, MeterRegistry registry) {
        if (concurrent < 1) throw new IllegalArgumentException("concurrent verifications " + concurrent);
        if (queue < 0) throw new IllegalArgumentException("verification queue " + queue);
        if (maxWait.isNegative()) throw new IllegalArgumentException("maxWait " + maxWait);
        this.concurrent = concurrent;
        this.queue = queue;
        this.maxWait = maxWait;
        this.slots = new Semaphore(concurrent, true);
        this.refused = OverloadReason.BACKEND_BUSY.counter(registry, "local");
        Gauge.builder("l2sec.aaa.local.verifications", this, VerificationLimit::running).tag("state", "running")
                .description("Slow local password verifications (PBKDF2) running, or waiting for a slot").register(registry);
        Gauge.builder("l2sec.aaa.local.verifications", this, VerificationLimit::waiting).tag("state", "waiting")
                .description("Slow local password verifications (PBKDF2) running, or waiting for a slot").register(registry);
    }

    /** One slot per processor, {@value #DEFAULT_QUEUE_PER_SLOT} waiting per slot, waiting at most 10 seconds. */
    public static VerificationLimit perProcessor(MeterRegistry registry) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new VerificationLimit(cores, DEFAULT_QUEUE_PER_SLOT * cores, DEFAULT_MAX_WAIT, registry);
    }

    /**
     * Runs {@code verification} on the calling thread once a slot is free; empty when it was refused (the queue was
     * full, or no slot came free within {@code maxWait}) or the caller was interrupted while waiting.
     */
    public <T> Optional<T> run(Supplier<T> verification) {
        if (!acquire()) {
            refused();
            return Optional.empty();
        }
        try {
            return Optional.of(verification.get());
        } finally {
            slots.release();
        }
    }

    private boolean acquire() {
        try {
            // a fair semaphore: a free slot goes to whoever waits longest, not to this newcomer
            if (slots.tryAcquire(0, TimeUnit.NANOSECONDS)) return true;
            if (waiting.incrementAndGet() > queue) {
                waiting.decrementAndGet();
                return false;
            }
            try {
                return slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
            } finally {
                waiting.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void refused() {
        refused.increment();
        long count = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            refusedSinceLog.addAndGet(-count);
            log.warn("local password verification refused reason={}: {} refused in the last {}s ({} running, {} waiting, "
                    + "at most {} and {}): a login flood against slow-hash users?", OverloadReason.BACKEND_BUSY.tag(), count,
                    Math.max(1, (now - last) / 1_000_000_000L), running(), waiting(), concurrent, queue);
        }
    }

    /** Verifications running now. */
    public int running() {
        return concurrent - slots.availablePermits();
    }

    /** Verifications waiting for a slot now. */
    public int waiting() {
        return waiting.get();
    }

    @Override
    public String toString() {
        return "VerificationLimit[concurrent=" + concurrent + ", queue=" + queue + ", maxWait=" + maxWait + "]";
    }
}
