package net.l2sec.dataplane.ike.message;

/** ISAKMP next-payload codes (RFC 2408 section 3.1; NAT-T RFC 3947 and draft-ietf-ipsec-nat-t-ike-02/03). */
public final class PayloadType {
    public static final int NONE = 0;
    public static final int SA = 1;
    public static final int PROPOSAL = 2;
    public static final int TRANSFORM = 3;
    public static final int KE = 4;
    public static final int ID = 5;
    public static final int CERT = 6;
    public static final int CR = 7;
    public static final int HASH = 8;
    public static final int SIG = 9;
    public static final int NONCE = 10;
    public static final int NOTIFY = 11;
    public static final int DELETE = 12;
    public static final int VENDOR_ID = 13;
    public static final int NAT_D = 20;
    public static final int NAT_OA = 21;
    public static final int NAT_D_DRAFT = 130;
    public static final int NAT_OA_DRAFT = 131;
    /** IKEv1 fragmentation (MS-IKEE section 2.2.3.1; private range). */
    public static final int FRAGMENT = 132;

    private PayloadType() {
    }
}
