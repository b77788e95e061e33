package net.l2sec.loadgen;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Durations in microseconds, recorded from any thread without locks into logarithmic buckets (about 3 % wide from
 * 1 us to about 70 minutes), so a percentile read back is within one bucket of the truth; the maximum is exact.
 */
public final class LatencyHistogram {
    /** Buckets per doubling: 2^(1/24) is about 1.029. */
    private static final int PER_OCTAVE = 24;
    private static final int OCTAVES = 32;
    private final AtomicLongArray counts = new AtomicLongArray(PER_OCTAVE * OCTAVES + 1);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    public void record(long micros) {
        long v = Math.max(1, micros);
        counts.incrementAndGet(bucket(v));
        total.incrementAndGet();
        max.accumulateAndGet(v, Math::max);
    }

    public long count() {
        return total.get();
    }

    public long maxMicros() {
        return max.get();
    }

    /** The value below which {@code fraction} of the recorded ones lie (upper edge of its bucket), 0 when empty. */
    public long percentileMicros(double fraction) {
        long n = total.get();
        if (n == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(fraction * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) return Math.min(upperEdge(i), max.get());
        }
        return max.get();
    }

    static int bucket(long micros) {
        int b = (int) Math.floor(Math.log(micros) / Math.log(2) * PER_OCTAVE);
        return Math.clamp(b, 0, PER_OCTAVE * OCTAVES);
    }

    static long upperEdge(int bucket) {
        return (long) Math.ceil(Math.pow(2, (bucket + 1) / (double) PER_OCTAVE));
    }
}
