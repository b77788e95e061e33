package net.l2sec.dataplane.esp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * AES-CBC (RFC 3602) or 3DES-CBC (RFC 2451) with an HMAC ICV. The IV is unpredictable per packet (RFC 3602 section
 * 3), from the SA's own {@link CbcIvGenerator}. Encryption is in place (the JCE's {@code doFinal} is copy-safe:
 * input and output may be the same memory at the same offset). Inbound, the ICV is verified before
 * anything is decrypted (RFC 4303 section 3.4.4.1).
 */
final class CbcTransform implements EspTransform {
    /** Where the IVs come from. */
    @FunctionalInterface
    interface IvSource {
        /** Fills {@code iv} with the next IV. */
        void nextIv(byte[] iv);
    }

    private final EspCipher algorithm;
    private final byte[] key;
    private final SecretKeySpec keySpec;
    private final Cipher cipher;
    private final Integrity integrity;
    private final IvSource ivSource;
    private final byte[] iv;

    CbcTransform(EspCipher algorithm, byte[] key, EspIntegrity integrityAlgorithm, byte[] integrityKey) {
        this(algorithm, key, integrityAlgorithm, integrityKey, new CbcIvGenerator(new SecureRandom()));
    }

    /** @param ivSource where IVs come from; a fixed source only in known-answer tests */
    CbcTransform(EspCipher algorithm, byte[] key, EspIntegrity integrityAlgorithm, byte[] integrityKey,
                 IvSource ivSource) {
        this.ivSource = ivSource;
        if (algorithm.aead() || integrityAlgorithm == EspIntegrity.NONE) {
            throw new IllegalArgumentException(algorithm + " needs an integrity transform");
        }
        this.algorithm = algorithm;
        this.key = key;
        String jce = algorithm == EspCipher.TRIPLE_DES_CBC ? "DESede" : "AES";
        try {
            this.keySpec = new SecretKeySpec(key, jce);
            this.cipher = Cipher.getInstance(jce + "/CBC/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keySpec, new IvParameterSpec(new byte[algorithm.ivLength()])); // key check
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(algorithm + " with a " + key.length + "-octet key", e);
        }
        this.integrity = new Integrity(integrityAlgorithm, integrityKey);
        this.iv = new byte[algorithm.ivLength()];
    }

    @Override
    public int ivLength() {
        return iv.length;
    }

    @Override
    public int alignment() {
        return iv.length; // the block size equals the IV size for both ciphers
    }

    @Override
    public int icvLength() {
        return integrity.icvLength();
    }

    @Override
    public void seal(ByteBuf packet, int start, int plaintextLength, long seq) {
        int ivAt = start + 8;
        int textAt = ivAt + iv.length;
        ivSource.nextIv(iv);
        packet.setBytes(ivAt, iv);
        crypt(Cipher.ENCRYPT_MODE, packet, textAt, plaintextLength, packet, textAt);
        integrity.sign(packet, start, 8 + iv.length + plaintextLength);
    }

    @Override
    public EspDropReason open(ByteBuf packet, int start, int length, ByteBuf out) {
        int icvAt = length - integrity.icvLength();
        if (!integrity.verify(packet, start, icvAt)) return EspDropReason.INTEGRITY;
        packet.getBytes(start + 8, iv);
        int textAt = start + 8 + iv.length;
        int n = icvAt - 8 - iv.length;
        crypt(Cipher.DECRYPT_MODE, packet, textAt, n, out, out.writerIndex());
        out.writerIndex(out.writerIndex() + n);
        return null;
    }

    private void crypt(int mode, ByteBuf in, int inAt, int n, ByteBuf out, int outAt) {
        try {
            cipher.init(mode, keySpec, new IvParameterSpec(iv));
            if (in.hasArray() && out.hasArray()) {
                cipher.doFinal(in.array(), in.arrayOffset() + inAt, n, out.array(), out.arrayOffset() + outAt);
            } else {
                cipher.doFinal(in.nioBuffer(inAt, n), out.nioBuffer(outAt, n));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " failed", e); // lengths are checked before: a bug
        }
    }

    @Override
    public String name() {
        String c = algorithm == EspCipher.TRIPLE_DES_CBC ? "3des-cbc" : "aes" + key.length * 8 + "-cbc";
        return c + "/" + integrity.algorithm().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public void wipe() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(iv, (byte) 0);
        if (ivSource instanceof CbcIvGenerator g) g.wipe();
        integrity.wipe();
    }
}
