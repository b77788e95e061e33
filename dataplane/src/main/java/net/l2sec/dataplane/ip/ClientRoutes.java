package net.l2sec.dataplane.ip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.List;

/**
 * Which PPP session owns which client address: packets read from the TUN device are delivered by destination.
 * Confined to the dataplane event loop.
 */
public final class ClientRoutes {
    /** By assigned IPv4 address; primitive keys, so the per-packet lookup boxes nothing. */
    private final IntObjectMap<IpSink> byAddress = new IntObjectHashMap<>();
    private final Counter noRoute;
    private final Counter malformed;
    private final Counter notIpv4;

    public ClientRoutes(MeterRegistry registry) {
        this.noRoute = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "no_session")
                .description("IPv4 packets dropped on the packet path, by direction and reason").register(registry);
        this.malformed = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "malformed")
                .description("IPv4 packets dropped on the packet path, by direction and reason").register(registry);
        this.notIpv4 = Counter.builder("l2sec.ip.dropped").tag("direction", "to_client").tag("reason", "not_ipv4")
                .description("IPv4 packets dropped on the packet path, by direction and reason").register(registry);
    }

    /** Installs the route for {@code address}; returns false if another session already holds it. */
    public boolean register(int address, IpSink sink) {
        return byAddress.putIfAbsent(address, sink) == null;
    }

    /** Removes the route only if {@code sink} still owns it. */
    public void unregister(int address, IpSink sink) {
        byAddress.remove(address, sink);
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
