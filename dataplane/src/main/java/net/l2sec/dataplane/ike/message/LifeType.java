package net.l2sec.dataplane.ike.message;

/**
 * Values of the Life Type attribute, the same for ISAKMP SAs (RFC 2409 Appendix A) and IPsec SAs (SA Life Type,
 * RFC 2407 section 4.5): what the Life Duration that follows it counts.
 */
public enum LifeType {
    SECONDS(1),
    KILOBYTES(2);

    private final int code;

    LifeType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the value, or null for an unknown code */
    public static LifeType of(int code) {
        for (LifeType v : values()) if (v.code == code) return v;
        return null;
    }
}
