package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import net.l2sec.dataplane.ppp.auth.EapPacket.Failure;
import net.l2sec.dataplane.ppp.auth.EapPacket.Request;
import net.l2sec.dataplane.ppp.auth.EapPacket.Response;
import net.l2sec.dataplane.ppp.auth.EapPacket.Success;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;

/** Bytes to {@link EapPacket} and back (RFC 3748 section 4). */
public final class EapCodec {
    /** RFC 3748 section 5 and IANA EAP method types we use. */
    public static final int TYPE_IDENTITY = 1;
    public static final int TYPE_NAK = 3;
    public static final int TYPE_MD5_CHALLENGE = 4;
    public static final int TYPE_MSCHAPV2 = 26;

    private EapCodec() {}

    public static EapPacket decode(ByteBuf in) throws MalformedPacketException {
        byte[] p = WireFormat.packet(in);
        int code = p[0] & 0xff;
        int id = p[1] & 0xff;
        return switch (code) {
            case 1, 2 -> {
                if (p.length < 5) throw new MalformedPacketException("EAP Request/Response without Type");
                byte[] data = Arrays.copyOfRange(p, 5, p.length);
                yield code == 1 ? new Request(id, p[4] & 0xff, data) : new Response(id, p[4] & 0xff, data);
            }
            case 3 -> new Success(id);
            case 4 -> new Failure(id);
            default -> throw new MalformedPacketException("unknown EAP code " + code);
        };
    }

    public static byte[] encode(EapPacket packet) {
        return switch (packet) {
            case Request r -> WireFormat.packet(1, r.identifier(), typed(r.type(), r.typeData()));
            case Response r -> WireFormat.packet(2, r.identifier(), typed(r.type(), r.typeData()));
            case Success s -> WireFormat.packet(3, s.identifier(), new byte[0]);
            case Failure f -> WireFormat.packet(4, f.identifier(), new byte[0]);
        };
    }

    private static byte[] typed(int type, byte[] data) {
        byte[] body = new byte[1 + data.length];
        body[0] = (byte) type;
        System.arraycopy(data, 0, body, 1, data.length);
        return body;
    }
}
