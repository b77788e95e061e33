package net.l2sec.dataplane.ip;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.util.BitSet;
import java.util.Optional;

/**
 * A named range of client addresses. Allocation takes the lowest free address; a released address goes back.
 * Shared by the worker event loops: its methods are synchronized (sessions allocate and release at set-up and
 * tear-down only, never per packet). A replaced pool locks itself, then its successor, never the other way.
 */
public final class Ipv4Pool {
    private final String name;
    private final int first;
    private final int size;
    private final BitSet used;
    private int inUse;
    /** Set when a reload replaced this pool: addresses released here that the new pool also covers go there. */
    private volatile Ipv4Pool successor;

    public Ipv4Pool(String name, Inet4Address first, Inet4Address last) {
        this.name = name;
        this.first = Ipv4.toInt(first);
        long span = (Ipv4.toInt(last) & 0xffffffffL) - (this.first & 0xffffffffL) + 1;
        if (span <= 0 || span > (1 << 24)) throw new IllegalArgumentException("pool " + name + ": bad range " + first + "-" + last);
        this.size = (int) span;
        this.used = new BitSet(size);
    }

    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    public synchronized int inUse() {
        return inUse;
    }

    public boolean contains(int address) {
        long off = (address & 0xffffffffL) - (first & 0xffffffffL);
        return off >= 0 && off < size;
    }

    /** The lowest free address, or empty when the pool is exhausted. */
    public synchronized Optional<Integer> allocate() {
        int i = used.nextClearBit(0);
        if (i >= size) return Optional.empty();
        used.set(i);
        inUse++;
        return Optional.of(first + i);
    }

    /** Takes a specific address (e.g. one a RADIUS server assigned); false if taken or outside the pool. */
    public synchronized boolean allocate(int address) {
        if (!contains(address)) return false;
        int i = address - first;
        if (used.get(i)) return false;
        used.set(i);
        inUse++;
        return true;
    }

    public synchronized void release(int address) {
        if (successor != null && successor.contains(address)) successor.release(address);
        if (!contains(address)) return;
        int i = address - first;
        if (used.get(i)) {
            used.clear(i);
            inUse--;
        }
    }

    /**
     * A reload replaces this pool with {@code next}: every address allocated here that {@code next} covers is
     * reserved in it (the sessions holding them keep them), and releases later made here are passed on.
     */
    public synchronized void replaceWith(Ipv4Pool next) {
        for (int i = used.nextSetBit(0); i >= 0; i = used.nextSetBit(i + 1)) next.allocate(first + i);
        successor = next;
    }

    public synchronized boolean isAllocated(int address) {
        return contains(address) && used.get(address - first);
    }

    /** Registers {@code l2sec_pool_addresses{pool,state=used|total}} gauges. */
    public Ipv4Pool bindTo(MeterRegistry registry) {
        Gauge.builder("l2sec.pool.addresses", this, Ipv4Pool::inUse).tag("pool", name).tag("state", "used")
                .description("Client address pool size and usage").register(registry);
        Gauge.builder("l2sec.pool.addresses", this, Ipv4Pool::size).tag("pool", name).tag("state", "total")
                .description("Client address pool size and usage").register(registry);
        return this;
    }
}
