package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which worker event loop owns each client address, across the workers' {@link ClientRoutes}: the TUN readers
 * look a packet's destination up here to hand it to the loop whose session sends it on, and a second session on
 * another loop cannot claim an address one already holds (a RADIUS-assigned address, say). Thread-safe; the
 * look-up is one read of a concurrent map.
 */
public final class RouteOwners {
    /** No worker owns the address. */
    public static final int NONE = -1;

    private final ConcurrentHashMap<Integer, Integer> owners = new ConcurrentHashMap<>();

    /** Records {@code worker} as the owner of {@code address}; false if a worker holds it already. */
    boolean claim(int address, int worker) {
        return owners.putIfAbsent(address, worker) == null;
    }

    /** Forgets {@code address} if {@code worker} still owns it. */
    void release(int address, int worker) {
        owners.remove(address, worker);
    }

    /** The worker that owns {@code address}, or {@link #NONE}. */
    public int ownerOf(int address) {
        Integer w = owners.get(address);
        return w == null ? NONE : w;
    }

    /**
     * The worker that owns the destination of the IPv4 packet {@code packet} (not consumed), or {@link #NONE} when
     * none does or the packet is too short or not IPv4 (the owner of the drop then counts it).
     */
    public int ownerOfDestination(ByteBuf packet) {
        int at = packet.readerIndex();
        if (packet.readableBytes() < 20 || (packet.getUnsignedByte(at) >>> 4) != 4) return NONE;
        return ownerOf(packet.getInt(at + 16));
    }

    /** Addresses owned now. */
    public int size() {
        return owners.size();
    }
}
