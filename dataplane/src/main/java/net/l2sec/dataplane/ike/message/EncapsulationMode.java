package net.l2sec.dataplane.ike.message;

/**
 * Values of the Encapsulation Mode attribute of an IPsec SA transform: RFC 2407 section 4.5, the UDP-encapsulated
 * modes of RFC 3947 section 5.2, and the values of draft-ietf-ipsec-nat-t-ike-02/03 that older clients send.
 */
public enum EncapsulationMode {
    TUNNEL(1),
    TRANSPORT(2),
    UDP_ENCAPSULATED_TUNNEL(3),
    UDP_ENCAPSULATED_TRANSPORT(4),
    UDP_ENCAPSULATED_TUNNEL_DRAFT(61443),
    UDP_ENCAPSULATED_TRANSPORT_DRAFT(61444);

    private final int code;

    EncapsulationMode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the value, or null for an unknown code */
    public static EncapsulationMode of(int code) {
        for (EncapsulationMode v : values()) if (v.code == code) return v;
        return null;
    }
}
