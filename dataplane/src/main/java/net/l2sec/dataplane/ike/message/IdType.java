package net.l2sec.dataplane.ike.message;

/**
 * Identification types of ID payloads and NAT-OA payloads (IPsec DOI, RFC 2407 section 4.6.2.1; NAT-OA RFC 3947
 * section 5.1). Payloads keep the code as received: {@link #of(int)} is null for any other.
 */
public enum IdType {
    ID_IPV4_ADDR(1),
    ID_FQDN(2),
    ID_USER_FQDN(3),
    ID_IPV4_ADDR_SUBNET(4),
    ID_IPV6_ADDR(5),
    ID_IPV6_ADDR_SUBNET(6),
    ID_IPV4_ADDR_RANGE(7),
    ID_IPV6_ADDR_RANGE(8),
    ID_DER_ASN1_DN(9),
    ID_DER_ASN1_GN(10),
    ID_KEY_ID(11);

    private final int code;

    IdType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the type, or null for an unknown code */
    public static IdType of(int code) {
        for (IdType t : values()) if (t.code == code) return t;
        return null;
    }
}
