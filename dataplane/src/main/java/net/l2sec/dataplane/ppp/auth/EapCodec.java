package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import net.l2sec.dataplane.WireCode;
import net.l2sec.dataplane.ppp.auth.EapPacket.Failure;
import net.l2sec.dataplane.ppp.auth.EapPacket.Request;
import net.l2sec.dataplane.ppp.auth.EapPacket.Response;
import net.l2sec.dataplane.ppp.auth.EapPacket.Success;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;

/** Bytes to {@link EapPacket} and back (RFC 3748 section 4). */
public final class EapCodec {
    private EapCodec() {}

    public static EapPacket decode(ByteBuf in) throws MalformedPacketException {
        byte[] p = WireFormat.packet(in);
        int code = p[0] & 0xff;
        int id = p[1] & 0xff;
        EapPacket.Code c = WireCode.lookup(EapPacket.Code.values(), code).orElseThrow(() -> new MalformedPacketException("unknown EAP code " + code));
        return switch (c) {
            case REQUEST, RESPONSE -> {
                if (p.length < 5) throw new MalformedPacketException("EAP Request/Response without Type");
                byte[] data = Arrays.copyOfRange(p, 5, p.length);
                yield c == EapPacket.Code.REQUEST ? new Request(id, p[4] & 0xff, data) : new Response(id, p[4] & 0xff, data);
            }
            case SUCCESS -> new Success(id);
            case FAILURE -> new Failure(id);
        };
    }

    public static byte[] encode(EapPacket packet) {
        return switch (packet) {
            case Request r -> WireFormat.packet(EapPacket.Code.REQUEST.code(), r.identifier(), typed(r.type(), r.typeData()));
            case Response r -> WireFormat.packet(EapPacket.Code.RESPONSE.code(), r.identifier(), typed(r.type(), r.typeData()));
            case Success s -> WireFormat.packet(EapPacket.Code.SUCCESS.code(), s.identifier(), new byte[0]);
            case Failure f -> WireFormat.packet(EapPacket.Code.FAILURE.code(), f.identifier(), new byte[0]);
        };
    }

    private static byte[] typed(int type, byte[] data) {
        byte[] body = new byte[1 + data.length];
        body[0] = (byte) type;
        System.arraycopy(data, 0, body, 1, data.length);
        return body;
    }
}
