package net.l2sec.dataplane.ikev2.keymat;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtectionTest.Suite;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2DecodeException;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Cert;
import net.l2sec.dataplane.ikev2.message.Payload.Delete;
import net.l2sec.dataplane.ikev2.message.Payload.Eap;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.PayloadType;
import net.l2sec.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link EncryptedPayloadProtection#open} and the decoding of what it opens. Mutants of sealed SK and SKF
 * messages: every one is refused with an {@link Ikev2DecodeException} (almost always DECRYPT_FAILED) or opens, and
 * what opens either decodes or is refused by the codec. Half the mutants are sealed again after the mutation (the
 * mutated octets after the IV encrypted as plaintext with the sender's keys, the ICV or tag recomputed over the
 * mutated header), so that arbitrary plaintexts reach the padding check and the inner payload decoder.
 */
class EncryptedPayloadProtectionFuzzTest {
    static List<List<Payload>> inners() {
        return List.of(EncryptedPayloadProtectionTest.authResponse(), List.of(),
                List.of(Notify.of(NotifyType.AUTHENTICATION_FAILED)),
                List.of(new Delete(3, 4, List.of(new byte[] {1, 2, 3, 4})), new Eap(new byte[] {3, 7, 0, 4})));
    }

    static List<byte[]> seeds(Suite s, IkeSaKeys k) {
        EncryptedPayloadProtection out = EncryptedPayloadProtectionTest.responder(s, k, new SecureRandom()).outbound();
        List<byte[]> seeds = new ArrayList<>();
        int id = 1;
        for (List<Payload> inner : inners()) seeds.add(out.seal(EncryptedPayloadProtectionTest.header(true, id++), inner));
        seeds.addAll(out.sealFragments(EncryptedPayloadProtectionTest.header(true, id), List.of(new Cert(4, new byte[900])), 576, 32));
        return seeds;
    }

    /** Where the IV starts: after the SKF header when the header names SKF, else after the SK header. */
    static int bodyOffset(byte[] m) {
        return m.length > 16 && (m[16] & 0xff) == PayloadType.SKF.code() ? Ikev2Header.LENGTH + 8 : Ikev2Header.LENGTH + 4;
    }

