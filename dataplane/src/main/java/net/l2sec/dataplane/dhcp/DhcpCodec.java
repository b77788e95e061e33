package net.l2sec.dataplane.dhcp;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DHCP messages to and from octets (RFC 2131 section 2: 236 octets of fixed fields, the magic cookie
 * 99.130.83.99 of RFC 2132 section 2, then options). Decoding is liberal in what it accepts (a missing End option,
 * Pad anywhere) and refuses what cannot be a DHCP message; an option given more than once is concatenated
 * (RFC 3396 section 7). Encoding writes zeroed {@code sname} and {@code file} fields and pads the message to the
 * 300 octets of a BOOTP message (RFC 1542 section 2.1), which some clients still expect.
 */
public final class DhcpCodec {
    /** Fixed fields: op .. file (RFC 2131 section 2). */
    public static final int FIXED_FIELDS = 236;
    public static final int MAGIC_COOKIE = 0x63825363;
    /** The largest message we read: what fits an unfragmented 1500-octet IPv4 packet with its IP and UDP headers. */
    public static final int MAX_MESSAGE = 1500 - 20 - 8;
    /** RFC 1542 section 2.1: a BOOTP message is at least 300 octets. */
    public static final int MIN_MESSAGE = 300;
    /** RFC 2131 section 2: every client takes a message of up to 576 octets of IP datagram. */
    public static final int DEFAULT_MAX_DATAGRAM = 576;

    private DhcpCodec() {}

    /** Decodes the readable bytes of {@code message} (a UDP payload); does not move the reader index or release it. */
    public static DhcpMessage decode(ByteBuf message) throws MalformedDhcpException {
        int r = message.readerIndex();
        int n = message.readableBytes();
        if (n > MAX_MESSAGE) throw new MalformedDhcpException(DhcpDropReason.OVERSIZED, n + " octets");
        if (n < FIXED_FIELDS + 4) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "too short: " + n + " octets");
        if (message.getInt(r + FIXED_FIELDS) != MAGIC_COOKIE) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "no magic cookie");
        int hlen = message.getUnsignedByte(r + 2);
        if (hlen > 16) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "hlen " + hlen);
        byte[] chaddr = new byte[16];
        message.getBytes(r + 28, chaddr);
        Map<Integer, ByteArrayOutputStream> options = new LinkedHashMap<>();
        int end = r + n;
        for (int i = r + FIXED_FIELDS + 4; i < end; ) {
            int code = message.getUnsignedByte(i);
            if (code == DhcpOptionCode.END.code()) break;
            if (code == DhcpOptionCode.PAD.code()) {
                i++;
                continue;
            }
            if (i + 1 >= end) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "option " + code + " without a length");
            int length = message.getUnsignedByte(i + 1);
            if (i + 2 + length > end) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "option " + code + " runs past the end");
            byte[] data = new byte[length];
            message.getBytes(i + 2, data);
            options.computeIfAbsent(code, c -> new ByteArrayOutputStream()).writeBytes(data);
            i += 2 + length;
        }
        List<DhcpOption> list = new ArrayList<>(options.size());
        for (var e : options.entrySet()) {
            byte[] data = e.getValue().toByteArray();
            if (data.length > 255) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "option " + e.getKey() + " longer than 255 octets");
            list.add(new DhcpOption(e.getKey(), data));
        }
        return new DhcpMessage(message.getUnsignedByte(r), message.getUnsignedByte(r + 1), hlen,
                message.getUnsignedByte(r + 3), message.getInt(r + 4), message.getUnsignedShort(r + 8),
                message.getUnsignedShort(r + 10), message.getInt(r + 12), message.getInt(r + 16), message.getInt(r + 20),
                message.getInt(r + 24), chaddr, list);
    }

    /** Octets {@link #encode} writes for {@code message}. */
    public static int encodedLength(DhcpMessage message) {
        int n = FIXED_FIELDS + 4 + 1;
        for (DhcpOption o : message.options()) n += 2 + o.data().length;
        return Math.max(n, MIN_MESSAGE);
    }

    /** Writes {@code message} to {@code out}. */
    public static void encode(DhcpMessage message, ByteBuf out) {
        int start = out.writerIndex();
        out.writeByte(message.op()).writeByte(message.htype()).writeByte(message.hlen()).writeByte(message.hops())
                .writeInt(message.xid()).writeShort(message.secs()).writeShort(message.flags())
                .writeInt(message.ciaddr()).writeInt(message.yiaddr()).writeInt(message.siaddr()).writeInt(message.giaddr())
                .writeBytes(message.chaddr())
                .writeZero(64 + 128)                 // sname, file
                .writeInt(MAGIC_COOKIE);
        for (DhcpOption o : message.options()) {
            byte[] data = o.data();
            out.writeByte(o.code()).writeByte(data.length).writeBytes(data);
        }
        out.writeByte(DhcpOptionCode.END.code());
        int written = out.writerIndex() - start;
        if (written < MIN_MESSAGE) out.writeZero(MIN_MESSAGE - written);   // Pad
    }
}
