package net.l2sec.dataplane.ip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.List;

/**
 * Which PPP session owns which client address: packets read from the TUN device are delivered by destination.
 * One per worker event loop and confined to it; the workers' routes share one {@link RouteOwners}, which says
 * which worker a packet from the TUN device goes to and keeps one address to one session across workers.
 */
public final class ClientRoutes {
    /** By assigned IPv4 address; primitive keys, so the per-packet lookup boxes nothing. */
    private final IntObjectMap<IpSink> byAddress = new IntObjectHashMap<>();
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
                .description("IPv4 packets dropped on the packet path, by direction and reason").register(registry);
        this.malformed = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "malformed")
                .description("IPv4 packets dropped on the packet path, by direction and reason").register(registry);
        this.notIpv4 = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "not_ipv4")
                .description("IPv4 packets dropped on the packet path, by direction and reason").register(registry);
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

    public int size() {
        return byAddress.size();
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
}
