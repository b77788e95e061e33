package net.l2sec.dataplane.ikev2.keymat;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;
import net.l2sec.dataplane.ipsec.EspCipher;

/**
 * IKEv2 encryption algorithms (transform type 1, RFC 7296 section 3.3.2; AES-GCM with a 16-octet ICV per RFC 5282
 * for the IKE SA and RFC 4106 for ESP); the same numbers for both. {@link #esp()} is ESP's equivalent.
 */
public enum EncryptionAlgorithm implements WireCode {
    ENCR_3DES(3, 192, 8, 8, false, EspCipher.TRIPLE_DES_CBC),
    ENCR_AES_CBC(12, 0, 16, 16, false, EspCipher.AES_CBC),
    ENCR_AES_GCM_16(20, 0, 8, 4, true, EspCipher.AES_GCM_16);

    /** AES-GCM's salt, the last four octets of its key material (RFC 5282 section 7.1, RFC 4106 section 8.1). */
    public static final int GCM_SALT = 4;
    public static final int GCM_ICV = 16;

    private final int code;
    private final int fixedKeyBits;
    private final int ivLength;
    /** CBC: the block size the plaintext pads to; GCM: 4 (RFC 5282 pads to 4 octets at least, any block works). */
    private final int blockLength;
    private final boolean aead;
    private final EspCipher esp;

    EncryptionAlgorithm(int code, int fixedKeyBits, int ivLength, int blockLength, boolean aead, EspCipher esp) {
        this.code = code;
        this.fixedKeyBits = fixedKeyBits;
        this.ivLength = ivLength;
        this.blockLength = blockLength;
        this.aead = aead;
        this.esp = esp;
    }

    @Override
    public int code() {
        return code;
    }

    public int fixedKeyBits() {
        return fixedKeyBits;
    }

    public int ivLength() {
        return ivLength;
    }

    public int blockLength() {
        return blockLength;
    }

    public boolean aead() {
        return aead;
    }

    public EspCipher esp() {
        return esp;
    }

    /** Octets of key material: the key, plus the salt for GCM. */
    public int keyMaterialLength(int keyBits) {
        return keyBits / 8 + (aead ? GCM_SALT : 0);
    }

    public static Optional<EncryptionAlgorithm> of(int code) {
        return WireCode.lookup(values(), code);
    }

    public static EncryptionAlgorithm of(EspCipher cipher) {
        for (EncryptionAlgorithm a : values()) if (a.esp == cipher) return a;
        throw new IllegalArgumentException(cipher.toString());
    }
}
