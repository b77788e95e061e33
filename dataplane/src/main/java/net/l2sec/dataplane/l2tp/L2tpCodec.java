package net.l2sec.dataplane.l2tp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.PacketBuffers;

/**
 * Bytes to {@link L2tpMessage} and back (RFC 2661 sections 3.1 and 4.1). Pure: no state, no policy, hidden AVPs
 * stay hidden (see {@link HiddenAvp}).
 *
 * <pre>
 *  |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
 *  |           Tunnel ID           |           Session ID          |
 *  |             Ns (opt)          |             Nr (opt)          |
 *  |      Offset Size (opt)        |    Offset pad... (opt)
 * </pre>
 */
public final class L2tpCodec {
    static final int T_BIT = 0x8000;
    static final int L_BIT = 0x4000;
    static final int S_BIT = 0x0800;
    static final int O_BIT = 0x0200;
    static final int P_BIT = 0x0100;
    static final int VERSION = 2;
    static final int CONTROL_HEADER_LENGTH = 12;
    static final int AVP_HEADER_LENGTH = 6;
    /** Flags, Length, Tunnel ID, Session ID: the data header we send (no sequence numbers). */
    public static final int DATA_HEADER_LENGTH = 8;

    private static final int AVP_M_BIT = 0x8000;
    private static final int AVP_H_BIT = 0x4000;
    private static final int AVP_LENGTH_MASK = 0x03ff;

    private L2tpCodec() {
    }

    /**
     * Decodes the readable bytes of {@code datagram} without consuming or releasing it. A data message's payload
     * is a retained slice: the caller owns it.
     */
    public static L2tpMessage decode(ByteBuf datagram) throws L2tpDecodeException {
        return decode(datagram, false);
    }

    /**
     * As {@link #decode(ByteBuf)}, except that a data message's payload is {@code datagram} itself, its indexes
     * moved to the PPP frame: ownership of the datagram passes to the payload, which saves the packet path a slice
     * and two reference-count updates per packet. For a control message (and on an exception) the caller still owns
     * and releases {@code datagram}.
     */
    public static L2tpMessage decodeInPlace(ByteBuf datagram) throws L2tpDecodeException {
        return decode(datagram, true);
    }

    private static L2tpMessage decode(ByteBuf datagram, boolean inPlace) throws L2tpDecodeException {
        int base = datagram.readerIndex();
        int size = datagram.readableBytes();
        if (size < 6) throw new L2tpDecodeException(L2tpDropReason.MALFORMED_HEADER, "datagram of " + size + " octets");
        int flags = datagram.getUnsignedShort(base);
        if ((flags & 0x0f) != VERSION) {
            throw new L2tpDecodeException(L2tpDropReason.BAD_VERSION, "version " + (flags & 0x0f));
        }
        boolean control = (flags & T_BIT) != 0;
        boolean hasLength = (flags & L_BIT) != 0;
        boolean sequenced = (flags & S_BIT) != 0;
        boolean hasOffset = (flags & O_BIT) != 0;
        if (control && (!hasLength || !sequenced || hasOffset)) {
            // RFC 2661 section 3.1: L and S MUST be set and O MUST be clear in control messages
            throw new L2tpDecodeException(L2tpDropReason.BAD_CONTROL_BITS, "control flags " + Integer.toHexString(flags));
        }
        int pos = base + 2;
        int end = base + size;
        if (hasLength) {
            if (size < 8) throw new L2tpDecodeException(L2tpDropReason.MALFORMED_HEADER, "truncated header");
            int length = datagram.getUnsignedShort(pos);
            if (length != size) {
                throw new L2tpDecodeException(L2tpDropReason.BAD_LENGTH, "length " + length + " in datagram of " + size);
            }
            pos += 2;
        }
        int fixed = (pos - base) + 4 + (sequenced ? 4 : 0) + (hasOffset ? 2 : 0);
        if (size < fixed) throw new L2tpDecodeException(L2tpDropReason.MALFORMED_HEADER, "truncated header");
        int tunnelId = datagram.getUnsignedShort(pos);
        int sessionId = datagram.getUnsignedShort(pos + 2);
        pos += 4;
        int ns = 0;
        int nr = 0;
        if (sequenced) {
            ns = datagram.getUnsignedShort(pos);
            nr = datagram.getUnsignedShort(pos + 2);
            pos += 4;
        }
        if (hasOffset) {
            int offset = datagram.getUnsignedShort(pos);
            pos += 2;
            if (offset > end - pos) throw new L2tpDecodeException(L2tpDropReason.MALFORMED_HEADER, "offset beyond end");
            pos += offset;
        }
        if (!control) {
            ByteBuf payload = inPlace ? datagram.setIndex(pos, end) : datagram.retainedSlice(pos, end - pos);
            return new DataMessage(tunnelId, sessionId, sequenced, ns, nr, payload);
        }
        return new ControlMessage(tunnelId, sessionId, ns, nr, decodeAvps(datagram, pos, end));
    }

