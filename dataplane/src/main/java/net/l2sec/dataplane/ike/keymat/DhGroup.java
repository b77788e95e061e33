package net.l2sec.dataplane.ike.keymat;

import java.math.BigInteger;
import java.util.List;
import net.l2sec.dataplane.AlgorithmNames;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.params.DHParameters;

/**
 * Diffie-Hellman groups: MODP (RFC 2409 section 6.2, RFC 3526) and ECP (RFC 5903). The MODP primes are Bouncy
 * Castle's copies of the RFC values.
 *
 * <p>A MODP private exponent needs about twice the group's security strength in bits, not the prime's length
 * (RFC 3526 section 8 lists 160 to 320 bits for the 2048-bit group; NIST SP 800-56A rev. 3 section 5.6.1.1.1
 * asks at least twice the strength). Without a length the JDK draws exponents as long as the prime and a MODP2048
 * responder spends about four times the work for no security. Ours: 160 bits for MODP1024 (80-bit strength),
 * 240 for MODP1536 (RFC 3526: up to 120), 256 for MODP2048 (above twice its 112-bit strength).
 */
public enum DhGroup {
    MODP1024(2, "modp1024", DHStandardGroups.rfc2409_1024, null, 128, 160),
    MODP1536(5, "modp1536", DHStandardGroups.rfc3526_1536, null, 192, 240),
    MODP2048(14, "modp2048", DHStandardGroups.rfc3526_2048, null, 256, 256),
    ECP256(19, "ecp256", null, "secp256r1", 32, 0),
    ECP384(20, "ecp384", null, "secp384r1", 48, 0),
    /** RFC 5903 section 3.3: P-521; a coordinate is ceiling(521 / 8) = 66 octets (section 7). */
    ECP521(21, "ecp521", null, "secp521r1", 66, 0);

    private final int code;
    private final String label;
    private final DHParameters modp;
    private final String curve;
    private final int length;
    private final int privateExponentBits;

    DhGroup(int code, String label, DHParameters modp, String curve, int length, int privateExponentBits) {
        this.code = code;
        this.label = label;
        this.modp = modp;
        this.curve = curve;
        this.length = length;
        this.privateExponentBits = privateExponentBits;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    public boolean elliptic() {
        return curve != null;
    }

    /** Octets of the prime (MODP) or of one coordinate (ECP); the public value is one resp. two of these. */
    public int length() {
        return length;
    }

    public int publicValueLength() {
        return elliptic() ? 2 * length : length;
    }

    BigInteger prime() {
        return modp.getP();
    }

    BigInteger generator() {
        return modp.getG();
    }

    /** MODP: the length in bits of the private exponents we draw (see the class comment); ECP: 0. */
    int privateExponentBits() {
        return privateExponentBits;
    }

    String curve() {
        return curve;
    }

    public static DhGroup of(int code) {
        for (DhGroup g : values()) if (g.code == code) return g;
        return null;
    }

    private static final AlgorithmNames<DhGroup> NAMES = new AlgorithmNames<>(List.of(values()), DhGroup::label);

    /**
     * The group the config names {@code configName} (its {@link #label()}, any case: {@code modp2048}); MODP1024
     * only with the {@code ipsec.legacy.modp1024} switch.
     *
     * @throws IllegalArgumentException {@code unknown algorithm "NAME" (known: modp1024, ...)}, or
     *                                  {@code modp1024 is legacy: set ipsec.legacy.modp1024: true to allow it}
     */
    public static DhGroup parse(String configName, boolean legacyModp1024) {
        return NAMES.parse(configName, g -> g == MODP1024 && !legacyModp1024, "ipsec.legacy.modp1024");
    }
}
