package net.l2sec.dataplane.ike.message;

/**
 * Domain of Interpretation of SA, Notification and Delete payloads (RFC 2408 sections 3.4, 3.14, 3.15; the IPsec
 * DOI is RFC 2407 section 4.2). Payloads keep the code as received: {@link #of(int)} is null for any other DOI.
 */
public enum Doi {
    /** A generic ISAKMP SA or notification (RFC 2408 sections 3.4 and 3.14). */
    ISAKMP(0),
    /** The Internet IP Security DOI (RFC 2407 section 4.2). */
    IPSEC(1);

    private final int code;

    Doi(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the DOI, or null for an unknown code */
    public static Doi of(int code) {
        for (Doi d : values()) if (d.code == code) return d;
        return null;
    }
}
