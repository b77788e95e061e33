package net.l2sec.dataplane.auth.eap;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.l2sec.dataplane.WireCode;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.RejectReason;

/**
 * The Type-Data of EAP-MSCHAPv2 (type 26, draft-kamath-pppext-eap-mschapv2 section 2): OpCode, MS-CHAPv2-ID,
 * MS-Length (the octets from OpCode to the end), then per OpCode the RFC 2759 Challenge, Response, Success or Failure
 * fields.
 */
public final class EapMsChapV2 {
    /** The OpCode, the first octet of the Type-Data. */
    public enum OpCode implements WireCode {
        CHALLENGE(1), RESPONSE(2), SUCCESS(3), FAILURE(4);

        private final int code;

        OpCode(int code) {
            this.code = code;
        }

        @Override
        public int code() {
            return code;
        }
    }

    /** RFC 2759 section 4: the Response's Value-Size. */
    public static final int RESPONSE_VALUE_SIZE = 49;
    /** RFC 2759 section 3: the Challenge's Value-Size. */
    public static final int CHALLENGE_LENGTH = 16;
    /** RFC 2759 section 6: ERROR_AUTHENTICATION_FAILURE. */
    static final int ERROR_AUTHENTICATION_FAILURE = 691;
    /** RFC 2759 section 6: ERROR_NO_DIALIN_PERMISSION, for every account or policy restriction. */
    static final int ERROR_NO_DIALIN_PERMISSION = 649;

    /**
     * A parsed Response (OpCode 2): RFC 2759 section 4 Value (Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1)
     * and the Name, as octets.
     */
    public record Response(int msChapV2Id, byte[] peerChallenge, byte[] ntResponse, byte[] name) {
        @Override
        public String toString() {
            return "Response[msChapV2Id=" + msChapV2Id + "]";
        }
    }

    private EapMsChapV2() {}

    /** Challenge (OpCode 1): Value-Size 16, the challenge, our Name. */
    public static byte[] challenge(int msChapV2Id, byte[] challenge, byte[] name) {
        byte[] d = new byte[5 + challenge.length + name.length];
        d[0] = (byte) OpCode.CHALLENGE.code;
        d[1] = (byte) msChapV2Id;
        msLength(d);
        d[4] = (byte) challenge.length;
        System.arraycopy(challenge, 0, d, 5, challenge.length);
        System.arraycopy(name, 0, d, 5 + challenge.length, name.length);
        return d;
    }

    /** Success (OpCode 3): "S=&lt;40 hex&gt; M=&lt;message&gt;" (RFC 2759 section 5). */
    public static byte[] success(int msChapV2Id, byte[] authenticatorResponse) {
        return message(OpCode.SUCCESS, msChapV2Id, MsChapV2.authenticatorResponseString(authenticatorResponse) + " M=Access granted");
    }

    /** Failure (OpCode 4): "E=eeeeeeeeee R=0 C=&lt;32 hex&gt; V=3 M=&lt;message&gt;" (RFC 2759 section 6); no retry offered. */
    public static byte[] failure(int msChapV2Id, RejectReason reason, byte[] newChallenge) {
        int error = switch (reason) {
            case ACCOUNT_DISABLED, POLICY_DENIED, SESSION_LIMIT, RULE_SESSION_LIMIT -> ERROR_NO_DIALIN_PERMISSION;
            default -> ERROR_AUTHENTICATION_FAILURE;
        };
        return message(OpCode.FAILURE, msChapV2Id, "E=" + error + " R=0 C=" + HexFormat.of().withUpperCase().formatHex(newChallenge)
                + " V=3 M=Access denied");
    }

    /** True when {@code data} is Type-Data with this OpCode (the peer's acknowledgement of Success or Failure is just it). */
    public static boolean is(OpCode op, byte[] data) {
        return data.length >= 1 && (data[0] & 0xff) == op.code;
    }

    /**
     * Parses a Response (OpCode 2): OpCode, MS-CHAPv2-ID, MS-Length equal to the Type-Data's length, Value-Size 49,
     * the Value, then the Name (the rest).
     */
    public static Response response(byte[] d) throws MalformedEapException {
        if (!is(OpCode.RESPONSE, d)) throw new MalformedEapException(EapDiscard.BAD_MSCHAPV2, "EAP-MSCHAPv2 OpCode is not Response");
        if (d.length < 5 + RESPONSE_VALUE_SIZE) {
            throw new MalformedEapException(EapDiscard.BAD_MSCHAPV2, "EAP-MSCHAPv2 Response of " + d.length + " octets");
        }
        int msLength = (d[2] & 0xff) << 8 | (d[3] & 0xff);
        if (msLength != d.length) {
            throw new MalformedEapException(EapDiscard.BAD_MSCHAPV2, "EAP-MSCHAPv2 MS-Length " + msLength + " but " + d.length + " octets");
        }
        if ((d[4] & 0xff) != RESPONSE_VALUE_SIZE) {
            throw new MalformedEapException(EapDiscard.BAD_MSCHAPV2, "EAP-MSCHAPv2 Value-Size " + (d[4] & 0xff) + ", not 49");
        }
        return new Response(d[1] & 0xff, Arrays.copyOfRange(d, 5, 21), Arrays.copyOfRange(d, 29, 53),
                Arrays.copyOfRange(d, 5 + RESPONSE_VALUE_SIZE, d.length));
    }

    /**
     * The Name of a Response, or null when {@code d} is not a well-formed Response (relay mode checks the Name
     * against the Identity before the backend sees it; a malformed one is the backend's to refuse).
     */
    static byte[] nameOrNull(byte[] d) {
        try {
            return response(d).name();
        } catch (MalformedEapException e) {
            return null;
        }
    }

    private static byte[] message(OpCode op, int msChapV2Id, String text) {
        byte[] m = text.getBytes(StandardCharsets.US_ASCII);
        byte[] d = new byte[4 + m.length];
        d[0] = (byte) op.code;
        d[1] = (byte) msChapV2Id;
        msLength(d);
        System.arraycopy(m, 0, d, 4, m.length);
        return d;
    }

    private static void msLength(byte[] d) {
        d[2] = (byte) (d.length >>> 8);
        d[3] = (byte) d.length;
    }
}
