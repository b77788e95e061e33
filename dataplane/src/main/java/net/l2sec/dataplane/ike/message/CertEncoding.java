package net.l2sec.dataplane.ike.message;

/**
 * Certificate encodings of CERT and CR payloads (RFC 2408 section 3.9). Payloads keep the code as received:
 * {@link #of(int)} is null for any other.
 */
public enum CertEncoding {
    NONE(0),
    PKCS7_WRAPPED_X509(1),
    PGP(2),
    DNS_SIGNED_KEY(3),
    X509_SIGNATURE(4),
    X509_KEY_EXCHANGE(5),
    KERBEROS_TOKENS(6),
    CRL(7),
    ARL(8),
    SPKI(9),
    X509_ATTRIBUTE(10);

    private final int code;

    CertEncoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the encoding, or null for an unknown code */
    public static CertEncoding of(int code) {
        for (CertEncoding e : values()) if (e.code == code) return e;
        return null;
    }
}
