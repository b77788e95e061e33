package net.l2sec.dataplane.session;

import java.util.function.LongSupplier;

/**
 * A token bucket policer for one direction of one session: tokens (octets) accrue at {@code rate} up to
 * {@code burst}; a packet passes when the bucket holds its size, which it then takes, and is dropped otherwise
 * (a policer, as RFC 2697's single rate, without marking: nothing is queued). The bucket starts full. Time comes
 * from an injected clock (the session loop's {@code nanoTime}); confined to that loop.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The burst is this much of the rate ... */
    static final long BURST_NANOS = 100_000_000L;
    /** ... and at least this many octets, ten full-size packets: TCP's window bursts pass at any rate. */
    static final long MIN_BURST = 15_000;

    private final long bytesPerSecond;
    private final long burst;
    private final LongSupplier clock;
    private long tokens;
    private long lastNanos;

    /** {@code bitsPerSecond} &gt; 0. */
    public TokenBucket(long bitsPerSecond, LongSupplier clock) {
        if (bitsPerSecond <= 0) throw new IllegalArgumentException("rate");
        this.bytesPerSecond = Math.max(1, bitsPerSecond / 8);
        this.burst = Math.max(MIN_BURST, bytesPerSecond * BURST_NANOS / NANOS_PER_SECOND);
        this.clock = clock;
        this.tokens = burst;
        this.lastNanos = clock.getAsLong();
    }

    /** True when a packet of {@code octets} may pass now (the tokens are taken); false: drop it. */
    public boolean take(int octets) {
        refill();
        if (tokens < octets) return false;
        tokens -= octets;
        return true;
    }

    public long burst() {
        return burst;
    }

    private void refill() {
        long now = clock.getAsLong();
        long elapsed = now - lastNanos;
        if (elapsed <= 0) return;
        // time enough to fill the bucket from empty: full (and no overflow in what follows)
        if (elapsed >= burst * NANOS_PER_SECOND / bytesPerSecond + 1) {
            tokens = burst;
            lastNanos = now;
            return;
        }
        long earned = elapsed * bytesPerSecond / NANOS_PER_SECOND;
        if (earned == 0) return;                                   // the fraction of an octet stays on the clock
        tokens = Math.min(burst, tokens + earned);
        lastNanos += earned * NANOS_PER_SECOND / bytesPerSecond;
    }
}
