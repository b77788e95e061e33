package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;

/**
 * The Code / Identifier / Length header PAP, CHAP and EAP share (RFC 1334 section 2.2, RFC 1994 section 4,
 * RFC 3748 section 4): Length counts the header; octets beyond it are padding.
 */
final class WireFormat {
    static final int HEADER_LENGTH = 4;

    private WireFormat() {}

    /** The packet's octets, exactly Length of them, copied out of {@code in} without consuming it. */
    static byte[] packet(ByteBuf in) throws MalformedPacketException {
        if (in.readableBytes() < HEADER_LENGTH) throw new MalformedPacketException("truncated header");
        int length = in.getUnsignedShort(in.readerIndex() + 2);
        if (length < HEADER_LENGTH) throw new MalformedPacketException("length field below header size");
        if (length > in.readableBytes()) throw new MalformedPacketException("length field beyond received data");
        byte[] p = new byte[length];
        in.getBytes(in.readerIndex(), p);
        return p;
    }

    static byte[] packet(int code, int identifier, byte[] body) {
        int length = HEADER_LENGTH + body.length;
        byte[] out = new byte[length];
        out[0] = (byte) code;
        out[1] = (byte) identifier;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        System.arraycopy(body, 0, out, HEADER_LENGTH, body.length);
        return out;
    }
}
