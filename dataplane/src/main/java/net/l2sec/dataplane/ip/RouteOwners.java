package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which worker event loop owns each client address (IPv4 address, IPv6 /64, delegated IPv6 prefix), across the workers' {@link ClientRoutes}: the TUN readers
 * look a packet's destination up here to hand it to the loop whose session sends it on, and a second session on
 * another loop cannot claim an address one already holds (a RADIUS-assigned address, say). Thread-safe; the
 * look-up is one read of a concurrent map.
 */
public final class RouteOwners {
    /** No worker owns the address. */
    public static final int NONE = -1;

    private final ConcurrentHashMap<Integer, Integer> owners = new ConcurrentHashMap<>();
    /** IPv6: by the upper 64 bits of a session's /64. */
    private final ConcurrentHashMap<Long, Integer> owners6 = new ConcurrentHashMap<>();
    /** Delegated prefixes (RFC 4818), checked for overlap; few, guarded by themselves. */
    private final Map<Ipv6Prefix, Integer> delegated = new HashMap<>();
    private volatile Map<Ipv6Prefix, Integer> delegatedView = Map.of();

    /** Records {@code worker} as the owner of {@code address}; false if a worker holds it already. */
    boolean claim(int address, int worker) {
        return owners.putIfAbsent(address, worker) == null;
    }

    /** Forgets {@code address} if {@code worker} still owns it. */
    void release(int address, int worker) {
        owners.remove(address, worker);
    }

    /** Records {@code worker} as the owner of the /64 {@code prefix64}; false if a worker holds it already. */
    boolean claim6(long prefix64, int worker) {
        return owners6.putIfAbsent(prefix64, worker) == null;
    }

    void release6(long prefix64, int worker) {
        owners6.remove(prefix64, worker);
    }

    /** Records a delegated prefix; false if it overlaps one already held. */
    boolean claimDelegated(Ipv6Prefix prefix, int worker) {
        synchronized (delegated) {
            for (Ipv6Prefix p : delegated.keySet()) {
                int shorter = Math.min(p.length(), prefix.length());
                if (((p.high() ^ prefix.high()) & Ipv6Prefix.mask(shorter)) == 0) return false;
            }
            delegated.put(prefix, worker);
            delegatedView = Map.copyOf(delegated);
            return true;
        }
    }

    void releaseDelegated(Ipv6Prefix prefix, int worker) {
        synchronized (delegated) {
            if (delegated.remove(prefix, worker)) delegatedView = Map.copyOf(delegated);
        }
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
        if (packet.readableBytes() >= Ipv6.HEADER && Ipv6.version(packet) == 6) return ownerOf6(Ipv6.destinationHigh(packet));
        if (packet.readableBytes() < 20 || (packet.getUnsignedByte(at) >>> 4) != 4) return NONE;
        return ownerOf(packet.getInt(at + 16));
    }

    /** The worker that owns the /64 of the IPv6 address whose upper 64 bits are {@code high}, or its delegated prefix. */
    public int ownerOf6(long high) {
        Integer w = owners6.get(high);
        if (w != null) return w;
        Map<Ipv6Prefix, Integer> d = delegatedView;
        if (d.isEmpty()) return NONE;
        for (Map.Entry<Ipv6Prefix, Integer> e : d.entrySet()) if (e.getKey().contains(high)) return e.getValue();
        return NONE;
    }

    /** Addresses, /64s and delegated prefixes owned now. */
    public int size() {
        return owners.size() + owners6.size() + delegatedView.size();
    }
}
