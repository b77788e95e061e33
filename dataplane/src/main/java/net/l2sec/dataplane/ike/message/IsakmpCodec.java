package net.l2sec.dataplane.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns octets into ISAKMP headers and payload chains and back. Walks the chain of generic payload headers
 * (RFC 2408 section 3.2) and hands each body to its {@link PayloadFormat}; knows nothing of exchanges or keys.
 */
public final class IsakmpCodec {
    /** More payloads than any IKEv1 message carries: a bound for hostile input. */
    static final int MAX_PAYLOADS = 32;

    private IsakmpCodec() {
    }

    /** Decodes and validates the header of a whole message (length, version, cookie, exchange type). */
    public static IsakmpHeader decodeHeader(byte[] msg) throws IkeDecodeException {
        if (msg.length < IsakmpHeader.LENGTH) throw new IkeDecodeException(IkeDropReason.TRUNCATED, "message of " + msg.length + " octets");
        WireReader r = new WireReader(msg, 0, msg.length);
        long icky = r.u64(), rcky = r.u64();
        int next = r.u8(), version = r.u8(), exchange = r.u8(), flags = r.u8(), mid = r.u32(), length = r.u32();
        if (version >> 4 != 1) throw new IkeDecodeException(IkeDropReason.BAD_VERSION, "version " + Integer.toHexString(version));
        if (length != msg.length) throw new IkeDecodeException(IkeDropReason.BAD_LENGTH, "header length " + Integer.toUnsignedString(length) + " for " + msg.length + " octets");
        if (icky == 0) throw new IkeDecodeException(IkeDropReason.ZERO_COOKIE, "initiator cookie is zero");
        ExchangeType type = ExchangeType.of(exchange);
        if (type == null) throw new IkeDecodeException(IkeDropReason.UNSUPPORTED_EXCHANGE, "exchange type " + exchange);
        return new IsakmpHeader(icky, rcky, next, version, type, flags, mid, length);
    }

    /**
     * Decodes the payload chain that starts with {@code first} in {@code buf[from, to)}.
     *
     * @param padded true for a decrypted body, whose padding follows the last payload (RFC 2408 section 3.1)
     */
    public static PayloadChain decodePayloads(int first, byte[] buf, int from, int to, boolean padded)
            throws IkeDecodeException {
        List<Payload> payloads = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        WireReader r = new WireReader(buf, from, to);
        int next = first;
        while (next != PayloadType.NONE) {
            if (payloads.size() >= MAX_PAYLOADS) throw new IkeDecodeException(IkeDropReason.TOO_MANY_PAYLOADS, "more than " + MAX_PAYLOADS + " payloads");
            if (next == PayloadType.PROPOSAL || next == PayloadType.TRANSFORM) {
                throw new IkeDecodeException(IkeDropReason.MALFORMED_PAYLOAD, "payload " + next + " outside an SA");
            }
            int start = r.position();
            int type = next;
            next = r.u8();
            r.u8();
            int length = r.u16();
            WireReader body = r.slice(PayloadFormat.bodyLength(length));
            PayloadFormat f = PayloadFormat.of(type);
            payloads.add(f == null ? new Payload.Unknown(type, body.rest()) : f.read(body));
            raw.add(java.util.Arrays.copyOfRange(buf, start, start + length));
        }
        if (!padded && r.remaining() != 0) {
            throw new IkeDecodeException(IkeDropReason.BAD_LENGTH, r.remaining() + " octets after the last payload");
        }
        return new PayloadChain(payloads, raw);
    }

    /** Decodes an unencrypted message's payloads. */
    public static PayloadChain decodePayloads(IsakmpHeader h, byte[] msg) throws IkeDecodeException {
        return decodePayloads(h.nextPayload(), msg, IsakmpHeader.LENGTH, msg.length, false);
    }

    /** Encodes a chain of payloads with their generic headers; the first payload's type goes in the ISAKMP header. */
    public static byte[] encodePayloads(List<? extends Payload> payloads) {
        WireWriter w = new WireWriter();
        for (int i = 0; i < payloads.size(); i++) {
            Payload p = payloads.get(i);
            int start = w.length();
            w.u8(i + 1 < payloads.size() ? payloads.get(i + 1).type() : PayloadType.NONE).u8(0).u16(0);
            PayloadFormat f = PayloadFormat.of(p.type());
            if (p instanceof Payload.Unknown u) w.bytes(u.body());
            else f.write(p, w);
            w.putU16At(start + 2, w.length() - start);
        }
        return w.toArray();
    }

    /** A whole message: {@code header} (its length field recomputed) followed by {@code body}. */
    public static byte[] encodeMessage(IsakmpHeader h, byte[] body) {
        WireWriter w = new WireWriter();
        w.u64(h.initiatorCookie()).u64(h.responderCookie()).u8(h.nextPayload()).u8(h.version())
                .u8(h.exchangeType().code()).u8(h.flags()).u32(h.messageId()).u32(IsakmpHeader.LENGTH + body.length);
        w.bytes(body);
        return w.toArray();
    }

    /** An unencrypted message. */
    public static byte[] encode(IsakmpHeader h, List<? extends Payload> payloads) {
        IsakmpHeader hh = new IsakmpHeader(h.initiatorCookie(), h.responderCookie(),
                payloads.isEmpty() ? 0 : payloads.get(0).type(), h.version(), h.exchangeType(), h.flags(), h.messageId(), 0);
        return encodeMessage(hh, encodePayloads(payloads));
    }
}
