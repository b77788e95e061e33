package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines about what unauthenticated datagrams cause (drops, refused or failed phase 1s, unauthenticated
 * notifications), at most {@link #LINES} of one kind per {@link #WINDOW}: anyone can send those datagrams, at any
 * rate, from any address, and a line per datagram would fill the disk and slow the event loop. The rest are
 * counted ({@code l2sec_ike_log_suppressed_total}) and summed up in one line when the window closes:
 * {@code 1234 more lines like "phase1 failed reason=rate_limited" suppressed in 10 s}. A kind is a fixed phrase
 * of the code ({@code key}), never an address or an identity, so their number is bounded. Lines at a level that
 * is off cost nothing and use up nothing. Event loop only.
 */
final class ThrottledLog {
    /** Lines of one kind written per window. */
    static final int LINES = 10;
    static final Duration WINDOW = Duration.ofSeconds(10);

    private final Scheduler scheduler;
    private final IkeMetrics metrics;
    private final Map<String, Kind> kinds = new HashMap<>();

    private static final class Kind {
        long windowStart;
        int written;
        int suppressed;
        Level level;
        Logger log;
        /** The summary at the end of the window, while lines are being suppressed. */
        Scheduler.Timeout summary;
    }

    ThrottledLog(Scheduler scheduler, IkeMetrics metrics) {
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    /**
     * Whether a line of kind {@code key} may be written now at {@code level} to {@code log}; a line that may not is
     * counted as suppressed. Ask before building expensive arguments (offers, payload lists).
     */
    boolean admit(Logger log, Level level, String key) {
        if (!log.isEnabledForLevel(level)) return false;
        long now = scheduler.nanoTime();
        Kind k = kinds.computeIfAbsent(key, x -> new Kind());
        if (k.written == 0 && k.suppressed == 0 || now - k.windowStart >= WINDOW.toNanos()) {
            if (k.suppressed > 0) summarize(key, k);
            k.windowStart = now;
            k.written = 0;
        }
        if (k.written < LINES) {
            k.written++;
            return true;
        }
        if (k.suppressed++ == 0) {
            k.log = log;
            k.level = level;
            long remaining = k.windowStart + WINDOW.toNanos() - now;
            k.summary = scheduler.schedule(Duration.ofNanos(Math.max(remaining, 0)), () -> summarize(key, k));
        } else if (level.toInt() > k.level.toInt()) {
            k.level = level;
        }
        metrics.logSuppressed();
        return false;
    }

    void warn(Logger log, String key, String format, Object... args) {
        if (admit(log, Level.WARN, key)) log.warn(format, args);
    }

    void info(Logger log, String key, String format, Object... args) {
        if (admit(log, Level.INFO, key)) log.info(format, args);
    }

    void debug(Logger log, String key, String format, Object... args) {
        if (admit(log, Level.DEBUG, key)) log.debug(format, args);
    }

    /** The line for what a window suppressed, at the highest level suppressed; the window's count starts over. */
    private void summarize(String key, Kind k) {
        if (k.summary != null) k.summary.cancel();
        k.summary = null;
        if (k.suppressed == 0) return;
        k.log.atLevel(k.level).log("{} more lines like \"{}\" suppressed in {} s", k.suppressed, key, WINDOW.toSeconds());
        k.suppressed = 0;
    }
}
