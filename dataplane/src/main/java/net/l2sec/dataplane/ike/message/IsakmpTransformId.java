package net.l2sec.dataplane.ike.message;

/**
 * Transform identifiers of the ISAKMP protocol (IPsec DOI, RFC 2407 section 4.4.2): IKE is the one key exchange
 * there is.
 */
public enum IsakmpTransformId {
    KEY_IKE(1);

    private final int code;

    IsakmpTransformId(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the value, or null for an unknown code */
    public static IsakmpTransformId of(int code) {
        for (IsakmpTransformId v : values()) if (v.code == code) return v;
        return null;
    }
}
