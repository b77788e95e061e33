package net.l2sec.spi.session;

/**
 * RFC 2866 section 5.10 Acct-Terminate-Cause, the values a PPP/L2TP session can end with; which one a session
 * ends with is given by its {@link EndCause}.
 */
public enum TerminateCause {
    USER_REQUEST(1),
    LOST_CARRIER(2),
    LOST_SERVICE(3),
    IDLE_TIMEOUT(4),
    SESSION_TIMEOUT(5),
    ADMIN_RESET(6),
    ADMIN_REBOOT(7),
    PORT_ERROR(8),
    NAS_ERROR(9),
    NAS_REQUEST(10),
    NAS_REBOOT(11),
    SERVICE_UNAVAILABLE(15),
    USER_ERROR(17);

    private final int code;

    TerminateCause(int code) {
        this.code = code;
    }

    /** The attribute value. */
    public int code() {
        return code;
    }
}
