package net.l2sec.dataplane.ike.message;

/** ISAKMP exchange types (RFC 2408 section 3.1; Quick Mode RFC 2409 section 5.5). */
public enum ExchangeType {
    BASE(1),
    IDENTITY_PROTECTION(2),
    AUTHENTICATION_ONLY(3),
    AGGRESSIVE(4),
    INFORMATIONAL(5),
    TRANSACTION(6),
    QUICK_MODE(32),
    NEW_GROUP_MODE(33);

    private final int code;

    ExchangeType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the type, or null for an unknown code */
    public static ExchangeType of(int code) {
        for (ExchangeType t : values()) if (t.code == code) return t;
        return null;
    }
}
