package net.l2sec.dataplane.ipsec;

import java.util.List;
import net.l2sec.dataplane.AlgorithmNames;

/** ESP integrity (IPsec DOI Authentication Algorithm attribute values, RFC 2407 section 4.5; SHA-2 per RFC 4868). */
public enum EspIntegrity {
    /** For AEAD ciphers only. */
    NONE(0, null, 0, 0),
    HMAC_SHA1_96(2, "HmacSHA1", 160, 12),
    HMAC_SHA2_256_128(5, "HmacSHA256", 256, 16),
    HMAC_SHA2_384_192(6, "HmacSHA384", 384, 24),
    HMAC_SHA2_512_256(7, "HmacSHA512", 512, 32);

    private final int authAlgorithm;
    private final String jceName;
    private final int keyBits;
    private final int icvLength;

    EspIntegrity(int authAlgorithm, String jceName, int keyBits, int icvLength) {
        this.authAlgorithm = authAlgorithm;
        this.jceName = jceName;
        this.keyBits = keyBits;
        this.icvLength = icvLength;
    }

    /** The Authentication Algorithm attribute value in a Quick Mode transform. */
    public int authAlgorithm() {
        return authAlgorithm;
    }

    public String jceName() {
        return jceName;
    }

    public int keyBits() {
        return keyBits;
    }

    /** Truncated ICV length in octets (RFC 2404 96 bits; RFC 4868 half the hash). */
    public int icvLength() {
        return icvLength;
    }

    private static final List<EspIntegrity> CONFIGURABLE = List.of(HMAC_SHA1_96, HMAC_SHA2_256_128, HMAC_SHA2_384_192,
            HMAC_SHA2_512_256);
    private static final AlgorithmNames<EspIntegrity> NAMES = new AlgorithmNames<>(CONFIGURABLE, EspIntegrity::configName);

    /** strongSwan-style name of the HMAC's hash, e.g. {@code sha256}; {@code none} for {@link #NONE}. */
    public String configName() {
        return switch (this) {
            case NONE -> "none";
            case HMAC_SHA1_96 -> "sha1";
            case HMAC_SHA2_256_128 -> "sha256";
            case HMAC_SHA2_384_192 -> "sha384";
            case HMAC_SHA2_512_256 -> "sha512";
        };
    }

    /**
     * The integrity algorithm the config names {@code configName} (any case: {@code sha1}, {@code sha256},
     * {@code sha384}, {@code sha512}).
     *
     * @throws IllegalArgumentException {@code unknown algorithm "NAME" (known: sha1, ...)}
     */
    public static EspIntegrity parse(String configName) {
        return NAMES.parse(configName);
    }
}
