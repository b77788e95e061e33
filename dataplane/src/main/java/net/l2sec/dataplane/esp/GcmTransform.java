package net.l2sec.dataplane.esp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM with a 16-octet ICV for ESP (RFC 4106). The nonce is the 4-octet salt from KEYMAT followed by the 8-octet
 * explicit IV (section 4); the IV is the sequence number, unique per key as section 3.1 requires. The AAD is
 * SPI and 32-bit Sequence Number (section 5). Padding aligns to 4 octets (GCM is a stream mode).
 */
final class GcmTransform implements EspTransform {
    static final int SALT_LENGTH = 4;
    static final int IV_LENGTH = 8;
    static final int TAG_LENGTH = 16;

    private final byte[] key;
    private final SecretKeySpec keySpec;
    private final Cipher cipher;
    /** salt | IV */
    private final byte[] nonce = new byte[SALT_LENGTH + IV_LENGTH];

    GcmTransform(byte[] key, byte[] salt) {
        if (salt.length != SALT_LENGTH) throw new IllegalArgumentException("GCM salt must be 4 octets");
        this.key = key;
        System.arraycopy(salt, 0, nonce, 0, SALT_LENGTH);
        Arrays.fill(salt, (byte) 0);
        try {
            this.keySpec = new SecretKeySpec(key, "AES");
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(TAG_LENGTH * 8, nonce)); // key check
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("AES-GCM with a " + key.length + "-octet key", e);
        }
    }

    @Override
    public int ivLength() {
        return IV_LENGTH;
    }

    @Override
    public int alignment() {
        return 4;
    }

    @Override
    public int icvLength() {
        return TAG_LENGTH;
    }

    @Override
    public void seal(ByteBuf packet, int start, int plaintextLength, long seq) {
        packet.setLong(start + 8, seq);
        int textAt = start + 8 + IV_LENGTH;
        try {
            init(Cipher.ENCRYPT_MODE, packet, start);
            if (packet.hasArray()) {
                byte[] a = packet.array();
                int at = packet.arrayOffset() + textAt;
                cipher.doFinal(a, at, plaintextLength, a, at);
            } else {
                cipher.doFinal(packet.nioBuffer(textAt, plaintextLength), packet.nioBuffer(textAt, plaintextLength + TAG_LENGTH));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public EspDropReason open(ByteBuf packet, int start, int length, ByteBuf out) {
        int textAt = start + 8 + IV_LENGTH;
        int n = length - 8 - IV_LENGTH - TAG_LENGTH;
        int outAt = out.writerIndex();
        try {
            init(Cipher.DECRYPT_MODE, packet, start);
            if (packet.hasArray() && out.hasArray() && packet.array() != out.array()) {
                // distinct arrays (pooled buffers may share their chunk's): with one array the JCE either avoids its
                // combined GHASH+CTR intrinsic (in place) or copies into a new array as long as the whole chunk
                cipher.doFinal(packet.array(), packet.arrayOffset() + textAt, n + TAG_LENGTH, out.array(),
                        out.arrayOffset() + outAt);
            } else {
                cipher.doFinal(packet.nioBuffer(textAt, n + TAG_LENGTH), out.nioBuffer(outAt, n));
            }
        } catch (AEADBadTagException e) {
            return EspDropReason.INTEGRITY;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
        out.writerIndex(outAt + n);
        return null;
    }

    /** Nonce = salt | IV; AAD = SPI | Sequence Number (RFC 4106 sections 4 and 5). */
    private void init(int mode, ByteBuf packet, int start) throws GeneralSecurityException {
        packet.getBytes(start + 8, nonce, SALT_LENGTH, IV_LENGTH);
        cipher.init(mode, keySpec, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        if (packet.hasArray()) {
            cipher.updateAAD(packet.array(), packet.arrayOffset() + start, 8);
        } else {
            cipher.updateAAD(packet.nioBuffer(start, 8));
        }
    }

    @Override
    public String name() {
        return "aes" + key.length * 8 + "-gcm16";
    }

    @Override
    public void wipe() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(nonce, (byte) 0);
    }
}
