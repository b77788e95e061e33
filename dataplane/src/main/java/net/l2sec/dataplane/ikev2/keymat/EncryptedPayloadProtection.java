package net.l2sec.dataplane.ikev2.keymat;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2DecodeException;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.PayloadType;

/**
 * One direction's protection of the Encrypted payload (RFC 7296 section 3.14) and of its fragments (RFC 7383
 * section 2.5): AES-CBC or 3DES with an HMAC ICV over the whole message before the ICV, or AES-GCM (RFC 5282) with
 * everything in front of the IV as associated data. What goes in front of the IV (the IKE header, the SK or SKF
 * generic header, a fragment's number and total) is authenticated in both cases.
 */
public final class EncryptedPayloadProtection {
    private static final int GENERIC_HEADER = 4;
    private static final int FRAGMENT_HEADER = 4;

    private final EncryptionAlgorithm cipher;
    private final IntegrityAlgorithm integrity;
    private final SecretKeySpec encryptionKey;
    private final byte[] salt;
    private final SecretKeySpec integrityKey;
    private final SecureRandom random;
    /**
     * GCM's explicit IVs: a counter from a random start, never repeated under one key (RFC 5282 section 3.1), also
     * when several threads seal at once (atomic: a repeated nonce would give the authentication key away).
     */
    private final AtomicLong nextIv;

    EncryptedPayloadProtection(EncryptionAlgorithm cipher, int keyBits, IntegrityAlgorithm integrity, byte[] encKey,
                               byte[] integKey, SecureRandom random) {
        this.cipher = cipher;
        this.integrity = cipher.aead() ? null : integrity;
        int keyLen = keyBits / 8;
        String alg = cipher == EncryptionAlgorithm.ENCR_3DES ? "DESede" : "AES";
        this.encryptionKey = new SecretKeySpec(encKey, 0, keyLen, alg);
        this.salt = cipher.aead() ? Arrays.copyOfRange(encKey, keyLen, keyLen + EncryptionAlgorithm.GCM_SALT) : new byte[0];
        this.integrityKey = this.integrity == null ? null : new SecretKeySpec(integKey, this.integrity.jceName());
        this.random = random;
        this.nextIv = new AtomicLong(random.nextLong());
    }

    /** Our outbound (responder to initiator: SK_er, SK_ar) and inbound (SK_ei, SK_ai) protection of an IKE SA. */
    public record Pair(EncryptedPayloadProtection outbound, EncryptedPayloadProtection inbound) {
        public static Pair responder(IkeSaKeys keys, EncryptionAlgorithm cipher, int keyBits, IntegrityAlgorithm integrity,
                                     SecureRandom random) {
            return new Pair(new EncryptedPayloadProtection(cipher, keyBits, integrity, keys.skEr(), keys.skAr(), random),
                    new EncryptedPayloadProtection(cipher, keyBits, integrity, keys.skEi(), keys.skAi(), random));
        }

        /** The original initiator's side of the same IKE SA (tests, the load generator): SK_ei/SK_ai out, SK_er/SK_ar in. */
        public static Pair initiator(IkeSaKeys keys, EncryptionAlgorithm cipher, int keyBits, IntegrityAlgorithm integrity,
                                     SecureRandom random) {
            return new Pair(new EncryptedPayloadProtection(cipher, keyBits, integrity, keys.skEi(), keys.skAi(), random),
                    new EncryptedPayloadProtection(cipher, keyBits, integrity, keys.skEr(), keys.skAr(), random));
        }
    }

    /** Octets the protection adds around the plaintext at most: IV, padding, pad length, ICV. */
    public int overhead() {
        return cipher.ivLength() + cipher.blockLength() + icvLength();
    }

    private int icvLength() {
        return cipher.aead() ? EncryptionAlgorithm.GCM_ICV : integrity.icvLength();
    }

    /** The whole message: {@code header} (next payload and length filled in) and {@code inner} inside one SK payload. */
    public byte[] seal(Ikev2Header header, List<Payload> inner) {
        byte[] plain = Ikev2Codec.encodePayloads(inner);
        int first = inner.isEmpty() ? 0 : Ikev2Codec.typeOf(inner.getFirst());
        return protect(header, PayloadType.SK.code(), first, null, plain);
    }

    /** The whole message around payloads already encoded ({@code firstInner} is the first one's type). */
    public byte[] seal(Ikev2Header header, int firstInner, byte[] encodedPayloads) {
        return protect(header, PayloadType.SK.code(), firstInner, null, encodedPayloads);
    }

    /**
     * The message as fragments (RFC 7383 section 2.5) whose datagrams (IKE message plus {@code overheadPerDatagram}
     * for IP, UDP and the non-ESP marker) stay within {@code maxDatagram}; one fragment when it fits.
     */
    public List<byte[]> sealFragments(Ikev2Header header, List<Payload> inner, int maxDatagram, int overheadPerDatagram) {
        byte[] plain = Ikev2Codec.encodePayloads(inner);
        int first = inner.isEmpty() ? 0 : Ikev2Codec.typeOf(inner.getFirst());
        int room = maxDatagram - overheadPerDatagram - Ikev2Header.LENGTH - GENERIC_HEADER - FRAGMENT_HEADER - overhead();
        if (room < 64) throw new IllegalArgumentException("datagram limit too small for fragments: " + maxDatagram);
        int total = Math.max(1, (plain.length + room - 1) / room);
        List<byte[]> out = new ArrayList<>(total);
        for (int n = 1; n <= total; n++) {
            byte[] part = Arrays.copyOfRange(plain, (n - 1) * room, Math.min(plain.length, n * room));
            out.add(protect(header, PayloadType.SKF.code(), n == 1 ? first : 0, new int[] {n, total}, part));
        }
        return out;
    }

