package net.l2sec.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Headroom and tailroom for packets on their way to a client, as Linux's {@code skb_push}/{@code skb_put}: a
 * packet from the TUN device sits in a buffer with {@link #HEADROOM} free octets in front of its reader index and
 * {@link #TAILROOM} free octets behind its writer index. PPP, L2TP, the inner UDP header and ESP each write their
 * header in front of the reader index and move it back ({@link #prepend}); ESP encrypts in place and appends
 * padding, trailer and ICV in the tailroom. The IP packet is copied at most once on the whole way (when the buffer
 * it arrives in cannot be written: too little headroom, shared, derived or read-only).
 *
 * <p>Contract of every layer that takes such a buffer ({@link PppLink#send}, {@code L2tpTransport.send},
 * {@code IpSink.sendIp}): ownership passes, and the buffer may be written in front of its reader index and
 * behind its writer index. A caller that must keep its bytes intact passes a retained (shared) buffer, which the
 * layers never write into.
 */
public final class PacketBuffers {
    /**
     * Octets reserved in front of a packet: PPP (4) + L2TP data header (at most 12) + inner UDP (8) + ESP SPI and
     * sequence number (8) + IV (at most 16) = 48, rounded up generously (an outer IP/UDP header could follow).
     */
    public static final int HEADROOM = 128;
    /** Octets reserved behind a packet: ESP padding (at most 15) + Pad Length and Next Header (2) + ICV (at most 32). */
    public static final int TAILROOM = 64;

    private PacketBuffers() {}

    /**
     * A new buffer for a packet of {@code length} octets from {@code alloc} (heap: the JCE works on arrays without
     * temporary copies), empty, with its reader and writer index at {@link #HEADROOM} and at least
     * {@link #TAILROOM} octets of room behind {@code length}.
     */
    public static ByteBuf allocate(ByteBufAllocator alloc, int length) {
        ByteBuf b = alloc.heapBuffer(HEADROOM + length + TAILROOM);
        return b.setIndex(HEADROOM, HEADROOM);
    }

    /**
     * True when {@code packet} may be written outside its readable bytes: one contiguous, writable region of memory
     * (not read-only, not a composite) held by no one else. That is, it and every buffer it wraps
     * ({@link ByteBuf#unwrap()}) have reference count 1 and span the same memory: a leak detector's wrapper passes,
     * a slice (narrower) does not, nor a retained slice or duplicate whose parent someone else still holds.
     */
    public static boolean writable(ByteBuf packet) {
        if (packet.refCnt() != 1 || packet.isReadOnly() || packet instanceof CompositeByteBuf) return false;
        ByteBuf inner = packet.unwrap();
        if (inner == null) return packet.hasArray() || packet.nioBufferCount() == 1; // the common case: a pooled buffer
        if (packet.nioBufferCount() != 1) return false;
        for (ByteBuf b = inner; b != null; b = b.unwrap()) {
            if (b.refCnt() != 1 || !sameMemory(packet, b)) return false;
        }
        return true;
    }

    private static boolean sameMemory(ByteBuf a, ByteBuf b) {
        if (a == b) return true;
        if (a.capacity() != b.capacity()) return false;
        if (a.hasArray() && b.hasArray()) return a.array() == b.array() && a.arrayOffset() == b.arrayOffset();
        return a.hasMemoryAddress() && b.hasMemoryAddress() && a.memoryAddress() == b.memoryAddress();
    }

    /**
     * Makes room for {@code headerLength} octets in front of the packet and returns the buffer that holds the
     * packet now, with its reader index at the start of that (unwritten) room: the same buffer when it is
     * {@link #writable} and has the headroom and {@code tailroom} octets of room behind it, else a new one from the
     * packet's allocator (with {@link #HEADROOM} and {@link #TAILROOM} more) holding a copy, and then
     * {@code packet} is released. Ownership passes in either case; on an exception the packet is released.
     */
    public static ByteBuf prepend(ByteBuf packet, int headerLength, int tailroom) {
        if (!writable(packet) || packet.readerIndex() < headerLength || packet.maxFastWritableBytes() < tailroom) {
            packet = copy(packet, headerLength, tailroom);
        } else if (packet.writableBytes() < tailroom) {
            packet.ensureWritable(tailroom); // within the memory already held (maxFastWritableBytes): no copy
        }
        return packet.readerIndex(packet.readerIndex() - headerLength);
    }

    /** {@link #prepend(ByteBuf, int, int)} with no tailroom needed. */
    public static ByteBuf prepend(ByteBuf packet, int headerLength) {
        return prepend(packet, headerLength, 0);
    }

    private static ByteBuf copy(ByteBuf packet, int headerLength, int tailroom) {
        try {
            int length = packet.readableBytes();
            int front = Math.max(HEADROOM, headerLength);
            ByteBuf b = packet.alloc().heapBuffer(front + length + Math.max(TAILROOM, tailroom));
            b.setIndex(front, front).writeBytes(packet, packet.readerIndex(), length);
            return b;
        } finally {
            packet.release();
        }
    }
}
