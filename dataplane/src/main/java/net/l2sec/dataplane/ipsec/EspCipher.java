package net.l2sec.dataplane.ipsec;

import java.util.List;
import net.l2sec.dataplane.AlgorithmNames;

/** ESP encryption transforms (IPsec DOI transform ids, RFC 2407 section 4.4.4; GCM per RFC 4106). */
public enum EspCipher {
    /** ESP_3DES (3), 192-bit key, 8-byte IV; legacy. */
    TRIPLE_DES_CBC(3, 192, 8, false),
    /** ESP_AES-CBC (12), RFC 3602; 128/192/256-bit key, 16-byte IV. */
    AES_CBC(12, 0, 16, false),
    /** ESP_AES-GCM with a 16-octet ICV (20), RFC 4106; key plus a 4-octet salt, 8-byte IV. */
    AES_GCM_16(20, 0, 8, true);

    private final int transformId;
    private final int fixedKeyBits;
    private final int ivLength;
    private final boolean aead;

    EspCipher(int transformId, int fixedKeyBits, int ivLength, boolean aead) {
        this.transformId = transformId;
        this.fixedKeyBits = fixedKeyBits;
        this.ivLength = ivLength;
        this.aead = aead;
    }

    public int transformId() {
        return transformId;
    }

    /** Key length for ciphers with one size, 0 for those that take a Key Length attribute. */
    public int fixedKeyBits() {
        return fixedKeyBits;
    }

    public int ivLength() {
        return ivLength;
    }

    /** Combined mode: no separate integrity transform; KEYMAT holds key || 4-byte salt. */
    public boolean aead() {
        return aead;
    }

    /**
     * An ESP cipher as the config names it: the cipher with its key length ({@code aes256}, {@code aes128gcm16},
     * {@code 3des}).
     */
    public record WithKeyLength(EspCipher cipher, int keyBits) {
        /** strongSwan-style name, e.g. {@code aes256}, {@code aes128gcm16}, {@code 3des}. */
        public String configName() {
            return switch (cipher) {
                case AES_CBC -> "aes" + keyBits;
                case AES_GCM_16 -> "aes" + keyBits + "gcm16";
                case TRIPLE_DES_CBC -> "3des";
            };
        }
    }

    private static final List<WithKeyLength> CONFIGURABLE = List.of(new WithKeyLength(AES_CBC, 128),
            new WithKeyLength(AES_CBC, 192), new WithKeyLength(AES_CBC, 256), new WithKeyLength(AES_GCM_16, 128),
            new WithKeyLength(AES_GCM_16, 256), new WithKeyLength(TRIPLE_DES_CBC, 192));
    private static final AlgorithmNames<WithKeyLength> NAMES = new AlgorithmNames<>(CONFIGURABLE, WithKeyLength::configName);

    /**
     * The cipher and key length the config names {@code configName} (any case: {@code aes128}, {@code aes192},
     * {@code aes256}, {@code aes128gcm16}, {@code aes256gcm16}, {@code 3des}); 3DES only with the
     * {@code ipsec.legacy.3des} switch.
     *
     * @throws IllegalArgumentException {@code unknown algorithm "NAME" (known: aes128, ...)}, or
     *                                  {@code 3des is legacy: set ipsec.legacy.3des: true to allow it}
     */
    public static WithKeyLength parse(String configName, boolean legacy3des) {
        return NAMES.parse(configName, c -> c.cipher() == TRIPLE_DES_CBC && !legacy3des, "ipsec.legacy.3des");
    }
}
