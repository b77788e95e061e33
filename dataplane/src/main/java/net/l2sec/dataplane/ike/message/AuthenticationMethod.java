package net.l2sec.dataplane.ike.message;

/**
 * Values of the Authentication Method attribute of an ISAKMP SA transform (RFC 2409 Appendix A). Others (e.g.
 * XAUTH's 65001 to 65010) are kept as received: {@link #of(int)} is null for them.
 */
public enum AuthenticationMethod {
    PRE_SHARED_KEY(1),
    DSS_SIGNATURES(2),
    RSA_SIGNATURES(3),
    RSA_ENCRYPTION(4),
    REVISED_RSA_ENCRYPTION(5);

    private final int code;

    AuthenticationMethod(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the value, or null for an unknown code */
    public static AuthenticationMethod of(int code) {
        for (AuthenticationMethod v : values()) if (v.code == code) return v;
        return null;
    }
}
