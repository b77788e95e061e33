package net.l2sec.dataplane.ike.keymat;

import java.util.List;
import net.l2sec.dataplane.AlgorithmNames;

/** Phase-1 encryption algorithms (RFC 2409 Appendix A attribute class 1; AES-CBC 7 per RFC 3602). */
public enum IkeCipher {
    TRIPLE_DES_CBC(5, "3des", "DESede", 8, 192),
    AES_CBC(7, "aes", "AES", 16, 0);

    private final int code;
    private final String label;
    private final String jceName;
    private final int blockSize;
    private final int fixedKeyBits;

    IkeCipher(int code, String label, String jceName, int blockSize, int fixedKeyBits) {
        this.code = code;
        this.label = label;
        this.jceName = jceName;
        this.blockSize = blockSize;
        this.fixedKeyBits = fixedKeyBits;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    public String jceName() {
        return jceName;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Key length when the cipher has one size; 0 when the Key Length attribute is required. */
    public int fixedKeyBits() {
        return fixedKeyBits;
    }

    public static IkeCipher of(int code) {
        for (IkeCipher c : values()) if (c.code == code) return c;
        return null;
    }

    /** A phase-1 cipher as the config names it: the cipher with its key length ({@code aes256}, {@code 3des}). */
    public record WithKeyLength(IkeCipher cipher, int keyBits) {
        /** strongSwan-style name, e.g. {@code aes256}, {@code 3des}. */
        public String configName() {
            return cipher == AES_CBC ? "aes" + keyBits : cipher.label;
        }
    }

    private static final List<WithKeyLength> CONFIGURABLE = List.of(new WithKeyLength(AES_CBC, 128),
            new WithKeyLength(AES_CBC, 192), new WithKeyLength(AES_CBC, 256), new WithKeyLength(TRIPLE_DES_CBC, 192));
    private static final AlgorithmNames<WithKeyLength> NAMES = new AlgorithmNames<>(CONFIGURABLE, WithKeyLength::configName);

    /**
     * The cipher and key length the config names {@code configName} (any case: {@code aes128}, {@code aes192},
     * {@code aes256}, {@code 3des}); 3DES only with the {@code ipsec.legacy.3des} switch.
     *
     * @throws IllegalArgumentException {@code unknown algorithm "NAME" (known: aes128, ...)}, or
     *                                  {@code 3des is legacy: set ipsec.legacy.3des: true to allow it}
     */
    public static WithKeyLength parse(String configName, boolean legacy3des) {
        return NAMES.parse(configName, c -> c.cipher() == TRIPLE_DES_CBC && !legacy3des, "ipsec.legacy.3des");
    }
}
