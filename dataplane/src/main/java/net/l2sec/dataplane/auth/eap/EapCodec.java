package net.l2sec.dataplane.auth.eap;

import net.l2sec.dataplane.auth.eap.EapPacket.Failure;
import net.l2sec.dataplane.auth.eap.EapPacket.Request;
import net.l2sec.dataplane.auth.eap.EapPacket.Response;
import net.l2sec.dataplane.auth.eap.EapPacket.Success;

/**
 * Octets to {@link EapPacket} and back (RFC 3748 section 4): Code, Identifier, Length (counting the header), then
 * for Request and Response the Type and Type-Data. The lower layer hands over exactly one packet (an IKEv2 EAP
 * payload's data, RFC 7296 section 3.16), so its Length must equal the octets received.
 */
public final class EapCodec {
    /** Code, Identifier, Length. */
    public static final int HEADER_LENGTH = 4;

    private EapCodec() {}

    public static EapPacket decode(byte[] p) throws MalformedEapException {
        if (p.length < HEADER_LENGTH) throw new MalformedEapException(EapDiscard.TRUNCATED, p.length + " octets, shorter than the EAP header");
        int length = (p[2] & 0xff) << 8 | (p[3] & 0xff);
        if (length < HEADER_LENGTH) throw new MalformedEapException(EapDiscard.BAD_LENGTH, "Length " + length + " below the header size");
        if (length > p.length) throw new MalformedEapException(EapDiscard.TRUNCATED, "Length " + length + " but " + p.length + " octets");
        if (length < p.length) throw new MalformedEapException(EapDiscard.BAD_LENGTH, "Length " + length + " but " + p.length + " octets carried");
        int id = p[1] & 0xff;
        EapCode code = EapCode.of(p[0] & 0xff)
                .orElseThrow(() -> new MalformedEapException(EapDiscard.NOT_A_RESPONSE, "unknown EAP Code " + (p[0] & 0xff)));
        return switch (code) {
            case REQUEST, RESPONSE -> {
                if (length < HEADER_LENGTH + 1) throw new MalformedEapException(EapDiscard.TRUNCATED, "EAP " + code + " without Type");
                byte[] data = java.util.Arrays.copyOfRange(p, HEADER_LENGTH + 1, length);
                yield code == EapCode.REQUEST ? new Request(id, p[4] & 0xff, data) : new Response(id, p[4] & 0xff, data);
            }
            case SUCCESS -> new Success(id);
            case FAILURE -> new Failure(id);
        };
    }

    public static byte[] encode(EapPacket packet) {
        return switch (packet) {
            case Request r -> typed(EapCode.REQUEST, r.identifier(), r.type(), r.typeData());
            case Response r -> typed(EapCode.RESPONSE, r.identifier(), r.type(), r.typeData());
            case Success s -> header(EapCode.SUCCESS, s.identifier(), HEADER_LENGTH);
            case Failure f -> header(EapCode.FAILURE, f.identifier(), HEADER_LENGTH);
        };
    }

    private static byte[] typed(EapCode code, int identifier, int type, byte[] data) {
        byte[] out = header(code, identifier, HEADER_LENGTH + 1 + data.length);
        out[HEADER_LENGTH] = (byte) type;
        System.arraycopy(data, 0, out, HEADER_LENGTH + 1, data.length);
        return out;
    }

    private static byte[] header(EapCode code, int identifier, int length) {
        if (length > 0xffff) throw new IllegalArgumentException("EAP packet of " + length + " octets");
        byte[] out = new byte[length];
        out[0] = (byte) code.code();
        out[1] = (byte) identifier;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        return out;
    }
}
