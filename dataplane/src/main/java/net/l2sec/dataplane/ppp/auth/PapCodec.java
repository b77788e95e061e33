package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.l2sec.dataplane.WireCode;
import net.l2sec.dataplane.ppp.auth.PapPacket.AuthenticateAck;
import net.l2sec.dataplane.ppp.auth.PapPacket.AuthenticateNak;
import net.l2sec.dataplane.ppp.auth.PapPacket.AuthenticateRequest;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;

/** Bytes to {@link PapPacket} and back (RFC 1334 section 2.2). */
public final class PapCodec {
    private PapCodec() {}

    public static PapPacket decode(ByteBuf in) throws MalformedPacketException {
        byte[] p = WireFormat.packet(in);
        int code = p[0] & 0xff;
        int id = p[1] & 0xff;
        return switch (WireCode.lookup(PapPacket.Code.values(), code).orElseThrow(() -> new MalformedPacketException("unknown PAP code " + code))) {
            case AUTHENTICATE_REQUEST -> {
                int i = 4;
                if (p.length < i + 1) throw new MalformedPacketException("PAP request without Peer-ID Length");
                int idLen = p[i++] & 0xff;
                if (p.length < i + idLen + 1) throw new MalformedPacketException("PAP Peer-ID overflows the packet");
                byte[] peerId = Arrays.copyOfRange(p, i, i + idLen);
                i += idLen;
                int pwLen = p[i++] & 0xff;
                if (p.length < i + pwLen) throw new MalformedPacketException("PAP Password overflows the packet");
                yield new AuthenticateRequest(id, peerId, Arrays.copyOfRange(p, i, i + pwLen));
            }
            case AUTHENTICATE_ACK -> new AuthenticateAck(id, p.length > 4 ? message(p) : "");
            case AUTHENTICATE_NAK -> new AuthenticateNak(id, p.length > 4 ? message(p) : "");
        };
    }

    private static String message(byte[] p) throws MalformedPacketException {
        int len = p[4] & 0xff;
        if (p.length < 5 + len) throw new MalformedPacketException("PAP Message overflows the packet");
        return new String(p, 5, len, StandardCharsets.UTF_8);
    }

    public static byte[] encode(PapPacket packet) {
        return switch (packet) {
            case AuthenticateRequest r -> {
                byte[] body = new byte[2 + r.peerId().length + r.password().length];
                body[0] = (byte) r.peerId().length;
                System.arraycopy(r.peerId(), 0, body, 1, r.peerId().length);
                body[1 + r.peerId().length] = (byte) r.password().length;
                System.arraycopy(r.password(), 0, body, 2 + r.peerId().length, r.password().length);
                yield WireFormat.packet(PapPacket.Code.AUTHENTICATE_REQUEST.code(), r.identifier(), body);
            }
            case AuthenticateAck a -> WireFormat.packet(PapPacket.Code.AUTHENTICATE_ACK.code(), a.identifier(), withLength(a.message()));
            case AuthenticateNak n -> WireFormat.packet(PapPacket.Code.AUTHENTICATE_NAK.code(), n.identifier(), withLength(n.message()));
        };
    }

    private static byte[] withLength(String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(m.length, 255);
        byte[] out = new byte[1 + n];
        out[0] = (byte) n;
        System.arraycopy(m, 0, out, 1, n);
        return out;
    }
}
