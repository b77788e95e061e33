package net.l2sec.dataplane.ikev2.keymat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2DecodeException;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Cert;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Encrypted;
import net.l2sec.dataplane.ikev2.message.Payload.EncryptedFragment;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelector;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ikev2.message.PayloadType;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EncryptedPayloadProtection}: the responder's and the initiator's directions of one IKE SA built from the same
 * {@link IkeSaKeys} open each other's messages and only those; every flipped bit anywhere in a message is refused;
 * bad padding is refused; fragments fit their datagram limit and reassemble; GCM's IVs never repeat. Known answers:
 * the McGrew-Viega GCM test cases 4 and 16 opened with the salt | IV split of RFC 5282 section 3.1 / RFC 4106
 * section 4, and whole sealed messages compared with Bouncy Castle's lightweight AES/3DES, CBC, GCM and HMAC
 * (another implementation than the JCE provider the class uses) laid out as RFC 7296 section 3.14 says.
 */
class EncryptedPayloadProtectionTest {
    static final HexFormat HEX = HexFormat.of();
    static final long SPI_I = 0x1122334455667788L;
    static final long SPI_R = 0x99aabbccddeeff00L;

    /** A cipher, its key length, and the integrity algorithm (none with GCM). */
    record Suite(EncryptionAlgorithm cipher, int keyBits, IntegrityAlgorithm integrity) {
        @Override
        public String toString() {
            return cipher + "-" + keyBits + (integrity != null ? "/" + integrity : "");
        }
    }

