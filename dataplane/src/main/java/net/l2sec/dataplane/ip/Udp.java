package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;
import net.l2sec.dataplane.PacketBuffers;

/** UDP in IPv4 (RFC 768) as the packet path needs it: recognise a datagram to a port, check it, build one. */
public final class Udp {
    public static final int PROTOCOL = 17;
    public static final int HEADER = 8;

    private Udp() {}

    /**
     * True when {@code packet} (well-formed, {@link Ipv4#isWellFormed}) is a UDP datagram to {@code port}, whole
     * (not a fragment) and long enough for its UDP header.
     */
    public static boolean isTo(ByteBuf packet, int port) {
        int r = packet.readerIndex();
        if (packet.getUnsignedByte(r + 9) != PROTOCOL) return false;
        if ((packet.getUnsignedShort(r + 6) & 0x3fff) != 0) return false;       // MF or an offset: a fragment
        int udp = r + ihl(packet);
        if (udp + HEADER > r + packet.getUnsignedShort(r + 2)) return false;
        return packet.getUnsignedShort(udp + 2) == port;
    }

    /**
     * The absolute index of the payload of the UDP datagram {@code packet} ({@link #isTo} held), or -1 when its UDP
     * length does not fit the IP packet or its checksum (when not zero, RFC 768) is wrong. The payload ends at
     * {@code index + }{@link #payloadLength}.
     */
    public static int checkedPayload(ByteBuf packet) {
        int r = packet.readerIndex();
        int udp = r + ihl(packet);
        int ipEnd = r + packet.getUnsignedShort(r + 2);
        int length = packet.getUnsignedShort(udp + 4);
        if (length < HEADER || udp + length > ipEnd) return -1;
        if (packet.getUnsignedShort(udp + 6) != 0 && checksum(packet, udp, length) != 0) return -1;
        return udp + HEADER;
    }

    public static int payloadLength(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + ihl(packet) + 4) - HEADER;
    }

    /**
     * A new IPv4 packet (20-octet header, TTL 64, DF clear) carrying a UDP datagram whose {@code payloadLength}
     * octets {@code payload} writes, with both checksums; in a buffer with {@link PacketBuffers} head- and tailroom.
     */
    public static ByteBuf datagram(ByteBufAllocator alloc, int source, int destination, int sourcePort, int destinationPort,
                                   int payloadLength, Consumer<ByteBuf> payload) {
        int total = Ipv4.MIN_HEADER + HEADER + payloadLength;
        ByteBuf b = PacketBuffers.allocate(alloc, total);
        int ip = b.writerIndex();
        b.writeByte(0x45).writeByte(0).writeShort(total).writeShort(0).writeShort(0)
                .writeByte(64).writeByte(PROTOCOL).writeShort(0).writeInt(source).writeInt(destination);
        b.setShort(ip + 10, Ipv4.headerChecksum(b, ip, Ipv4.MIN_HEADER));
        int udp = b.writerIndex();
        b.writeShort(sourcePort).writeShort(destinationPort).writeShort(HEADER + payloadLength).writeShort(0);
        payload.accept(b);
        if (b.writerIndex() != udp + HEADER + payloadLength) {
            b.release();
            throw new IllegalStateException("payload wrote " + (b.writerIndex() - udp - HEADER) + " octets, not " + payloadLength);
        }
        int c = checksum(b, udp, HEADER + payloadLength);
        b.setShort(udp + 6, c == 0 ? 0xffff : c);                                 // RFC 768: a computed zero is sent as ones
        return b;
    }

    /** RFC 768: the one's complement sum over the pseudo-header (from the IPv4 header in front) and the datagram. */
    static int checksum(ByteBuf packet, int udp, int length) {
        int r = packet.readerIndex();
        long sum = packet.getUnsignedShort(r + 12) + packet.getUnsignedShort(r + 14) + packet.getUnsignedShort(r + 16)
                + packet.getUnsignedShort(r + 18) + PROTOCOL + length;
        int i = 0;
        for (; i + 1 < length; i += 2) sum += packet.getUnsignedShort(udp + i);
        if (i < length) sum += packet.getUnsignedByte(udp + i) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    private static int ihl(ByteBuf packet) {
        return (packet.getUnsignedByte(packet.readerIndex()) & 0x0f) * 4;
    }
}
