package net.l2sec.dataplane.ike.message;

/**
 * Protocol identifiers of Proposal, Notification and Delete payloads (IPsec DOI, RFC 2407 section 4.4.1).
 * Payloads keep the code as received: {@link #of(int)} is null for any other.
 */
public enum ProtocolId {
    PROTO_ISAKMP(1),
    PROTO_IPSEC_AH(2),
    PROTO_IPSEC_ESP(3),
    PROTO_IPCOMP(4);

    private final int code;

    ProtocolId(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the protocol, or null for an unknown code */
    public static ProtocolId of(int code) {
        for (ProtocolId p : values()) if (p.code == code) return p;
        return null;
    }
}
