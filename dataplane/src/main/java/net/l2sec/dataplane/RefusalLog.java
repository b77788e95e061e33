package net.l2sec.dataplane;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;

/**
 * Log lines for refusals a peer can provoke as often as it likes (a limit reached, a throttled name): each is
 * counted by its caller, and logged here at most once per {@link #INTERVAL} for each reason. The first refusal of
 * a reason is logged at once; the next line for it, when one is due, says how many were not logged in between.
 * So a flood leaves one line per reason every ten seconds, and a single refusal is never lost.
 *
 * <p>Confined to one event loop, like the code that refuses; time comes from its {@link Scheduler}.
 */
public final class RefusalLog {
    /** Shortest time between two lines for the same reason. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Logger log;
    private final Scheduler clock;
    /** Per reason: when its last line was written, and how many refusals went unlogged since. */
    private final Map<Enum<?>, Quiet> reasons = new HashMap<>();

    private static final class Quiet {
        long lastNanos;
        long suppressed;
    }

    public RefusalLog(Logger log, Scheduler clock) {
        this.log = log;
        this.clock = clock;
    }

    /**
     * One refusal for {@code reason}: logged at INFO with {@code format} and {@code args} (SLF4J style) unless a line
     * for the same reason was written less than {@link #INTERVAL} ago. Peer-chosen text in {@code args} must be
     * passed through {@link LogText} already.
     */
    public void refused(Enum<?> reason, String format, Object... args) {
        long now = clock.nanoTime();
        Quiet q = reasons.get(reason);
        if (q != null && now - q.lastNanos < INTERVAL.toNanos()) {
            q.suppressed++;
            return;
        }
        if (q == null) reasons.put(reason, q = new Quiet());
        long suppressed = q.suppressed;
        q.lastNanos = now;
        q.suppressed = 0;
        if (!log.isInfoEnabled()) return;
        if (suppressed == 0) {
            log.info(format, args);
        } else {
            Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = suppressed;
            log.info(format + " ({} more refused for this reason since the last line)", withCount);
        }
    }
}
