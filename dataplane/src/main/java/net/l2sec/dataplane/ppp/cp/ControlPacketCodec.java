package net.l2sec.dataplane.ppp.cp;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.cp.ControlPacket.CodeReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureNak;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.DiscardRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoReply;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.Identification;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ProtocolReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.UnknownCode;

/**
 * Bytes to {@link ControlPacket} and back (RFC 1661 section 5). Decoding follows section 5's rules: a Length
 * below 4 or beyond the received octets makes the packet invalid; octets past Length are padding and ignored.
 */
public final class ControlPacketCodec {
    public static final int HEADER_LENGTH = 4;

    private ControlPacketCodec() {}

    /**
     * Decodes the packet at the reader index of {@code in} without consuming it.
     *
     * @param lcp whether codes 8 to 12 are known (LCP) or unknown (NCPs answer them with Code-Reject)
     */
    public static ControlPacket decode(ByteBuf in, boolean lcp) throws MalformedPacketException {
        int r = in.readerIndex();
        if (in.readableBytes() < HEADER_LENGTH) throw new MalformedPacketException("truncated header");
        int code = in.getUnsignedByte(r);
        int id = in.getUnsignedByte(r + 1);
        int length = in.getUnsignedShort(r + 2);
        if (length < HEADER_LENGTH) throw new MalformedPacketException("length field below header size");
        if (length > in.readableBytes()) throw new MalformedPacketException("length field beyond received data");
        byte[] data = new byte[length - HEADER_LENGTH];
        in.getBytes(r + HEADER_LENGTH, data);
        var known = ControlCode.of(code).filter(c -> lcp || c.common());
        if (known.isEmpty()) {
            byte[] whole = new byte[length];
            in.getBytes(r, whole);
            return new UnknownCode(id, code, whole);
        }
        return switch (known.get()) {
            case CONFIGURE_REQUEST -> new ConfigureRequest(id, decodeOptions(data));
            case CONFIGURE_ACK -> new ConfigureAck(id, decodeOptions(data));
            case CONFIGURE_NAK -> new ConfigureNak(id, decodeOptions(data));
            case CONFIGURE_REJECT -> new ConfigureReject(id, decodeOptions(data));
            case TERMINATE_REQUEST -> new TerminateRequest(id, data);
            case TERMINATE_ACK -> new TerminateAck(id, data);
            case CODE_REJECT -> new CodeReject(id, data);
            case PROTOCOL_REJECT -> {
                if (data.length < 2) throw new MalformedPacketException("Protocol-Reject without a protocol");
                yield new ProtocolReject(id, ((data[0] & 0xff) << 8) | (data[1] & 0xff), tail(data, 2));
            }
            case ECHO_REQUEST -> new EchoRequest(id, magic(data), tail(data, 4));
            case ECHO_REPLY -> new EchoReply(id, magic(data), tail(data, 4));
            case DISCARD_REQUEST -> new DiscardRequest(id, magic(data), tail(data, 4));
            // RFC 1570 section 2.1: Length >= 8, the Magic-Number then the Message
            case IDENTIFICATION -> new Identification(id, magic(data), tail(data, 4));
        };
    }

    /** RFC 1661 section 6: Type, Length (counting both), Data; a Length below 2 or past the end is malformed. */
    public static List<ConfigOption> decodeOptions(byte[] data) throws MalformedPacketException {
        List<ConfigOption> options = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            if (data.length - i < 2) throw new MalformedPacketException("option header truncated");
            int type = data[i] & 0xff;
            int len = data[i + 1] & 0xff;
            if (len < 2) throw new MalformedPacketException("option length below 2");
            if (i + len > data.length) throw new MalformedPacketException("option overflows the packet");
            byte[] value = new byte[len - 2];
            System.arraycopy(data, i + 2, value, 0, value.length);
            options.add(new ConfigOption(type, value));
            i += len;
        }
        return options;
    }

    public static byte[] encode(ControlPacket p) {
        var body = new ByteArrayOutputStream();
        int code = switch (p) {
            case ConfigureRequest c -> options(body, c.options(), ControlCode.CONFIGURE_REQUEST);
            case ConfigureAck c -> options(body, c.options(), ControlCode.CONFIGURE_ACK);
            case ConfigureNak c -> options(body, c.options(), ControlCode.CONFIGURE_NAK);
            case ConfigureReject c -> options(body, c.options(), ControlCode.CONFIGURE_REJECT);
            case TerminateRequest t -> bytes(body, t.data(), ControlCode.TERMINATE_REQUEST);
            case TerminateAck t -> bytes(body, t.data(), ControlCode.TERMINATE_ACK);
            case CodeReject c -> bytes(body, c.rejectedPacket(), ControlCode.CODE_REJECT);
            case ProtocolReject x -> {
                body.write(x.rejectedProtocol() >>> 8);
                body.write(x.rejectedProtocol());
                yield bytes(body, x.rejectedInformation(), ControlCode.PROTOCOL_REJECT);
            }
            case EchoRequest e -> magicAndData(body, e.magicNumber(), e.data(), ControlCode.ECHO_REQUEST);
            case EchoReply e -> magicAndData(body, e.magicNumber(), e.data(), ControlCode.ECHO_REPLY);
            case DiscardRequest d -> magicAndData(body, d.magicNumber(), d.data(), ControlCode.DISCARD_REQUEST);
            case Identification i -> magicAndData(body, i.magicNumber(), i.message(), ControlCode.IDENTIFICATION);
            case UnknownCode u -> throw new IllegalArgumentException("cannot send an unknown code " + u.code());
        };
        byte[] b = body.toByteArray();
        int length = HEADER_LENGTH + b.length;
        byte[] out = new byte[length];
        out[0] = (byte) code;
        out[1] = (byte) p.identifier();
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        System.arraycopy(b, 0, out, HEADER_LENGTH, b.length);
        return out;
    }

    private static int options(ByteArrayOutputStream body, List<ConfigOption> options, ControlCode code) {
        for (ConfigOption o : options) {
            body.write(o.type());
            body.write(o.length());
            body.writeBytes(o.data());
        }
        return code.code();
    }

    private static int bytes(ByteArrayOutputStream body, byte[] data, ControlCode code) {
        body.writeBytes(data);
        return code.code();
    }

    private static int magicAndData(ByteArrayOutputStream body, int magic, byte[] data, ControlCode code) {
        body.write(magic >>> 24);
        body.write(magic >>> 16);
        body.write(magic >>> 8);
        body.write(magic);
        return bytes(body, data, code);
    }

    private static int magic(byte[] data) throws MalformedPacketException {
        if (data.length < 4) throw new MalformedPacketException("missing Magic-Number");
        return ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
    }

    private static byte[] tail(byte[] data, int from) {
        byte[] t = new byte[data.length - from];
        System.arraycopy(data, from, t, 0, t.length);
        return t;
    }
}
