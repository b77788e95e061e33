package net.l2sec.dataplane.ppp.cp;

import java.util.Optional;

/**
 * Control protocol Code field values (RFC 1661 section 5); codes 8 to 11 exist in LCP only, and so does 12,
 * Identification (RFC 1570 section 2.1).
 */
public enum ControlCode {
    CONFIGURE_REQUEST(1),
    CONFIGURE_ACK(2),
    CONFIGURE_NAK(3),
    CONFIGURE_REJECT(4),
    TERMINATE_REQUEST(5),
    TERMINATE_ACK(6),
    CODE_REJECT(7),
    PROTOCOL_REJECT(8),
    ECHO_REQUEST(9),
    ECHO_REPLY(10),
    DISCARD_REQUEST(11),
    IDENTIFICATION(12);

    private final int code;

    ControlCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for the codes every control protocol has (RFC 1661 section 5.1 to 5.6). */
    public boolean common() {
        return code <= 7;
    }

    public static Optional<ControlCode> of(int code) {
        return code >= 1 && code <= 12 ? Optional.of(values()[code - 1]) : Optional.empty();
    }
}
