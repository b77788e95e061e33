package net.l2sec.dataplane.ike.keymat;

import java.util.List;
import net.l2sec.dataplane.AlgorithmNames;

/** Phase-1 hash algorithms (RFC 2409 Appendix A attribute class 2; SHA-2 values per RFC 4868 / IANA). */
public enum IkeHash {
    SHA1(2, "sha1", "HmacSHA1", "SHA-1", 20),
    SHA2_256(4, "sha256", "HmacSHA256", "SHA-256", 32),
    SHA2_384(5, "sha384", "HmacSHA384", "SHA-384", 48),
    SHA2_512(6, "sha512", "HmacSHA512", "SHA-512", 64);

    private final int code;
    private final String label;
    private final String hmac;
    private final String digest;
    private final int length;

    IkeHash(int code, String label, String hmac, String digest, int length) {
        this.code = code;
        this.label = label;
        this.hmac = hmac;
        this.digest = digest;
        this.length = length;
    }

    public int code() {
        return code;
    }

    /** strongSwan-style name, e.g. {@code sha256}. */
    public String label() {
        return label;
    }

    public String hmacName() {
        return hmac;
    }

    public String digestName() {
        return digest;
    }

    public int length() {
        return length;
    }

    public static IkeHash of(int code) {
        for (IkeHash h : values()) if (h.code == code) return h;
        return null;
    }

    private static final AlgorithmNames<IkeHash> NAMES = new AlgorithmNames<>(List.of(values()), IkeHash::label);

    /**
     * The hash the config names {@code configName} (its {@link #label()}, any case: {@code sha256}).
     *
     * @throws IllegalArgumentException {@code unknown algorithm "NAME" (known: sha1, sha256, ...)}
     */
    public static IkeHash parse(String configName) {
        return NAMES.parse(configName);
    }
}
