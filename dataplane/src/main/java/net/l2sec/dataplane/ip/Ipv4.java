package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 header fields the packet path needs (RFC 791), read without copying. */
public final class Ipv4 {
    public static final int MIN_HEADER = 20;

    private Ipv4() {}

    /** True when {@code packet} holds at least a version-4 header whose IHL and total length fit the buffer. */
    public static boolean isWellFormed(ByteBuf packet) {
        int n = packet.readableBytes();
        if (n < MIN_HEADER) return false;
        int r = packet.readerIndex();
        int vihl = packet.getUnsignedByte(r);
        if ((vihl >>> 4) != 4) return false;
        int ihl = (vihl & 0x0f) * 4;
        if (ihl < MIN_HEADER) return false;
        int total = packet.getUnsignedShort(r + 2);
        return total >= ihl && total <= n;
    }

    /** Source address as a 32-bit int (network order value). Caller checked {@link #isWellFormed}. */
    public static int source(ByteBuf packet) {
        return packet.getInt(packet.readerIndex() + 12);
    }

    /** Destination address as a 32-bit int. Caller checked {@link #isWellFormed}. */
    public static int destination(ByteBuf packet) {
        return packet.getInt(packet.readerIndex() + 16);
    }

    /** The IPv4 header checksum (RFC 791, RFC 1071) of the {@code length}-octet header at {@code from}, its field taken as 0. */
    public static int headerChecksum(ByteBuf packet, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) if (i != 10) sum += packet.getUnsignedShort(from + i);
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    public static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
