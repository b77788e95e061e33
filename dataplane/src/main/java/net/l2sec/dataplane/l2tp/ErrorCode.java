package net.l2sec.dataplane.l2tp;

/** General error codes carried after the result code in a Result Code AVP (RFC 2661 section 4.4.2). */
public enum ErrorCode {
    NO_ERROR(0), NO_CONTROL_CONNECTION(1), BAD_LENGTH(2), OUT_OF_RANGE(3), INSUFFICIENT_RESOURCES(4),
    INVALID_SESSION_ID(5), VENDOR_ERROR(6), TRY_ANOTHER(7), UNKNOWN_MANDATORY_AVP(8);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
