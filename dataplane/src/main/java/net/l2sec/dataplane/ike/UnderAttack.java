package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the responder is under attack: entered when a half-open phase 1 is evicted for room ({@link
 * HalfOpenEviction#OLDEST} or {@link HalfOpenEviction#KEYED_LIMIT}) before its half-open timeout ran out, i.e. new
 * ones come faster than the bound can hold them for that long; left once a whole half-open timeout has passed
 * without such an eviction (the hysteresis: every half-open phase 1 then had its full time again). Evictions for a
 * source's share say nothing about the whole and do not count. Each change is logged, the gauge
 * {@code l2sec_ike_under_attack} shows the state and {@code l2sec_ike_under_attack_entered_total} counts the
 * episodes. Nothing else changes while it lasts: the bounds and the eviction already are the defence. Event loop
 * only; {@link #on()} may be read from any thread.
 */
final class UnderAttack {
    private static final Logger LOG = LoggerFactory.getLogger(UnderAttack.class);

    private final Supplier<IkeSettings> settings;
    private final Scheduler scheduler;
    private final IkeMetrics metrics;
    private volatile boolean on;
    private long since;
    private long lastEviction;
    /** The shortest time an evicted phase 1 had in this episode: how soon a client's next message must come. */
    private long shortestAge;
    private final Map<HalfOpenEviction, Long> evictions = new EnumMap<>(HalfOpenEviction.class);
    private Scheduler.Timeout calm;

    UnderAttack(Supplier<IkeSettings> settings, Scheduler scheduler, IkeMetrics metrics) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    /** A half-open phase 1 of {@code ageNanos} was evicted for room ({@code reason}: not a source's share). */
    void evicted(HalfOpenEviction reason, long ageNanos, String bound) {
        Duration timeout = settings.get().halfOpenTimeout();
        if (ageNanos >= timeout.toNanos()) return; // it had its full time: no sign of an attack
        long now = scheduler.nanoTime();
        lastEviction = now;
        evictions.merge(reason, 1L, Long::sum);
        if (on) {
            shortestAge = Math.min(shortestAge, ageNanos);
            return;
        }
        on = true;
        since = now;
        shortestAge = ageNanos;
        metrics.underAttack();
        LOG.warn("ike under attack: half-open phase 1s are evicted before their {} s timeout (reason={}, bound {}): the "
                + "oldest, {} ms old, made room; a client completes if its next message comes sooner",
                timeout.toSeconds(), reason.tag(), bound, ageNanos / 1_000_000);
        calmAfter(timeout);
    }

    /** Checks, a timeout after the last early eviction, whether there was none since: then the attack is over. */
    private void calmAfter(Duration delay) {
        calm = scheduler.schedule(delay, () -> {
            Duration timeout = settings.get().halfOpenTimeout();
            long quiet = scheduler.nanoTime() - lastEviction;
            if (quiet < timeout.toNanos()) {
                calmAfter(Duration.ofNanos(timeout.toNanos() - quiet));
                return;
            }
            on = false;
            calm = null;
            LOG.info("ike attack over: no half-open phase 1 evicted early for {} s; during {} s: evicted {}, the "
                    + "shortest-lived after {} ms", timeout.toSeconds(), (lastEviction - since) / 1_000_000_000L,
                    evictionsText(), shortestAge / 1_000_000);
            evictions.clear();
        });
    }

    private String evictionsText() {
        StringBuilder b = new StringBuilder();
        evictions.forEach((r, n) -> b.append(b.isEmpty() ? "" : ", ").append(n).append(' ').append(r.tag()));
        return b.toString();
    }

    boolean on() {
        return on;
    }

    /** The responder closes: no more checks. */
    void close() {
        if (calm != null) calm.cancel();
    }
}