    /** Seals the mutated message again with the sender's (responder's) keys: what follows the IV as plaintext. */
    static byte[] reseal(Suite s, IkeSaKeys k, byte[] in) {
        int off = bodyOffset(in);
        int ivLen = s.cipher().ivLength();
        int icv = s.cipher().aead() ? 16 : s.integrity().icvLength();
        int plainLength = in.length - off - ivLen - icv;
        if (plainLength <= 0 || !s.cipher().aead() && plainLength % s.cipher().blockLength() != 0) return in;
        byte[] m = in.clone();
        byte[] keyMaterial = k.skEr();
        try {
            if (s.cipher().aead()) {
                byte[] nonce = new byte[12];
                System.arraycopy(keyMaterial, s.keyBits() / 8, nonce, 0, 4);
                System.arraycopy(m, off, nonce, 4, 8);
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyMaterial, 0, s.keyBits() / 8, "AES"), new GCMParameterSpec(128, nonce));
                c.updateAAD(m, 0, off);
                byte[] sealed = c.doFinal(m, off + ivLen, plainLength);
                System.arraycopy(sealed, 0, m, off + ivLen, sealed.length);
            } else {
                boolean des = s.cipher() == EncryptionAlgorithm.ENCR_3DES;
                Cipher c = Cipher.getInstance(des ? "DESede/CBC/NoPadding" : "AES/CBC/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyMaterial, 0, s.keyBits() / 8, des ? "DESede" : "AES"),
                        new IvParameterSpec(m, off, ivLen));
                c.doFinal(m, off + ivLen, plainLength, m, off + ivLen);
                Mac mac = Mac.getInstance(s.integrity().jceName());
                mac.init(new SecretKeySpec(k.skAr(), s.integrity().jceName()));
                mac.update(m, 0, m.length - icv);
                System.arraycopy(mac.doFinal(), 0, m, m.length - icv, icv);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    static String open(EncryptedPayloadProtection inbound, byte[] m) throws Ikev2DecodeException {
        int off = bodyOffset(m);
        byte[] plain;
        try {
            plain = inbound.open(m, off);
        } catch (Ikev2DecodeException e) {
            if (e.reason() == null) throw new AssertionError("a refusal without a reason");
            return "rejected:" + e.reason().tag();
        }
        if (plain.length > m.length - off) throw new AssertionError("opened more octets than were sealed");
        int first = m[Ikev2Header.LENGTH] & 0xff;
        try {
            List<Payload> inner = Ikev2Codec.payloads(first, plain, 0, plain.length);
            return "opened:decoded:" + Math.min(inner.size(), 3);
        } catch (Ikev2DecodeException e) {
            return "opened:rejected:" + e.reason().tag();
        }
    }

    void fuzz(String name, Suite s) {
        IkeSaKeys k = EncryptedPayloadProtectionTest.keys(s);
        EncryptedPayloadProtection inbound = EncryptedPayloadProtectionTest.initiator(s, k, new SecureRandom()).inbound();
        Fuzzer.named(name).seeds(seeds(s, k)).inputs(3000).maxLength(1500)
                .fixup((in, r) -> reseal(s, k, in)).target(in -> open(inbound, in)).run()
                .assertNoFindings().assertReached("rejected:decrypt_failed").assertReached("opened:decoded")
                .assertReached("opened:rejected:").assertOutcomesAtLeast(5);
    }

    @Test
    void aesCbcWithHmac() {
        fuzz("ikev2-sk-open-cbc", new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.HMAC_SHA2_256_128));
    }

    @Test
    void tripleDesWithHmac() {
        fuzz("ikev2-sk-open-3des", new Suite(EncryptionAlgorithm.ENCR_3DES, 192, IntegrityAlgorithm.HMAC_SHA1_96));
    }

    @Test
    void aesGcm() {
        fuzz("ikev2-sk-open-gcm", new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 256, null));
    }

    /** The reseal fixup works: a plaintext written where the ciphertext goes, resealed, opens to that plaintext. */
    @Test
    void resealingEncryptsWhatFollowsTheIv() throws Exception {
        byte[] chain = Ikev2Codec.encodePayloads(List.of(Notify.of(NotifyType.MOBIKE_SUPPORTED)));
        for (Suite s : EncryptedPayloadProtectionTest.suites()) {
            IkeSaKeys k = EncryptedPayloadProtectionTest.keys(s);
            int block = s.cipher().blockLength();
            int padded = s.cipher().aead() ? chain.length + 1 : (chain.length + block) / block * block;
            byte[] padPlain = Arrays.copyOf(chain, padded);
            padPlain[padded - 1] = (byte) (padded - chain.length - 1);
            int icv = s.cipher().aead() ? 16 : s.integrity().icvLength();
            byte[] m = new byte[32 + s.cipher().ivLength() + padded + icv];
            Ikev2Codec.writeHeader(m, EncryptedPayloadProtectionTest.header(true, 1).withLength(m.length).withNextPayload(46));
            m[28] = (byte) PayloadType.NOTIFY.code();
            m[31] = (byte) (m.length - 28);
            System.arraycopy(padPlain, 0, m, 32 + s.cipher().ivLength(), padded);
            EncryptedPayloadProtection inbound = EncryptedPayloadProtectionTest.initiator(s, k, new SecureRandom()).inbound();
            org.assertj.core.api.Assertions.assertThat(inbound.open(reseal(s, k, m), 32)).as(s.toString()).isEqualTo(chain);
            org.assertj.core.api.Assertions.assertThat(open(inbound, reseal(s, k, m))).isEqualTo("opened:decoded:1");
        }
    }
}
