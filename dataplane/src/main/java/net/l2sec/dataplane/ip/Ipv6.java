package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv6 header fields the packet path needs (RFC 8200 section 3), read without copying. An address is handled as
 * two longs: its upper 64 bits (the /64 prefix) and its lower 64 bits (the interface identifier, RFC 4291
 * section 2.5.1).
 */
public final class Ipv6 {
    public static final int HEADER = 40;
    /** Next Header value of ICMPv6 (RFC 4443). */
    public static final int NEXT_HEADER_ICMPV6 = 58;
    /** fe80::/64, the link-local prefix (RFC 4291 section 2.5.6), as the upper 64 bits. */
    public static final long LINK_LOCAL_PREFIX = 0xfe80_0000_0000_0000L;
    /** ff02::1, all-nodes on the link (RFC 4291 section 2.7.1). */
    public static final long ALL_NODES_HIGH = 0xff02_0000_0000_0000L;
    public static final long ALL_NODES_LOW = 1L;
    /** ff02::2, all-routers on the link. */
    public static final long ALL_ROUTERS_LOW = 2L;

    private Ipv6() {}

    /** True when {@code packet} holds a version-6 header whose Payload Length fits the buffer. */
    public static boolean isWellFormed(ByteBuf packet) {
        int n = packet.readableBytes();
        if (n < HEADER) return false;
        int r = packet.readerIndex();
        if ((packet.getUnsignedByte(r) >>> 4) != 6) return false;
        return HEADER + packet.getUnsignedShort(r + 4) <= n;
    }

    /** The IP version nibble of the packet at the reader index; -1 when the buffer is empty. */
    public static int version(ByteBuf packet) {
        return packet.isReadable() ? packet.getUnsignedByte(packet.readerIndex()) >>> 4 : -1;
    }

    public static int payloadLength(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + 4);
    }

    public static int nextHeader(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex() + 6);
    }

    public static int hopLimit(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex() + 7);
    }

    public static long sourceHigh(ByteBuf packet) {
        return packet.getLong(packet.readerIndex() + 8);
    }

    public static long sourceLow(ByteBuf packet) {
        return packet.getLong(packet.readerIndex() + 16);
    }

    public static long destinationHigh(ByteBuf packet) {
        return packet.getLong(packet.readerIndex() + 24);
    }

    public static long destinationLow(ByteBuf packet) {
        return packet.getLong(packet.readerIndex() + 32);
    }

    /** fe80::/10 (RFC 4291 section 2.5.6). */
    public static boolean isLinkLocal(long high) {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    /** ff00::/8 (RFC 4291 section 2.7). */
    public static boolean isMulticast(long high) {
        return (high >>> 56) == 0xffL;
    }

    public static long high(Inet6Address a) {
        return toLong(a.getAddress(), 0);
    }

    public static long low(Inet6Address a) {
        return toLong(a.getAddress(), 8);
    }

    static long toLong(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) v = (v << 8) | (b[i] & 0xff);
        return v;
    }

    public static byte[] toBytes(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    public static Inet6Address address(long high, long low) {
        try {
            return (Inet6Address) InetAddress.getByAddress(toBytes(high, low));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The compressed text form (RFC 5952), as {@code ip -6 addr} prints it. */
    public static String text(long high, long low) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            g[4 + i] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestAt = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            s.append(Integer.toHexString(g[i]));
            if (i < 7) s.append(':');
        }
        return s.toString();
    }

    public static String text(Inet6Address a) {
        return text(high(a), low(a));
    }
}
