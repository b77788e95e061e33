package net.l2sec.dataplane.ip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.util.ArrayList;
import java.util.List;

/**
 * Which PPP session owns which client address: packets read from the TUN device are delivered by destination, an
 * IPv4 packet by its address, an IPv6 packet by its /64 (the session's SLAAC prefix) or, failing that, by the
 * delegated prefix (RFC 4818) that covers it.
 * One per worker event loop and confined to it; the workers' routes share one {@link RouteOwners}, which says
 * which worker a packet from the TUN device goes to and keeps one address to one session across workers.
 */
public final class ClientRoutes {
    /** By assigned IPv4 address; primitive keys, so the per-packet lookup boxes nothing. */
    private final IntObjectMap<IpSink> byAddress = new IntObjectHashMap<>();
    /** By the upper 64 bits of a session's /64. */
    private final LongObjectMap<IpSink> byPrefix64 = new LongObjectHashMap<>();
    /** Delegated prefixes (few: one per session that has one), searched when no /64 matches. */
    private final List<Delegated> delegated = new ArrayList<>();
    private final Counter noRoute;
    private final Counter malformed;
    private final Counter notIpv4;

    private final RouteOwners owners;
    private final int worker;

    /** The routes of a single event loop. */
    public ClientRoutes(MeterRegistry registry) {
        this(registry, new RouteOwners(), 0);
    }

    /** The routes of worker {@code worker}, recorded in {@code owners} too. */
    public ClientRoutes(MeterRegistry registry, RouteOwners owners, int worker) {
        this.owners = owners;
        this.worker = worker;
        this.noRoute = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "no_session")
                .description("IP packets dropped on the packet path, by direction and reason").register(registry);
        this.malformed = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "malformed")
                .description("IP packets dropped on the packet path, by direction and reason").register(registry);
        this.notIpv4 = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "not_ipv4")
                .description("IP packets dropped on the packet path, by direction and reason").register(registry);
    }

    /** Installs the route for {@code address}; returns false if another session already holds it. */
    public boolean register(int address, IpSink sink) {
        if (!owners.claim(address, worker)) return false;
        byAddress.put(address, sink);
        return true;
    }

    /** Removes the route only if {@code sink} still owns it. */
    public void unregister(int address, IpSink sink) {
        if (byAddress.remove(address, sink)) owners.release(address, worker);
    }

    /** Installs the route for the /64 {@code prefix64} (upper 64 bits); false if another session holds it. */
    public boolean register6(long prefix64, IpSink sink) {
        if (!owners.claim6(prefix64, worker)) return false;
        byPrefix64.put(prefix64, sink);
        return true;
    }

    /** Removes the /64 route only if {@code sink} still owns it. */
    public void unregister6(long prefix64, IpSink sink) {
        if (byPrefix64.remove(prefix64, sink)) owners.release6(prefix64, worker);
    }

    /**
     * Installs the route for a delegated prefix (RFC 4818: the client routes it on behind itself); false if it
     * overlaps one another session holds.
     */
    public boolean registerDelegated(Ipv6Prefix prefix, IpSink sink) {
        if (!owners.claimDelegated(prefix, worker)) return false;
        delegated.add(new Delegated(prefix, sink));
        return true;
    }

    public void unregisterDelegated(Ipv6Prefix prefix, IpSink sink) {
        if (delegated.removeIf(d -> d.prefix.equals(prefix) && d.sink == sink)) owners.releaseDelegated(prefix, worker);
    }

    private record Delegated(Ipv6Prefix prefix, IpSink sink) {}

    /** IPv4 addresses, /64s and delegated prefixes routed. */
    public int size() {
        return byAddress.size() + byPrefix64.size() + delegated.size();
    }

    /**
     * {@link #deliver}s each packet of a batch read from the TUN device, in order: one hand-off to the event loop
     * for a whole burst.
     */
    public void deliverAll(List<ByteBuf> batch) {
        for (int i = 0; i < batch.size(); i++) deliver(batch.get(i));
    }

    /** Delivers a packet from the network to the session owning its destination, or drops and counts it. */
    public void deliver(ByteBuf packet) {
        if (Ipv6.version(packet) == 6) {
            deliver6(packet);
            return;
        }
        if (!Ipv4.isWellFormed(packet)) {
            (packet.isReadable() && (packet.getUnsignedByte(packet.readerIndex()) >>> 4) != 4 ? notIpv4 : malformed).increment();
            packet.release();
            return;
        }
        IpSink sink = byAddress.get(Ipv4.destination(packet));
        if (sink == null) {
            noRoute.increment();
            packet.release();
            return;
        }
        sink.sendIp(packet);
    }

    private void deliver6(ByteBuf packet) {
        if (!Ipv6.isWellFormed(packet)) {
            malformed.increment();
            packet.release();
            return;
        }
        long high = Ipv6.destinationHigh(packet);
        IpSink sink = byPrefix64.get(high);
        if (sink == null) {
            for (int i = 0; i < delegated.size(); i++) {
                if (delegated.get(i).prefix.contains(high)) {
                    sink = delegated.get(i).sink;
                    break;
                }
            }
        }
        if (sink == null) {
            noRoute.increment();
            packet.release();
            return;
        }
        sink.sendIp(packet);
    }
}
