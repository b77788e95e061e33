package net.l2sec.spi.session;

/** RFC 2866 section 5.10 Acct-Terminate-Cause, the values a PPP/L2TP session can end with. */
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

    /**
     * Maps the end cause labels the dataplane logs (PPP's {@code idle_timeout}, L2TP's {@code peer request}, ...)
     * to the RADIUS value.
     */
    public static TerminateCause ofEndCause(String cause) {
        if (cause == null) return NAS_ERROR;
        return switch (cause.replace(' ', '_')) {
            case "peer_terminate", "peer_request" -> USER_REQUEST;
            case "echo_timeout", "retransmit_limit", "hello_timeout", "transport_down", "tunnel_down", "ike_deleted",
                 "dpd_timeout" -> LOST_CARRIER;
            case "idle_timeout" -> IDLE_TIMEOUT;
            case "session_timeout" -> SESSION_TIMEOUT;
            case "admin_disconnect", "radius_disconnect" -> ADMIN_RESET;
            case "shutdown" -> ADMIN_REBOOT;
            case "address_in_use", "pool_exhausted", "no_pool", "no_resources" -> SERVICE_UNAVAILABLE;
            case "protocol_error", "unknown_mandatory_avp", "ipcp_closed", "ipcp_timeout", "lcp_timeout" -> PORT_ERROR;
            default -> NAS_REQUEST;
        };
    }
}
