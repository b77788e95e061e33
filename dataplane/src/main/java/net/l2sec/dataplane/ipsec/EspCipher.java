package net.l2sec.dataplane.ipsec;

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
}
