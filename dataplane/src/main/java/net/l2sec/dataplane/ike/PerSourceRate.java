package net.l2sec.dataplane.ike;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * New phase 1s per source address and second: a token bucket per address, refilled at the configured rate and
 * holding one second's worth, in a fixed table of {@link #BUCKETS} buckets that addresses are spread over by a keyed
 * hash (SipHash-2-4 under a random key, so that no one can aim datagrams at another address's bucket). Time and
 * memory are constant (1 MiB) whatever the number of sources: a flood from forged addresses spreads over the
 * buckets (at 20,000 datagrams/s about 0.3 per bucket and second, far below any limit) instead of growing a map.
 * Addresses that share a bucket share its rate, so a collision only ever makes the limit stricter. Event loop only.
 */
final class PerSourceRate {
    static final int BUCKETS = 1 << 16;
    /** A bucket no address has used: it starts full. */
    private static final long UNUSED = Long.MIN_VALUE;

    private final SipHash hash = new SipHash();
    private final long[] refilled = new long[BUCKETS];
    private final double[] tokens = new double[BUCKETS];

    PerSourceRate(SecureRandom random) {
        byte[] key = new byte[16];
        random.nextBytes(key);
        hash.init(new KeyParameter(key));
        Arrays.fill(refilled, UNUSED);
    }

    /** Takes a token from the bucket of {@code source} at {@code nowNanos}: false when it is empty. */
    boolean take(InetAddress source, int perSecond, long nowNanos) {
        int b = bucket(source);
        double t = refilled[b] == UNUSED ? perSecond
                : Math.min(perSecond, tokens[b] + (nowNanos - refilled[b]) * (perSecond / 1e9));
        refilled[b] = nowNanos;
        boolean allowed = t >= 1;
        tokens[b] = allowed ? t - 1 : t;
        return allowed;
    }

    private int bucket(InetAddress source) {
        byte[] a = source.getAddress();
        hash.update(a, 0, a.length);
        return (int) hash.doFinal() & BUCKETS - 1;
    }
}
