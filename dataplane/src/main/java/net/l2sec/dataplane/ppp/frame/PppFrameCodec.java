package net.l2sec.dataplane.ppp.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * PPP framing as carried by L2TP (RFC 2661 section 5: HDLC-like framing without flags or FCS).
 *
 * <p>Receiving is liberal: the Address and Control fields {@code FF 03} are stripped when present (ACFC), and a
 * one-octet Protocol field is accepted whenever its value is odd (PFC, RFC 1661 section 6.5), whether or not
 * those options were negotiated. Sending is conservative: always {@code FF 03} and a two-octet Protocol field,
 * which RFC 1661 sections 6.5/6.6 allow even when compression was negotiated. Frames longer than our MRU are
 * still accepted when they arrive whole (the lower layer already bounded them).
 */
public final class PppFrameCodec {
    public static final int HEADER_LENGTH = 4;

    private PppFrameCodec() {}

    /**
     * Parses the header of {@code frame} in place: on success the returned frame wraps the same buffer with the
     * reader index at the information field. On failure the buffer is untouched and still owned by the caller.
     */
    public static PppFrame decode(ByteBuf frame) throws MalformedPacketException {
        int r = frame.readerIndex();
        int n = frame.readableBytes();
        if (n >= 2 && frame.getUnsignedByte(r) == 0xFF && frame.getUnsignedByte(r + 1) == 0x03) {
            r += 2;
            n -= 2;
        }
        if (n < 1) throw new MalformedPacketException("frame too short for a protocol field");
        int first = frame.getUnsignedByte(r);
        int protocol;
        if ((first & 1) == 1) {
            protocol = first;                       // compressed (PFC) one-octet form
            r += 1;
        } else {
            if (n < 2) throw new MalformedPacketException("frame too short for a protocol field");
            protocol = frame.getUnsignedShort(r);
            if ((protocol & 1) == 0) throw new MalformedPacketException("protocol field with even low octet");
            r += 2;
        }
        frame.readerIndex(r);
        return new PppFrame(protocol, frame);
    }

    /** {@code FF 03}, the two-octet protocol, then {@code information}. */
    public static ByteBuf encode(ByteBufAllocator alloc, int protocol, byte[] information) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + information.length);
        writeHeader(out, protocol);
        return out.writeBytes(information);
    }

    public static void writeHeader(ByteBuf out, int protocol) {
        out.writeByte(0xFF).writeByte(0x03).writeShort(protocol);
    }

    /** Writes {@code FF 03} and the two-octet protocol at {@code index} (the header prepended to a packet). */
    public static void setHeader(ByteBuf out, int index, int protocol) {
        out.setShort(index, 0xFF03).setShort(index + 2, protocol);
    }
}
