package net.l2sec.loadgen.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.util.OptionalInt;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.TcpMss;

/**
 * {@code --tcp-syn}: a TCP SYN (RFC 9293 section 3.1) as a host on a 1500-octet Ethernet sends it, MSS 1460, through
 * the tunnel, and the MSS of the SYN-ACK that comes back: what MSS clamping on the server's packet path changes.
 */
public final class TcpSyn {
    static final int PROTOCOL_TCP = 6;
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    public static final int MSS = 1460;

    private TcpSyn() {}

    /** SYN from {@code source}:{@code sourcePort} to {@code destination}:{@code port}: MSS 1460, NOP, window scale 7, SACK permitted, NOP, NOP. */
    public static ByteBuf syn(ByteBufAllocator alloc, Inet4Address source, int sourcePort, Inet4Address destination, int port, int isn) {
        int total = 20 + 32;
        ByteBuf b = PacketBuffers.allocate(alloc, total);
        int ip = b.writerIndex();
        b.writeByte(0x45).writeByte(0).writeShort(total).writeShort(isn & 0xffff).writeShort(0x4000)   // DF
                .writeByte(64).writeByte(PROTOCOL_TCP).writeShort(0)
                .writeBytes(source.getAddress()).writeBytes(destination.getAddress());
        b.setShort(ip + 10, Ipv4.headerChecksum(b, ip, 20));
        int tcp = b.writerIndex();
        b.writeShort(sourcePort).writeShort(port).writeInt(isn).writeInt(0).writeByte(8 << 4).writeByte(SYN)
                .writeShort(64240).writeShort(0).writeShort(0)
                .writeByte(2).writeByte(4).writeShort(MSS).writeByte(1).writeByte(3).writeByte(3).writeByte(7)
                .writeByte(4).writeByte(2).writeByte(1).writeByte(1);
        b.setShort(tcp + 16, checksum(b, ip, tcp, 32));
        return b;
    }

    /** The MSS option of the SYN-ACK in {@code packet} from {@code port}, or empty: not one, or none. Does not release it. */
    public static OptionalInt synAckMss(ByteBuf packet, int port) {
        if (!Ipv4.isWellFormed(packet)) return OptionalInt.empty();
        int r = packet.readerIndex();
        if (packet.getUnsignedByte(r + 9) != PROTOCOL_TCP) return OptionalInt.empty();
        int tcp = r + (packet.getUnsignedByte(r) & 0x0f) * 4;
        if (tcp + 20 > r + packet.getUnsignedShort(r + 2) || packet.getUnsignedShort(tcp) != port) return OptionalInt.empty();
        if ((packet.getUnsignedByte(tcp + 13) & (SYN | ACK)) != (SYN | ACK)) return OptionalInt.empty();
        int at = TcpMss.mssOffset(packet);
        return at < 0 ? OptionalInt.empty() : OptionalInt.of(packet.getUnsignedShort(at));
    }

    private static int checksum(ByteBuf b, int ip, int tcp, int length) {
        long sum = b.getUnsignedShort(ip + 12) + b.getUnsignedShort(ip + 14) + b.getUnsignedShort(ip + 16)
                + b.getUnsignedShort(ip + 18) + PROTOCOL_TCP + length;
        for (int i = 0; i < length; i += 2) sum += b.getUnsignedShort(tcp + i);
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }
}
