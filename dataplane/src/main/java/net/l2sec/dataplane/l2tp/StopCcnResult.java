package net.l2sec.dataplane.l2tp;

/** Result codes of a StopCCN (RFC 2661 section 4.4.2). */
public enum StopCcnResult {
    GENERAL_REQUEST(1), GENERAL_ERROR(2), ALREADY_EXISTS(3), NOT_AUTHORIZED(4), UNSUPPORTED_VERSION(5),
    SHUTTING_DOWN(6), FSM_ERROR(7);

    private final int code;

    StopCcnResult(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