    static List<Suite> suites() {
        List<Suite> out = new ArrayList<>();
        for (int bits : new int[] {128, 256}) {
            for (IntegrityAlgorithm i : IntegrityAlgorithm.values()) out.add(new Suite(EncryptionAlgorithm.ENCR_AES_CBC, bits, i));
        }
        out.add(new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 192, IntegrityAlgorithm.HMAC_SHA2_256_128));
        out.add(new Suite(EncryptionAlgorithm.ENCR_3DES, 192, IntegrityAlgorithm.HMAC_SHA1_96));
        out.add(new Suite(EncryptionAlgorithm.ENCR_3DES, 192, IntegrityAlgorithm.HMAC_SHA2_256_128));
        out.add(new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, null));
        out.add(new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 256, null));
        return out;
    }

    static IkeSaKeys keys(Suite s) {
        byte[] ni = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nr = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        byte[] skeyseed = IkeSaKeys.skeyseed(PrfAlgorithm.HMAC_SHA2_256, ni, nr, new byte[256]);
        return IkeSaKeys.derive(PrfAlgorithm.HMAC_SHA2_256, s.integrity(), s.cipher(), s.keyBits(), skeyseed, ni, nr, SPI_I, SPI_R);
    }

    static EncryptedPayloadProtection.Pair responder(Suite s, IkeSaKeys k, SecureRandom random) {
        return EncryptedPayloadProtection.Pair.responder(k, s.cipher(), s.keyBits(), s.integrity(), random);
    }

    /** The original initiator's side of the same IKE SA: it sends with SK_ei/SK_ai and receives with SK_er/SK_ar. */
    static EncryptedPayloadProtection.Pair initiator(Suite s, IkeSaKeys k, SecureRandom random) {
        return new EncryptedPayloadProtection.Pair(
                new EncryptedPayloadProtection(s.cipher(), s.keyBits(), s.integrity(), k.skEi(), k.skAi(), random),
                new EncryptedPayloadProtection(s.cipher(), s.keyBits(), s.integrity(), k.skEr(), k.skAr(), random));
    }

    static Ikev2Header header(boolean response, int messageId) {
        return new Ikev2Header(SPI_I, SPI_R, 0, ExchangeType.IKE_AUTH.code(),
                response ? Ikev2Header.RESPONSE : Ikev2Header.INITIATOR, messageId, 0);
    }

    /** What an IKE_AUTH response carries inside SK. */
    static List<Payload> authResponse() {
        return List.of(new Identification(false, Identification.ID_FQDN, "vpn.example.com".getBytes()),
                new Auth(Auth.SHARED_KEY_MIC, new byte[32]),
                new Config(Config.CFG_REPLY, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[] {10, 77, 0, 10}))),
                new TrafficSelectors(true, List.of(new TrafficSelector(7, 0, 0, 65535, new byte[] {10, 77, 0, 10}, new byte[] {10, 77, 0, 10}))),
                new TrafficSelectors(false, List.of(new TrafficSelector(7, 0, 0, 65535, new byte[4], new byte[] {-1, -1, -1, -1}))),
                Notify.of(NotifyType.MOBIKE_SUPPORTED));
    }

    static List<Payload> opened(EncryptedPayloadProtection inbound, byte[] m) throws Ikev2DecodeException {
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        Encrypted sk = (Encrypted) msg.payloads().getLast();
        byte[] plain = inbound.open(m, m.length - sk.body().length);
        return Ikev2Codec.payloads(sk.firstInner(), plain, 0, plain.length);
    }

    static Ikev2DropReason refusal(EncryptedPayloadProtection inbound, byte[] m, int bodyOffset) {
        try {
            inbound.open(m, bodyOffset);
        } catch (Ikev2DecodeException e) {
            return e.reason();
        }
        return null;
    }

    /** Canonical text of payloads: records' components, arrays in hex (records hold arrays). */
    static String describe(Object o) {
        return switch (o) {
            case byte[] b -> "0x" + HEX.formatHex(b);
            case List<?> l -> l.stream().map(EncryptedPayloadProtectionTest::describe).toList().toString();
            case Record r -> {
                StringBuilder out = new StringBuilder(r.getClass().getSimpleName()).append('(');
                for (var c : r.getClass().getRecordComponents()) {
                    try {
                        out.append(c.getName()).append('=').append(describe(c.getAccessor().invoke(r))).append(' ');
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                }
                yield out.append(')').toString();
            }
            default -> String.valueOf(o);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void theInitiatorOpensWhatTheResponderSealsAndBack(Suite s) throws Exception {
        IkeSaKeys k = keys(s);
        SecureRandom random = new SecureRandom();
        var responder = responder(s, k, random);
        var initiator = initiator(s, k, random);
        byte[] response = responder.outbound().seal(header(true, 1), authResponse());
        Ikev2Header h = Ikev2Codec.header(response);
        assertThat(h.nextPayload()).isEqualTo(PayloadType.SK.code());
        assertThat(response[Ikev2Header.LENGTH] & 0xff).as("SK names IDr first").isEqualTo(PayloadType.IDR.code());
        assertThat(describe(opened(initiator.inbound(), response))).isEqualTo(describe(authResponse()));
        // the other direction
        List<Payload> request = List.of(new Identification(true, Identification.ID_RFC822_ADDR, "alice@example.com".getBytes()),
                new Config(Config.CFG_REQUEST, List.of(new ConfigAttribute(1, new byte[0]))));
        byte[] sent = initiator.outbound().seal(header(false, 1), request);
        assertThat(describe(opened(responder.inbound(), sent))).isEqualTo(describe(request));
        // a direction's keys open only that direction
        int body = Ikev2Header.LENGTH + 4;
        assertThat(refusal(responder.inbound(), response, body)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        assertThat(refusal(initiator.inbound(), sent, body)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        // another IKE SA's keys (other nonces) open nothing
        IkeSaKeys other = IkeSaKeys.derive(PrfAlgorithm.HMAC_SHA2_256, s.integrity(), s.cipher(), s.keyBits(), new byte[32],
                new byte[16], new byte[16], SPI_I, SPI_R);
        assertThat(refusal(initiator(s, other, random).inbound(), response, body)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        // an empty SK (an INFORMATIONAL liveness check) names no first payload and opens to nothing
        byte[] empty = responder.outbound().seal(header(true, 2).withNextPayload(0), List.of());
        assertThat(empty[Ikev2Header.LENGTH]).isZero();
        assertThat(opened(initiator.inbound(), empty)).isEmpty();
        // the overhead promised covers what was added
        byte[] plain = Ikev2Codec.encodePayloads(authResponse());
        assertThat(response.length - body - plain.length).isBetween(1, responder.outbound().overhead());
    }

    /** Every single bit flipped, anywhere in the message (header, SK header, IV, ciphertext, ICV), is refused. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void everyFlippedBitIsRefused(Suite s) throws Exception {
        IkeSaKeys k = keys(s);
        SecureRandom random = new SecureRandom();
        byte[] m = responder(s, k, random).outbound().seal(header(true, 7), List.of(Notify.of(NotifyType.MOBIKE_SUPPORTED),
                new Auth(Auth.SHARED_KEY_MIC, new byte[20])));
        EncryptedPayloadProtection inbound = initiator(s, k, random).inbound();
        int body = Ikev2Header.LENGTH + 4;
        assertThat(inbound.open(m, body)).isNotEmpty();
        for (int bit = 0; bit < m.length * 8; bit++) {
            byte[] flipped = m.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(refusal(inbound, flipped, body)).as("bit %d of %d", bit, m.length * 8).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        }
        // cut short, and grown by an octet
        for (int cut = 1; cut < m.length - body; cut++) {
            assertThat(refusal(inbound, Arrays.copyOf(m, m.length - cut), body)).as("cut %d", cut).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        }
        assertThat(refusal(inbound, Arrays.copyOf(m, m.length + 1), body)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        // the body offset in the wrong place: the authenticated prefix differs
        assertThat(refusal(inbound, m, body + 1)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        assertThat(refusal(inbound, m, body - 1)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
    }

    /** A pad length beyond the plaintext, with a valid ICV (so the padding check itself is what refuses). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void wrongPaddingIsRefused(Suite s) throws Exception {
        IkeSaKeys k = keys(s);
        EncryptedPayloadProtection inbound = initiator(s, k, new SecureRandom()).inbound();
        int block = s.cipher().aead() ? 16 : s.cipher().blockLength();
        Ikev2Header h = header(true, 3);
        for (int padLength : new int[] {block, block + 1, 255}) {
            byte[] padded = new byte[block];
            padded[block - 1] = (byte) padLength; // claims more padding than the block holds before it
            byte[] m = reference(s, k.skEr(), k.skAr(), h, 0, padded, new byte[s.cipher().ivLength()]);
            assertThat(refusal(inbound, m, 32)).as("pad length %d", padLength).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        }
        // and the largest pad length that fits is accepted: everything is padding, the plaintext is empty
        byte[] allPad = new byte[block];
        allPad[block - 1] = (byte) (block - 1);
        assertThat(inbound.open(reference(s, k.skEr(), k.skAr(), h, 0, allPad, new byte[s.cipher().ivLength()]), 32)).isEmpty();
        if (!s.cipher().aead()) {
            // CBC: a ciphertext that is not whole blocks, and none at all
            byte[] m = reference(s, k.skEr(), k.skAr(), h, 0, new byte[block * 2], new byte[s.cipher().ivLength()]);
            byte[] partial = new byte[m.length - 1];
            System.arraycopy(m, 0, partial, 0, partial.length);
            assertThat(refusal(inbound, partial, 32)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        }
        byte[] noCiphertext = new byte[32 + s.cipher().ivLength() + (s.cipher().aead() ? 16 : s.integrity().icvLength())];
        assertThat(refusal(inbound, noCiphertext, 32)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        assertThat(refusal(inbound, new byte[10], 32)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
    }

    /**
     * RFC 7383: a message larger than the datagram limit is sealed as SKF fragments, each within the limit, each with
     * its number and the total, only the first naming the first inner payload; each opens, and reassembled in order
     * the plaintext decodes to the original payloads.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void fragmentsFitTheDatagramAndReassemble(Suite s) throws Exception {
        IkeSaKeys k = keys(s);
        SecureRandom random = new SecureRandom();
        byte[] certificate = new byte[3000];
        new SplittableRandom(5).nextBytes(certificate);
        List<Payload> inner = new ArrayList<>(List.of(new Identification(false, Identification.ID_FQDN, "vpn.example.com".getBytes()),
                new Cert(Cert.X509_SIGNATURE, certificate), new Auth(Auth.RSA_SIGNATURE, new byte[256])));
        inner.addAll(authResponse().subList(2, 6));
        int maxDatagram = 1280;
        int ipUdpMarker = 20 + 8 + 4; // IPv4, UDP, the non-ESP marker on port 4500
        List<byte[]> fragments = responder(s, k, random).outbound().sealFragments(header(true, 1), inner, maxDatagram, ipUdpMarker);
        assertThat(fragments).hasSizeGreaterThanOrEqualTo(3);
        EncryptedPayloadProtection inbound = initiator(s, k, random).inbound();
        ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
        int firstInner = -1;
        for (int i = 0; i < fragments.size(); i++) {
            byte[] f = fragments.get(i);
            assertThat(f.length + ipUdpMarker).as("fragment %d", i + 1).isLessThanOrEqualTo(maxDatagram);
            Ikev2Codec.Message msg = Ikev2Codec.decode(f);
            assertThat(msg.header().nextPayload()).isEqualTo(PayloadType.SKF.code());
            EncryptedFragment skf = (EncryptedFragment) msg.payloads().getFirst();
            assertThat(skf.number()).isEqualTo(i + 1);
            assertThat(skf.total()).isEqualTo(fragments.size());
            assertThat(skf.firstInner()).isEqualTo(i == 0 ? PayloadType.IDR.code() : 0);
            if (i == 0) firstInner = skf.firstInner();
            reassembled.writeBytes(inbound.open(f, Ikev2Header.LENGTH + 8));
            // number and total are authenticated: another number does not open
            byte[] renumbered = f.clone();
            renumbered[33] ^= 0x02;
            assertThat(refusal(inbound, renumbered, Ikev2Header.LENGTH + 8)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        }
        byte[] plain = reassembled.toByteArray();
        assertThat(plain).isEqualTo(Ikev2Codec.encodePayloads(inner));
        assertThat(describe(Ikev2Codec.payloads(firstInner, plain, 0, plain.length))).isEqualTo(describe(inner));
        // a message that fits is one fragment (1 of 1)
        List<byte[]> one = responder(s, k, random).outbound().sealFragments(header(true, 2), authResponse(), maxDatagram, ipUdpMarker);
        assertThat(one).hasSize(1);
        assertThat(Ikev2Codec.decode(one.getFirst()).payloads().getFirst())
                .isInstanceOfSatisfying(EncryptedFragment.class, f -> assertThat(f.number() + "/" + f.total()).isEqualTo("1/1"));
        // a limit that leaves no room is a programming error, not a silent oversize datagram
        assertThatThrownBy(() -> responder(s, k, random).outbound().sealFragments(header(true, 3), inner, 150, ipUdpMarker))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * An IPv6 path of the minimum MTU, 1280 (RFC 7383 section 2.5.1), less the IPv6 and UDP headers and the non-ESP
     * marker: 1128 octets of payloads fit in each fragment with AES-CBC-256 and HMAC-SHA2-512-256 (1228 less the IKE
     * header 28, the SKF header 8, IV 16, up to 16 of padding, ICV 32), so a 5005-octet Certificate payload takes 5.
     */
    @Test
    void fragmentsFitAnIpv6Path() throws Exception {
        Suite s = new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 256, IntegrityAlgorithm.HMAC_SHA2_512_256);
        IkeSaKeys k = keys(s);
        List<Payload> big = List.of(new Cert(Cert.X509_SIGNATURE, new byte[5000]));
        List<byte[]> fragments = responder(s, k, new SecureRandom()).outbound().sealFragments(header(true, 1), big, 1280, 40 + 8 + 4);
        for (byte[] f : fragments) assertThat(f.length).isLessThanOrEqualTo(1280 - 52);
        assertThat(fragments).hasSize(5);
    }

    /** An SK payload over 65535 octets cannot be written (16-bit Payload Length): refused; as fragments it goes. */
    @Test
    void aMessageTooLargeForOneEncryptedPayloadIsRefused() throws Exception {
        Suite s = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, null);
        IkeSaKeys k = keys(s);
        var out = responder(s, k, new SecureRandom()).outbound();
        List<Payload> big = List.of(new Cert(Cert.X509_SIGNATURE, new byte[40000]), new Cert(Cert.X509_SIGNATURE, new byte[30000]));
        assertThatThrownBy(() -> out.seal(header(true, 1), big)).isInstanceOf(IllegalArgumentException.class);
        List<byte[]> fragments = out.sealFragments(header(true, 1), big, 1280, 32);
        EncryptedPayloadProtection in = initiator(s, k, new SecureRandom()).inbound();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (byte[] f : fragments) plain.writeBytes(in.open(f, 36));
        assertThat(plain.toByteArray()).isEqualTo(Ikev2Codec.encodePayloads(big));
    }

    /** RFC 5282 section 3.1 (as RFC 4106 section 3.1): an IV never repeats under one key. */
    @Test
    void gcmIvsNeverRepeat() throws Exception {
        Suite s = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 256, null);
        IkeSaKeys k = keys(s);
        SecureRandom random = new SecureRandom();
        EncryptedPayloadProtection out = responder(s, k, random).outbound();
        Set<String> ivs = new HashSet<>();
        int sealed = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] m = out.seal(header(true, i), List.of(Notify.of(NotifyType.MOBIKE_SUPPORTED)));
            assertThat(ivs.add(HEX.formatHex(m, 32, 40))).as("IV of message %d repeats", i).isTrue();
            sealed++;
            if (i % 500 == 0) {
                for (byte[] f : out.sealFragments(header(true, i), List.of(new Cert(4, new byte[3000])), 1280, 32)) {
                    assertThat(ivs.add(HEX.formatHex(f, 36, 44))).as("fragment IV repeats").isTrue();
                    sealed++;
                }
            }
        }
        assertThat(ivs).hasSize(sealed);
        // a counter that starts at the top wraps to 0 without repeating either
        EncryptedPayloadProtection wrapping = new EncryptedPayloadProtection(s.cipher(), s.keyBits(), null, k.skEr(), k.skAr(),
                new FixedRandom(-2L, (byte) 0));
        Set<String> wrapped = new HashSet<>();
        for (int i = 0; i < 4; i++) wrapped.add(HEX.formatHex(wrapping.seal(header(true, i), List.of()), 32, 40));
        assertThat(wrapped).containsExactlyInAnyOrder("fffffffffffffffe", "ffffffffffffffff", "0000000000000000", "0000000000000001");
    }

    /**
     * Seals from several threads at once (crypto workers, a liveness check beside a response) still never reuse an IV:
     * a repeated GCM nonce under one key gives away the authentication key (RFC 5282 section 3.1 "MUST NOT").
     */
    @Test
    void gcmIvsNeverRepeatAcrossThreads() throws Exception {
        Suite s = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, null);
        EncryptedPayloadProtection out = responder(s, keys(s), new SecureRandom()).outbound();
        int threads = 4;
        int each = 20_000;
        java.util.concurrent.ConcurrentHashMap<String, Boolean> ivs = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) ivs.put(HEX.formatHex(out.seal(header(true, i), List.of()), 32, 40), Boolean.TRUE);
            }));
        }
        start.countDown();
        for (Thread w : workers) w.join(120_000);
        assertThat(ivs).hasSize(threads * each);
    }

    // --- known answers --------------------------------------------------------------------------------------------

    /** McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test case 4 (AES-128) and 16 (AES-256). */
    static final String GCM_K4 = "feffe9928665731c6d6a8f9467308308";
    static final String GCM_P = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    static final String GCM_A = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    static final String GCM_IV = "cafebabefacedbaddecaf888";
    static final String GCM_C4 = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
            + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
    static final String GCM_T4 = "5bc94fbc3221a5db94fae95ae7121a47";
    static final String GCM_C16 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
    static final String GCM_T16 = "76fc6ece0f4e1768cddf8853bb2d551b";

    /**
     * The published vector as an Encrypted payload: its 20 octets of additional data stand where the IKE and SK headers
     * are (everything before the IV is authenticated), its 12-octet IV split into the salt (the last 4 octets of the key
     * material) and the 8-octet explicit IV on the wire. The plaintext's last octet (0x39 = 57) is read as the pad
     * length: 60 - 57 - 1 = 2 octets remain.
     */
    @Test
    void gcmKnownAnswersOpenWithTheSaltAndIvSplit() throws Exception {
        for (String[] v : new String[][] {{GCM_K4, GCM_C4, GCM_T4}, {GCM_K4 + GCM_K4, GCM_C16, GCM_T16}}) {
            byte[] keyMaterial = HEX.parseHex(v[0] + GCM_IV.substring(0, 8));
            int bits = (keyMaterial.length - 4) * 8;
            EncryptedPayloadProtection p = new EncryptedPayloadProtection(EncryptionAlgorithm.ENCR_AES_GCM_16, bits, null,
                    keyMaterial, new byte[0], new SecureRandom());
            byte[] m = HEX.parseHex(GCM_A + GCM_IV.substring(8) + v[1] + v[2]);
            assertThat(HEX.formatHex(p.open(m, 20))).as("AES-%d", bits).isEqualTo(GCM_P.substring(0, 4));
            byte[] otherAad = m.clone();
            otherAad[19] ^= 1;
            assertThat(refusal(p, otherAad, 20)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
            // the salt is part of the nonce: another salt does not open it
            byte[] otherSalt = keyMaterial.clone();
            otherSalt[otherSalt.length - 1] ^= 1;
            assertThat(refusal(new EncryptedPayloadProtection(EncryptionAlgorithm.ENCR_AES_GCM_16, bits, null, otherSalt,
                    new byte[0], new SecureRandom()), m, 20)).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
        }
    }

    /**
     * Whole sealed messages, octet for octet, against Bouncy Castle's lightweight engines: the IKE header and SK header
     * (RFC 7296 section 3.14), the IV (GCM: the 8-octet explicit IV, nonce = salt | IV), the plaintext padded with zeros
     * to the block and the pad length, and the ICV (HMAC truncated, over everything before it) or the GCM tag (with
     * everything before the IV as additional data).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void sealedMessagesMatchAnIndependentImplementation(Suite s) throws Exception {
        IkeSaKeys k = keys(s);
        FixedRandom random = new FixedRandom(0x0123456789abcdefL, (byte) 0x40);
        var responder = responder(s, k, random);
        Ikev2Header h = header(true, 5);
        byte[] sealed = responder.outbound().seal(h, authResponse());
        byte[] plain = Ikev2Codec.encodePayloads(authResponse());
        int block = s.cipher().blockLength();
        int padded = s.cipher().aead() ? plain.length + 1 : (plain.length + block) / block * block;
        byte[] padPlain = Arrays.copyOf(plain, padded);
        padPlain[padded - 1] = (byte) (padded - plain.length - 1);
        byte[] iv = new byte[s.cipher().ivLength()];
        if (s.cipher().aead()) {
            iv = HEX.parseHex("0123456789abcdef");
        } else {
            random.nextBytes(iv);
        }
        byte[] expected = reference(s, k.skEr(), k.skAr(), h, PayloadType.IDR.code(), padPlain, iv);
        assertThat(HEX.formatHex(sealed)).isEqualTo(HEX.formatHex(expected));
        // and the next GCM message uses the next IV
        if (s.cipher().aead()) {
            assertThat(HEX.formatHex(responder.outbound().seal(h, List.of()), 32, 40)).isEqualTo("0123456789abcdf0");
        }
    }

    /**
     * An Encrypted payload built with Bouncy Castle: header {@code h} (next payload SK), an SK header naming
     * {@code first}, {@code iv}, {@code padPlain} (already padded, its last octet the pad length) encrypted, the ICV.
     */
    static byte[] reference(Suite s, byte[] encKeyMaterial, byte[] integKey, Ikev2Header h, int first, byte[] padPlain, byte[] iv) {
        int icv = s.cipher().aead() ? 16 : s.integrity().icvLength();
        int length = 32 + iv.length + padPlain.length + icv;
        byte[] m = new byte[length];
        Ikev2Codec.writeHeader(m, h.withLength(length).withNextPayload(PayloadType.SK.code()));
        m[28] = (byte) first;
        m[30] = (byte) ((length - 28) >> 8);
        m[31] = (byte) (length - 28);
        System.arraycopy(iv, 0, m, 32, iv.length);
        KeyParameter key = new KeyParameter(encKeyMaterial, 0, s.keyBits() / 8);
        try {
            if (s.cipher().aead()) {
                byte[] nonce = new byte[12];
                System.arraycopy(encKeyMaterial, s.keyBits() / 8, nonce, 0, 4);
                System.arraycopy(iv, 0, nonce, 4, 8);
                var gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
                gcm.init(true, new AEADParameters(key, 128, nonce, Arrays.copyOf(m, 32)));
                byte[] out = new byte[gcm.getOutputSize(padPlain.length)];
                int n = gcm.processBytes(padPlain, 0, padPlain.length, out, 0);
                gcm.doFinal(out, n);
                System.arraycopy(out, 0, m, 32 + iv.length, out.length);
            } else {
                BlockCipher engine = s.cipher() == EncryptionAlgorithm.ENCR_3DES ? new DESedeEngine() : AESEngine.newInstance();
                var cbc = CBCBlockCipher.newInstance(engine);
                cbc.init(true, new ParametersWithIV(key, iv));
                for (int at = 0; at < padPlain.length; at += cbc.getBlockSize()) {
                    cbc.processBlock(padPlain, at, m, 32 + iv.length + at);
                }
                Digest digest = switch (s.integrity()) {
                    case HMAC_SHA1_96 -> new SHA1Digest();
                    case HMAC_SHA2_256_128 -> new SHA256Digest();
                    case HMAC_SHA2_384_192 -> new SHA384Digest();
                    case HMAC_SHA2_512_256 -> new SHA512Digest();
                };
                HMac hmac = new HMac(digest);
                hmac.init(new KeyParameter(integKey));
                hmac.update(m, 0, length - icv);
                byte[] mac = new byte[hmac.getMacSize()];
                hmac.doFinal(mac, 0);
                System.arraycopy(mac, 0, m, length - icv, icv);
            }
        } catch (org.bouncycastle.crypto.InvalidCipherTextException e) {
            throw new AssertionError(e);
        }
        return m;
    }

    /** The JCE agrees with Bouncy Castle on the reference (so a mismatch above is ours, not the reference's). */
    @Test
    void theReferenceAgreesWithTheJce() throws Exception {
        Suite s = new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.HMAC_SHA1_96);
        byte[] key = new byte[16];
        byte[] integ = new byte[20];
        Arrays.fill(integ, (byte) 7);
        byte[] iv = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
        byte[] padPlain = HEX.parseHex("29000008000040190000000000000007"); // a Notify, 7 octets of padding, pad length 7
        byte[] m = reference(s, key, integ, header(true, 1), 41, padPlain, iv);
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        assertThat(Arrays.copyOfRange(m, 48, 64)).isEqualTo(c.doFinal(padPlain));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(integ, "HmacSHA1"));
        mac.update(m, 0, 64);
        assertThat(Arrays.copyOfRange(m, 64, 76)).isEqualTo(Arrays.copyOf(mac.doFinal(), 12));
        Suite g = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, null);
        byte[] gm = reference(g, HEX.parseHex(GCM_K4 + "cafebabe"), new byte[0], header(true, 1), 41, padPlain, HEX.parseHex("facedbaddecaf888"));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(HEX.parseHex(GCM_K4), "AES"), new GCMParameterSpec(128, HEX.parseHex(GCM_IV)));
        gcm.updateAAD(gm, 0, 32);
        assertThat(Arrays.copyOfRange(gm, 40, gm.length)).isEqualTo(gcm.doFinal(padPlain));
    }

    /** A SecureRandom that answers {@code nextLong} with a fixed value and fills arrays with a counting pattern. */
    static final class FixedRandom extends SecureRandom {
        private final long value;
        private final byte fill;

        FixedRandom(long value, byte fill) {
            this.value = value;
            this.fill = fill;
        }

        @Override
        public long nextLong() {
            return value;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (fill + i);
        }
    }
}
