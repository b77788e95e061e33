package net.l2sec.dataplane.ike.message;

import java.util.HashMap;
import java.util.Map;

/**
 * Notify message types: the errors of RFC 2408 section 3.14.1 (1 to 30), the IPsec DOI status types of RFC 2407
 * section 4.6.3 and DPD's of RFC 3706 section 6. A Notification payload keeps the code as received, so an unknown
 * type decodes like any other ({@link #of(int)} is null for it) and is logged and ignored by who reads it.
 */
public enum NotifyType {
    INVALID_PAYLOAD_TYPE(1),
    DOI_NOT_SUPPORTED(2),
    SITUATION_NOT_SUPPORTED(3),
    INVALID_COOKIE(4),
    INVALID_MAJOR_VERSION(5),
    INVALID_MINOR_VERSION(6),
    INVALID_EXCHANGE_TYPE(7),
    INVALID_FLAGS(8),
    INVALID_MESSAGE_ID(9),
    INVALID_PROTOCOL_ID(10),
    INVALID_SPI(11),
    INVALID_TRANSFORM_ID(12),
    ATTRIBUTES_NOT_SUPPORTED(13),
    NO_PROPOSAL_CHOSEN(14),
    BAD_PROPOSAL_SYNTAX(15),
    PAYLOAD_MALFORMED(16),
    INVALID_KEY_INFORMATION(17),
    INVALID_ID_INFORMATION(18),
    INVALID_CERT_ENCODING(19),
    INVALID_CERTIFICATE(20),
    CERT_TYPE_UNSUPPORTED(21),
    INVALID_CERT_AUTHORITY(22),
    INVALID_HASH_INFORMATION(23),
    AUTHENTICATION_FAILED(24),
    INVALID_SIGNATURE(25),
    ADDRESS_NOTIFICATION(26),
    NOTIFY_SA_LIFETIME(27),
    CERTIFICATE_UNAVAILABLE(28),
    UNSUPPORTED_EXCHANGE_TYPE(29),
    UNEQUAL_PAYLOAD_LENGTHS(30),
    /** RFC 2407 section 4.6.3.1. */
    RESPONDER_LIFETIME(24576),
    /** RFC 2407 section 4.6.3.2. */
    REPLAY_STATUS(24577),
    /** RFC 2407 section 4.6.3.3. */
    INITIAL_CONTACT(24578),
    /** RFC 3706 section 6. */
    R_U_THERE(36136),
    R_U_THERE_ACK(36137);

    private static final Map<Integer, NotifyType> BY_CODE = new HashMap<>();

    static {
        for (NotifyType t : values()) BY_CODE.put(t.code, t);
    }

    private final int code;

    NotifyType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the type, or null for a code not listed here */
    public static NotifyType of(int code) {
        return BY_CODE.get(code);
    }
}
