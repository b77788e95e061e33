package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.l2sec.dataplane.WireCode;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Challenge;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Failure;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Response;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Success;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;

/** Bytes to {@link ChapPacket} and back (RFC 1994 section 4). */
public final class ChapCodec {
    private ChapCodec() {}

    public static ChapPacket decode(ByteBuf in) throws MalformedPacketException {
        byte[] p = WireFormat.packet(in);
        int code = p[0] & 0xff;
        int id = p[1] & 0xff;
        ChapPacket.Code c = WireCode.lookup(ChapPacket.Code.values(), code).orElseThrow(() -> new MalformedPacketException("unknown CHAP code " + code));
        return switch (c) {
            case CHALLENGE, RESPONSE -> {
                if (p.length < 5) throw new MalformedPacketException("CHAP packet without Value-Size");
                int size = p[4] & 0xff;
                if (p.length < 5 + size) throw new MalformedPacketException("CHAP Value overflows the packet");
                byte[] value = Arrays.copyOfRange(p, 5, 5 + size);
                byte[] name = Arrays.copyOfRange(p, 5 + size, p.length);
                yield c == ChapPacket.Code.CHALLENGE ? new Challenge(id, value, name) : new Response(id, value, name);
            }
            case SUCCESS -> new Success(id, new String(p, 4, p.length - 4, StandardCharsets.UTF_8));
            case FAILURE -> new Failure(id, new String(p, 4, p.length - 4, StandardCharsets.UTF_8));
        };
    }

    public static byte[] encode(ChapPacket packet) {
        return switch (packet) {
            case Challenge c -> WireFormat.packet(ChapPacket.Code.CHALLENGE.code(), c.identifier(), valueAndName(c.value(), c.name()));
            case Response r -> WireFormat.packet(ChapPacket.Code.RESPONSE.code(), r.identifier(), valueAndName(r.value(), r.name()));
            case Success s -> WireFormat.packet(ChapPacket.Code.SUCCESS.code(), s.identifier(), s.message().getBytes(StandardCharsets.UTF_8));
            case Failure f -> WireFormat.packet(ChapPacket.Code.FAILURE.code(), f.identifier(), f.message().getBytes(StandardCharsets.UTF_8));
        };
    }

    private static byte[] valueAndName(byte[] value, byte[] name) {
        byte[] body = new byte[1 + value.length + name.length];
        body[0] = (byte) value.length;
        System.arraycopy(value, 0, body, 1, value.length);
        System.arraycopy(name, 0, body, 1 + value.length, name.length);
        return body;
    }
}