    private byte[] protect(Ikev2Header header, int payloadType, int first, int[] fragment, byte[] plain) {
        int block = cipher.blockLength();
        int padded = cipher.aead() ? plain.length + 1 : (plain.length + 1 + block - 1) / block * block;
        int padLength = padded - plain.length - 1;
        int ivLen = cipher.ivLength();
        int icv = icvLength();
        int prefix = Ikev2Header.LENGTH + GENERIC_HEADER + (fragment != null ? FRAGMENT_HEADER : 0);
        int length = prefix + ivLen + padded + icv;
        byte[] m = new byte[length];
        Ikev2Codec.writeHeader(m, header.withLength(length).withNextPayload(payloadType));
        int g = Ikev2Header.LENGTH;
        m[g] = (byte) first;
        int payloadLength = length - Ikev2Header.LENGTH;
        if (payloadLength > 0xffff) {
            throw new IllegalArgumentException("an Encrypted payload of " + payloadLength + " octets: seal it as fragments");
        }
        m[g + 2] = (byte) (payloadLength >> 8);
        m[g + 3] = (byte) payloadLength;
        if (fragment != null) {
            m[g + 4] = (byte) (fragment[0] >> 8);
            m[g + 5] = (byte) fragment[0];
            m[g + 6] = (byte) (fragment[1] >> 8);
            m[g + 7] = (byte) fragment[1];
        }
        byte[] padPlain = Arrays.copyOf(plain, padded);
        padPlain[padded - 1] = (byte) padLength;
        try {
            if (cipher.aead()) {
                long ivValue = nextIv.getAndIncrement();
                for (int i = 0; i < 8; i++) m[prefix + i] = (byte) (ivValue >>> (56 - 8 * i));
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, encryptionKey, new GCMParameterSpec(128, nonce(m, prefix)));
                c.updateAAD(m, 0, prefix);
                c.doFinal(padPlain, 0, padded, m, prefix + ivLen);
            } else {
                byte[] iv = new byte[ivLen];
                random.nextBytes(iv);
                System.arraycopy(iv, 0, m, prefix, ivLen);
                Cipher c = Cipher.getInstance(cipherName());
                c.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(iv));
                c.doFinal(padPlain, 0, padded, m, prefix + ivLen);
                Mac mac = Mac.getInstance(integrity.jceName());
                mac.init(integrityKey);
                mac.update(m, 0, length - icv);
                System.arraycopy(mac.doFinal(), 0, m, length - icv, icv);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("IKE encryption failed", e);
        } finally {
            Arrays.fill(padPlain, (byte) 0);
        }
        return m;
    }

    /**
     * The plaintext inside the message's last payload (SK or SKF), whose body starts at {@code bodyOffset}
     * (after the fragment header for SKF): ICV or tag verified first, then decrypted, then the padding removed.
     */
    public byte[] open(byte[] m, int bodyOffset) throws Ikev2DecodeException {
        int ivLen = cipher.ivLength();
        int icv = icvLength();
        int cipherLength = m.length - bodyOffset - ivLen - icv;
        if (cipherLength <= 0 || (!cipher.aead() && cipherLength % cipher.blockLength() != 0)) {
            throw new Ikev2DecodeException(Ikev2DropReason.DECRYPT_FAILED, "encrypted payload of " + (m.length - bodyOffset) + " octets");
        }
        byte[] plain;
        try {
            if (cipher.aead()) {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, encryptionKey, new GCMParameterSpec(128, nonce(m, bodyOffset)));
                c.updateAAD(m, 0, bodyOffset);
                plain = c.doFinal(m, bodyOffset + ivLen, cipherLength + icv);
            } else {
                Mac mac = Mac.getInstance(integrity.jceName());
                mac.init(integrityKey);
                mac.update(m, 0, m.length - icv);
                byte[] expected = Arrays.copyOf(mac.doFinal(), icv);
                if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(m, m.length - icv, m.length))) {
                    throw new Ikev2DecodeException(Ikev2DropReason.DECRYPT_FAILED, "ICV mismatch");
                }
                Cipher c = Cipher.getInstance(cipherName());
                c.init(Cipher.DECRYPT_MODE, encryptionKey, new IvParameterSpec(m, bodyOffset, ivLen));
                plain = c.doFinal(m, bodyOffset + ivLen, cipherLength);
            }
        } catch (javax.crypto.AEADBadTagException e) {
            throw new Ikev2DecodeException(Ikev2DropReason.DECRYPT_FAILED, "AEAD tag mismatch");
        } catch (GeneralSecurityException e) {
            throw new Ikev2DecodeException(Ikev2DropReason.DECRYPT_FAILED, e.getClass().getSimpleName());
        }
        int padLength = plain[plain.length - 1] & 0xff;
        if (padLength + 1 > plain.length) {
            throw new Ikev2DecodeException(Ikev2DropReason.DECRYPT_FAILED, "pad length " + padLength);
        }
        return Arrays.copyOf(plain, plain.length - padLength - 1);
    }

    private byte[] nonce(byte[] m, int ivOffset) {
        byte[] nonce = Arrays.copyOf(salt, EncryptionAlgorithm.GCM_SALT + 8);
        System.arraycopy(m, ivOffset, nonce, EncryptionAlgorithm.GCM_SALT, 8);
        return nonce;
    }

    private String cipherName() {
        return cipher == EncryptionAlgorithm.ENCR_3DES ? "DESede/CBC/NoPadding" : "AES/CBC/NoPadding";
    }

    @Override
    public String toString() {
        return "EncryptedPayloadProtection[" + cipher + "/" + encryptionKey.getEncoded().length * 8
                + (integrity != null ? " " + integrity : "") + "]";
    }
}
