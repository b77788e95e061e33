package net.l2sec.dataplane.ip;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.BitSet;
import java.util.Optional;

/**
 * A named IPv6 prefix that gives each client session a /64 of its own (the prefix its Router Advertisements carry,
 * RFC 4861 section 4.6.2, from which the client forms its addresses by SLAAC, RFC 4862). Allocation takes the
 * lowest free /64; a released /64 goes back. One /64 can be reserved (the one the concentrator's own tunnel-side
 * address lies in). Shared by the worker event loops: its methods are synchronized (set-up and tear-down only).
 */
public final class Ipv6Pool {
    /** At most this many /64s are handed out of one pool (a /40 has 2^24 of them). */
    public static final int MAX_SIZE = 1 << 24;

    private final String name;
    private final Ipv6Prefix prefix;
    private final int size;
    private final BitSet used;
    private int inUse;
    private int reserved = -1;

    /** @param prefix the pool's prefix, /32 to /64 */
    public Ipv6Pool(String name, Ipv6Prefix prefix) {
        if (prefix.length() > 64 || prefix.length() < 32) throw new IllegalArgumentException("pool " + name + ": prefix " + prefix + " not /32../64");
        this.name = name;
        this.prefix = prefix;
        this.size = (int) Math.min(MAX_SIZE, 1L << (64 - prefix.length()));
        this.used = new BitSet(size);
    }

    public String name() {
        return name;
    }

    public Ipv6Prefix prefix() {
        return prefix;
    }

    /** How many /64s the pool hands out (the reserved one included). */
    public int size() {
        return size;
    }

    public synchronized int inUse() {
        return inUse;
    }

    /** Whether the /64 {@code high} is one this pool hands out. */
    public boolean contains(long high) {
        return prefix.contains(high) && Long.compareUnsigned(high - prefix.high(), size) < 0;
    }

    /** Never hands out the /64 {@code high} (the concentrator's own address lies in it). */
    public synchronized void reserve(long high) {
        if (!contains(high)) return;
        int i = (int) (high - prefix.high());
        if (!used.get(i)) {
            used.set(i);
            reserved = i;
        }
    }

    /** The lowest free /64 (its upper 64 bits), or empty when the pool is exhausted. */
    public synchronized Optional<Long> allocate() {
        int i = used.nextClearBit(0);
        if (i >= size) return Optional.empty();
        used.set(i);
        inUse++;
        return Optional.of(prefix.high() + i);
    }

    /** Takes a specific /64 (one a RADIUS server assigned); false if taken, reserved or outside the pool. */
    public synchronized boolean allocate(long high) {
        if (!contains(high)) return false;
        int i = (int) (high - prefix.high());
        if (used.get(i)) return false;
        used.set(i);
        inUse++;
        return true;
    }

    public synchronized void release(long high) {
        if (!contains(high)) return;
        int i = (int) (high - prefix.high());
        if (i != reserved && used.get(i)) {
            used.clear(i);
            inUse--;
        }
    }

    public synchronized boolean isAllocated(long high) {
        return contains(high) && used.get((int) (high - prefix.high())) && (int) (high - prefix.high()) != reserved;
    }

    /** Registers {@code l2sec_pool6_prefixes{pool,state=used|total}} gauges. */
    public Ipv6Pool bindTo(MeterRegistry registry) {
        Gauge.builder("l2sec.pool6.prefixes", this, Ipv6Pool::inUse).tag("pool", name).tag("state", "used")
                .description("Client IPv6 pools: /64 prefixes handed out and available").register(registry);
        Gauge.builder("l2sec.pool6.prefixes", this, Ipv6Pool::size).tag("pool", name).tag("state", "total")
                .description("Client IPv6 pools: /64 prefixes handed out and available").register(registry);
        return this;
    }
}
