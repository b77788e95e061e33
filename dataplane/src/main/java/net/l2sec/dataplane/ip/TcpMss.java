package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;

/**
 * TCP MSS clamping: the Maximum Segment Size option (RFC 9293 section 3.7.1) of a SYN or SYN-ACK lowered, in place,
 * to what the tunnel carries without fragmentation, so that the two ends never send segments too large for it even
 * where ICMP "fragmentation needed" is filtered (the "some sites hang" of path-MTU discovery blocked, RFC 2923
 * section 2.1). The MSS is only ever lowered. A SYN without the option is left alone: RFC 9293 section 3.7.1 has
 * its receiver assume 536 for IPv4, at or below any clamp we apply (the smallest, from a 576-octet MTU, is 536).
 * The TCP checksum is updated incrementally (RFC 1624 equation 3).
 *
 * <p>IPv4, and IPv6 whose TCP header follows the fixed header directly (no extension headers: a SYN with them passes
 * as it is). For IPv6 the headers take 60 octets, so its limit is 20 lower for the same MTU ({@link #HEADERS_IPV6});
 * a SYN without the option is assumed 1220 there (RFC 9293 section 3.7.1, from IPv6's 1280-octet minimum MTU),
 * below any clamp from a 1280-octet MTU or more.
 */
public final class TcpMss {
    static final int PROTOCOL_TCP = 6;
    static final int TCP_HEADER = 20;
    static final int SYN = 0x02;
    static final int OPTION_END = 0;
    static final int OPTION_NOP = 1;
    static final int OPTION_MSS = 2;
    static final int MSS_LENGTH = 4;
    /** IPv4 (20) and TCP (20) headers without options: the MSS for an MTU is the MTU less this (RFC 9293 3.7.1). */
    public static final int HEADERS = 40;
    /** IPv6 (40) and TCP (20) headers without options. */
    public static final int HEADERS_IPV6 = 60;

    private TcpMss() {}

    /**
     * Lowers the MSS option of the TCP SYN in {@code packet} (a well-formed IPv4 or IPv6 packet at the reader index,
     * see {@link Ipv4#isWellFormed}, {@link Ipv6#isWellFormed}) to {@code limit} when it is larger, and fixes the TCP
     * checksum. Returns true when it
     * changed the packet; false for anything else (not TCP, not a first fragment, not a SYN, no MSS option, an MSS
     * at or below the limit, options that do not parse: those are passed as they are, not our business to judge).
     * Writes into {@code packet}'s readable bytes: the caller makes sure no one else sees them.
     */
    public static boolean clamp(ByteBuf packet, int limit) {
        int at = mssOffset(packet);
        if (at < 0) return false;
        int mss = packet.getUnsignedShort(at);
        if (mss <= limit) return false;
        int tcp = tcpStart(packet);
        int checksumAt = tcp + 16;
        // the one's complement sum runs over 16-bit words from the TCP header's start (an even offset in the
        // pseudo-header sum); an option value at an odd offset straddles two words and enters the sum byte-swapped
        boolean odd = ((at - tcp) & 1) == 1;
        int oldWord = odd ? swap(mss) : mss;
        int newWord = odd ? swap(limit) : limit;
        packet.setShort(at, limit);
        packet.setShort(checksumAt, updateChecksum(packet.getUnsignedShort(checksumAt), oldWord, newWord));
        return true;
    }

    /**
     * The absolute index of the MSS option's value in the TCP SYN in {@code packet}, or -1: not TCP, a later
     * fragment, too short, not a SYN, no MSS option, or options that do not parse.
     */
    public static int mssOffset(ByteBuf packet) {
        int r = packet.readerIndex();
        int tcp = tcpStart(packet);
        if (tcp < 0) return -1;
        int end = packet.getUnsignedByte(r) >>> 4 == 6 ? r + Ipv6.HEADER + packet.getUnsignedShort(r + 4)
                : r + packet.getUnsignedShort(r + 2);
        if (tcp + TCP_HEADER > end) return -1;
        if ((packet.getUnsignedByte(tcp + 13) & SYN) == 0) return -1;
        int dataOffset = (packet.getUnsignedByte(tcp + 12) >>> 4) * 4;
        if (dataOffset < TCP_HEADER || tcp + dataOffset > end) return -1;
        int optionsEnd = tcp + dataOffset;
        // RFC 9293 section 3.1: options are End of Option List, No-Operation, or kind, length, data
        for (int i = tcp + TCP_HEADER; i < optionsEnd; ) {
            int kind = packet.getUnsignedByte(i);
            if (kind == OPTION_END) return -1;
            if (kind == OPTION_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= optionsEnd) return -1;
            int length = packet.getUnsignedByte(i + 1);
            if (length < 2 || i + length > optionsEnd) return -1;
            if (kind == OPTION_MSS) return length == MSS_LENGTH ? i + 2 : -1;
            i += length;
        }
        return -1;
    }

    /**
     * Where the TCP header of {@code packet} starts: after IPv4's header (a first fragment), or after IPv6's fixed
     * header when its Next Header is TCP; -1 otherwise.
     */
    private static int tcpStart(ByteBuf packet) {
        int r = packet.readerIndex();
        if (packet.getUnsignedByte(r) >>> 4 == 6) {
            return packet.getUnsignedByte(r + 6) == PROTOCOL_TCP ? r + Ipv6.HEADER : -1;
        }
        if (packet.getUnsignedByte(r + 9) != PROTOCOL_TCP) return -1;
        if ((packet.getUnsignedShort(r + 6) & 0x1fff) != 0) return -1;          // not the first fragment
        return r + (packet.getUnsignedByte(r) & 0x0f) * 4;
    }

    /** RFC 1624 equation 3: HC' = ~(~HC + ~m + m'), in one's complement arithmetic. */
    static int updateChecksum(int checksum, int oldWord, int newWord) {
        int sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    private static int swap(int word) {
        return (word >>> 8 | word << 8) & 0xffff;
    }
}
