package net.l2sec.dataplane.ikev2.keymat;

import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.AlgorithmNames;
import net.l2sec.dataplane.WireCode;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * IKEv2 integrity algorithms (transform type 3, RFC 7296 section 3.3.2; RFC 4868 for SHA-2), the same numbers
 * for the IKE SA and for ESP; {@link #esp()} is ESP's equivalent.
 */
public enum IntegrityAlgorithm implements WireCode {
    HMAC_SHA1_96(2, "HmacSHA1", 20, 12, EspIntegrity.HMAC_SHA1_96),
    HMAC_SHA2_256_128(12, "HmacSHA256", 32, 16, EspIntegrity.HMAC_SHA2_256_128),
    HMAC_SHA2_384_192(13, "HmacSHA384", 48, 24, EspIntegrity.HMAC_SHA2_384_192),
    HMAC_SHA2_512_256(14, "HmacSHA512", 64, 32, EspIntegrity.HMAC_SHA2_512_256);

    private final int code;
    private final String jceName;
    private final int keyLength;
    private final int icvLength;
    private final EspIntegrity esp;

    IntegrityAlgorithm(int code, String jceName, int keyLength, int icvLength, EspIntegrity esp) {
        this.code = code;
        this.jceName = jceName;
        this.keyLength = keyLength;
        this.icvLength = icvLength;
        this.esp = esp;
    }

    @Override
    public int code() {
        return code;
    }

    public String jceName() {
        return jceName;
    }

    public int keyLength() {
        return keyLength;
    }

    public int icvLength() {
        return icvLength;
    }

    public EspIntegrity esp() {
        return esp;
    }

    public static Optional<IntegrityAlgorithm> of(int code) {
        return WireCode.lookup(values(), code);
    }

    /** The algorithm for ESP's {@code integrity}. */
    public static IntegrityAlgorithm of(EspIntegrity integrity) {
        for (IntegrityAlgorithm a : values()) if (a.esp == integrity) return a;
        throw new IllegalArgumentException(integrity.toString());
    }

    private static final AlgorithmNames<IntegrityAlgorithm> NAMES =
            new AlgorithmNames<>(List.of(values()), a -> a.esp.configName());

    public static IntegrityAlgorithm parse(String configName) {
        return NAMES.parse(configName);
    }
}
