package net.l2sec.dataplane.l2tp;

/** IETF attribute types (vendor id 0) of RFC 2661 section 4.4. */
public enum AvpType {
    MESSAGE_TYPE(0), RESULT_CODE(1), PROTOCOL_VERSION(2), FRAMING_CAPABILITIES(3), BEARER_CAPABILITIES(4),
    TIE_BREAKER(5), FIRMWARE_REVISION(6), HOST_NAME(7), VENDOR_NAME(8), ASSIGNED_TUNNEL_ID(9),
    RECEIVE_WINDOW_SIZE(10), CHALLENGE(11), Q931_CAUSE_CODE(12), CHALLENGE_RESPONSE(13), ASSIGNED_SESSION_ID(14),
    CALL_SERIAL_NUMBER(15), MINIMUM_BPS(16), MAXIMUM_BPS(17), BEARER_TYPE(18), FRAMING_TYPE(19),
    CALLED_NUMBER(21), CALLING_NUMBER(22), SUB_ADDRESS(23), TX_CONNECT_SPEED(24), PHYSICAL_CHANNEL_ID(25),
    INITIAL_RECEIVED_LCP_CONFREQ(26), LAST_SENT_LCP_CONFREQ(27), LAST_RECEIVED_LCP_CONFREQ(28),
    PROXY_AUTHEN_TYPE(29), PROXY_AUTHEN_NAME(30), PROXY_AUTHEN_CHALLENGE(31), PROXY_AUTHEN_ID(32),
    PROXY_AUTHEN_RESPONSE(33), CALL_ERRORS(34), ACCM(35), RANDOM_VECTOR(36), PRIVATE_GROUP_ID(37),
    RX_CONNECT_SPEED(38), SEQUENCING_REQUIRED(39);

    /** Vendor id of every type here: the IETF. */
    public static final int IETF = 0;

    private final int code;

    AvpType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The recognised type for ({@code vendorId}, {@code code}), or {@code null}: we know no vendor AVPs. */
    public static AvpType of(int vendorId, int code) {
        if (vendorId != IETF) return null;
        for (AvpType t : values()) if (t.code == code) return t;
        return null;
    }
}
