package net.l2sec.loadgen.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import net.l2sec.dataplane.PacketBuffers;

/**
 * IPv4 ICMP Echo Request and Reply (RFC 792) built and read by hand: a 20-octet IPv4 header (RFC 791) and the ICMP
 * message, whose data starts with the send time in nanoseconds (8 octets) so a reply carries its own RTT.
 */
public final class IcmpEcho {
    public static final int IPV4_HEADER = 20;
    public static final int ICMP_HEADER = 8;
    /** The smallest packet we send: headers and the timestamp. */
    public static final int MIN_SIZE = IPV4_HEADER + ICMP_HEADER + 8;
    static final int PROTOCOL_ICMP = 1;
    static final int ECHO_REPLY = 0;
    static final int ECHO_REQUEST = 8;

    /** A received echo reply: who answered, our identifier and sequence number, when the request was sent. */
    public record Reply(int source, int identifier, int sequence, long sentNanos) {}

    private IcmpEcho() {}

    /** An Echo Request of {@code size} octets (IPv4 header included) in a buffer with room for PPP, L2TP and ESP. */
    public static ByteBuf request(ByteBufAllocator alloc, Inet4Address source, Inet4Address destination, int identifier,
                                  int sequence, int size, long nowNanos) {
        int total = Math.max(size, MIN_SIZE);
        ByteBuf b = PacketBuffers.allocate(alloc, total);
        int at = b.writerIndex();
        b.writeByte(0x45).writeByte(0).writeShort(total).writeShort(sequence).writeShort(0)   // no fragmentation flags
                .writeByte(64).writeByte(PROTOCOL_ICMP).writeShort(0)
                .writeBytes(source.getAddress()).writeBytes(destination.getAddress());
        b.setShort(at + 10, checksum(b, at, IPV4_HEADER));
        int icmp = b.writerIndex();
        b.writeByte(ECHO_REQUEST).writeByte(0).writeShort(0).writeShort(identifier).writeShort(sequence).writeLong(nowNanos);
        for (int i = MIN_SIZE; i < total; i++) b.writeByte(i);
        b.setShort(icmp + 2, checksum(b, icmp, total - IPV4_HEADER));
        return b;
    }

    /**
     * The Echo Reply in {@code packet} (an IPv4 packet at the reader index), or null when it is something else or
     * its checksums are wrong. Does not release {@code packet}.
     */
    public static Reply reply(ByteBuf packet) {
        int at = packet.readerIndex();
        int n = packet.readableBytes();
        if (n < IPV4_HEADER) return null;
        int first = packet.getUnsignedByte(at);
        int ihl = (first & 0x0f) * 4;
        int total = packet.getUnsignedShort(at + 2);
        if (first >> 4 != 4 || ihl < IPV4_HEADER || total > n || total < ihl + ICMP_HEADER + 8) return null;
        if (packet.getUnsignedByte(at + 9) != PROTOCOL_ICMP || (packet.getUnsignedShort(at + 6) & 0x3fff) != 0) return null;
        if (checksum(packet, at, ihl) != 0) return null;
        int icmp = at + ihl;
        if (packet.getUnsignedByte(icmp) != ECHO_REPLY || checksum(packet, icmp, total - ihl) != 0) return null;
        return new Reply(packet.getInt(at + 12), packet.getUnsignedShort(icmp + 4), packet.getUnsignedShort(icmp + 6),
                packet.getLong(icmp + 8));
    }

    /** The Internet checksum (RFC 1071) of {@code length} octets from {@code from}; 0 over a correct one. */
    static int checksum(ByteBuf b, int from, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) sum += b.getUnsignedShort(from + i);
        if (i < length) sum += b.getUnsignedByte(from + i) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }
}
