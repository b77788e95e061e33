package net.l2sec.dataplane.ike.message;

/**
 * Attribute types of an IPsec SA transform (IPsec DOI, RFC 2407 section 4.5). A transform keeps its attributes
 * as received: {@link #of(int)} is null for any other type.
 */
public enum IpsecAttribute {
    SA_LIFE_TYPE(1),
    SA_LIFE_DURATION(2),
    GROUP_DESCRIPTION(3),
    ENCAPSULATION_MODE(4),
    AUTHENTICATION_ALGORITHM(5),
    KEY_LENGTH(6),
    KEY_ROUNDS(7),
    COMPRESS_DICTIONARY_SIZE(8),
    COMPRESS_PRIVATE_ALGORITHM(9);

    private final int code;

    IpsecAttribute(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the value, or null for an unknown code */
    public static IpsecAttribute of(int code) {
        for (IpsecAttribute v : values()) if (v.code == code) return v;
        return null;
    }
}
