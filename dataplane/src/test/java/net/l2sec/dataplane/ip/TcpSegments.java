package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Crafted IPv4/TCP packets for tests, with checksums computed here from scratch (RFC 9293 section 3.1, RFC 1071). */
public final class TcpSegments {
    public static final int SYN = 0x02;
    public static final int ACK = 0x10;

    private TcpSegments() {}

    /** A TCP segment from {@code src}:40000 to {@code dst}:443 with {@code flags} and raw {@code options} (padded to 4). */
    public static ByteBuf segment(int src, int dst, int flags, byte[] options) {
        int optionLength = (options.length + 3) / 4 * 4;
        int tcpLength = 20 + optionLength;
        int total = 20 + tcpLength;
        ByteBuf b = Unpooled.buffer(total);
        b.writeByte(0x45).writeByte(0).writeShort(total).writeShort(0x1234).writeShort(0x4000)
                .writeByte(64).writeByte(6).writeShort(0).writeInt(src).writeInt(dst);
        b.setShort(10, checksum(b, 0, 20, 0));
        b.writeShort(40000).writeShort(443).writeInt(0x01020304).writeInt(flags == SYN ? 0 : 0x0a0b0c0d)
                .writeByte(tcpLength / 4 << 4).writeByte(flags).writeShort(64240).writeShort(0).writeShort(0);
        b.writeBytes(options);
        for (int i = options.length; i < optionLength; i++) b.writeByte(0);
        b.setShort(36, tcpChecksum(b));
        return b;
    }

    /**
     * An IPv6 TCP segment from 2001:db8:99:1::{@code srcLow}:40000 to 2001:db8::1:443 with {@code flags} and raw
     * {@code options} (padded to 4), its TCP checksum over the IPv6 pseudo-header (RFC 8200 section 8.1).
     */
    public static ByteBuf segment6(long srcLow, int flags, byte[] options) {
        int optionLength = (options.length + 3) / 4 * 4;
        int tcpLength = 20 + optionLength;
        ByteBuf b = Unpooled.buffer(40 + tcpLength);
        b.writeInt(0x6000_0000).writeShort(tcpLength).writeByte(6).writeByte(64)
                .writeLong(0x2001_0db8_0099_0001L).writeLong(srcLow).writeLong(0x2001_0db8_0000_0000L).writeLong(1);
        b.writeShort(40000).writeShort(443).writeInt(0x01020304).writeInt(flags == SYN ? 0 : 0x0a0b0c0d)
                .writeByte(tcpLength / 4 << 4).writeByte(flags).writeShort(64240).writeShort(0).writeShort(0);
        b.writeBytes(options);
        for (int i = options.length; i < optionLength; i++) b.writeByte(0);
        b.setShort(40 + 16, tcpChecksum6(b));
        return b;
    }

    /** The TCP checksum of the IPv6 packet at index 0 of {@code b} (no extension headers), from scratch. */
    public static int tcpChecksum6(ByteBuf b) {
        int tcpLength = b.getUnsignedShort(4);
        long pseudo = 6 + tcpLength;
        for (int i = 8; i < 40; i += 2) pseudo += b.getUnsignedShort(i);
        ByteBuf copy = b.copy(40, tcpLength);
        copy.setShort(16, 0);
        int c = checksum(copy, 0, tcpLength, pseudo);
        copy.release();
        return c;
    }

    /** The options of a typical SYN: MSS {@code mss}, SACK permitted, timestamps, NOP, window scale. */
    public static byte[] typicalOptions(int mss) {
        return new byte[] {2, 4, (byte) (mss >>> 8), (byte) mss, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    }

    /** The TCP checksum of the IPv4 packet at index 0 of {@code b}, computed over the whole segment with its field as 0. */
    public static int tcpChecksum(ByteBuf b) {
        int ihl = (b.getUnsignedByte(0) & 0x0f) * 4;
        int total = b.getUnsignedShort(2);
        int tcpLength = total - ihl;
        long pseudo = (b.getUnsignedShort(12) + b.getUnsignedShort(14) + b.getUnsignedShort(16) + b.getUnsignedShort(18)
                + 6 + tcpLength);
        ByteBuf copy = b.copy(ihl, tcpLength);
        copy.setShort(16, 0);
        int c = checksum(copy, 0, tcpLength, pseudo);
        copy.release();
        return c;
    }

    /** RFC 1071 over {@code length} octets from {@code from}, starting from {@code initial}. */
    public static int checksum(ByteBuf b, int from, int length, long initial) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < length; i += 2) sum += b.getUnsignedShort(from + i);
        if (i < length) sum += b.getUnsignedByte(from + i) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    /** The MSS option value, or -1. */
    public static int mss(ByteBuf b) {
        int at = TcpMss.mssOffset(b);
        return at < 0 ? -1 : b.getUnsignedShort(at);
    }
}
