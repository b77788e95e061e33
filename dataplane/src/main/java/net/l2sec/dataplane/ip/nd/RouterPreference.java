package net.l2sec.dataplane.ip.nd;

import java.util.Locale;
import java.util.Optional;

/**
 * Default Router Preference (RFC 4191 section 2.1), the Prf bits of a Router Advertisement: among default routers
 * of the same metric a host prefers the higher, so a client whose own network also advertises a default router
 * still sends its IPv6 through the tunnel when this is {@code HIGH}. The value 10 is reserved.
 */
public enum RouterPreference {
    HIGH(0b01),
    MEDIUM(0b00),
    LOW(0b11);

    private final int bits;

    RouterPreference(int bits) {
        this.bits = bits;
    }

    /** The two Prf bits. */
    public int bits() {
        return bits;
    }

    /** The preference of Prf bits {@code bits}; the reserved value 10 is read as MEDIUM (section 2.2). */
    public static RouterPreference ofBits(int bits) {
        for (RouterPreference p : values()) if (p.bits == (bits & 0b11)) return p;
        return MEDIUM;
    }

    /** As configured: high, medium or low. */
    public static Optional<RouterPreference> of(String name) {
        for (RouterPreference p : values()) if (p.name().toLowerCase(Locale.ROOT).equals(name)) return Optional.of(p);
        return Optional.empty();
    }
}