    private static List<Avp> decodeAvps(ByteBuf buf, int pos, int end) throws L2tpDecodeException {
        List<Avp> avps = new ArrayList<>();
        boolean randomVectorSeen = false;
        while (pos < end) {
            if (end - pos < AVP_HEADER_LENGTH) throw new L2tpDecodeException(L2tpDropReason.BAD_AVP, "truncated AVP header");
            int word = buf.getUnsignedShort(pos);
            int length = word & AVP_LENGTH_MASK;
            if (length < AVP_HEADER_LENGTH) throw new L2tpDecodeException(L2tpDropReason.BAD_AVP, "AVP length " + length);
            if (length > end - pos) throw new L2tpDecodeException(L2tpDropReason.BAD_AVP, "AVP beyond end of message");
            byte[] value = new byte[length - AVP_HEADER_LENGTH];
            buf.getBytes(pos + AVP_HEADER_LENGTH, value);
            Avp avp = new Avp((word & AVP_M_BIT) != 0, (word & AVP_H_BIT) != 0, buf.getUnsignedShort(pos + 2),
                    buf.getUnsignedShort(pos + 4), value);
            pos += length;
            if (avps.isEmpty() && (!avp.is(AvpType.MESSAGE_TYPE) || avp.hidden() || value.length != 2)) {
                // RFC 2661 section 3.2: the Message Type AVP comes first
                throw new L2tpDecodeException(L2tpDropReason.BAD_AVP, "first AVP is not a Message Type AVP");
            }
            if (avp.is(AvpType.RANDOM_VECTOR)) randomVectorSeen = true;
            if (avp.hidden() && !randomVectorSeen) {
                // RFC 2661 section 4.3: a Random Vector AVP MUST precede the first hidden AVP
                throw new L2tpDecodeException(L2tpDropReason.BAD_HIDDEN_AVP, "hidden AVP without Random Vector");
            }
            avps.add(avp);
        }
        return avps;
    }

    /** Encodes a control message (Ns and Nr as given) into a new buffer the caller owns. */
    public static ByteBuf encode(ByteBufAllocator alloc, ControlMessage message) {
        int length = CONTROL_HEADER_LENGTH;
        for (Avp a : message.avps()) length += AVP_HEADER_LENGTH + a.value().length;
        if (length > 0xffff) throw new IllegalArgumentException("control message too long");
        ByteBuf out = alloc.buffer(length);
        out.writeShort(T_BIT | L_BIT | S_BIT | VERSION);
        out.writeShort(length);
        out.writeShort(message.tunnelId());
        out.writeShort(message.sessionId());
        out.writeShort(message.ns());
        out.writeShort(message.nr());
        for (Avp a : message.avps()) {
            out.writeShort((a.mandatory() ? AVP_M_BIT : 0) | (a.hidden() ? AVP_H_BIT : 0)
                    | (AVP_HEADER_LENGTH + a.value().length));
            out.writeShort(a.vendorId());
            out.writeShort(a.type());
            out.writeBytes(a.value());
        }
        return out;
    }

    /**
     * Encodes a data message with the Length bit set (and S when {@code sequenced}); the payload's reference passes
     * into the returned buffer, which the caller owns. The header is written in front of the payload in its own
     * buffer when that has the room and is not shared, else the payload is copied once behind it
     * ({@link PacketBuffers#prepend}); {@code alloc} is not used for data messages, whose buffer comes from the payload.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, DataMessage message) {
        ByteBuf payload = message.payload();
        int headerLength = DATA_HEADER_LENGTH + (message.sequenced() ? 4 : 0);
        int length = headerLength + payload.readableBytes();
        if (length > 0xffff) {
            payload.release();
            throw new IllegalArgumentException("data message too long");
        }
        ByteBuf out = PacketBuffers.prepend(payload, headerLength);
        int at = out.readerIndex();
        out.setShort(at, L_BIT | (message.sequenced() ? S_BIT : 0) | VERSION);
        out.setShort(at + 2, length);
        out.setShort(at + 4, message.tunnelId());
        out.setShort(at + 6, message.sessionId());
        if (message.sequenced()) {
            out.setShort(at + 8, message.ns());
            out.setShort(at + 10, message.nr());
        }
        return out;
    }
}
