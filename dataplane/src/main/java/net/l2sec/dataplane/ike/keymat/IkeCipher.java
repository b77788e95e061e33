package net.l2sec.dataplane.ike.keymat;

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
}
