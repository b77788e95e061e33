package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Published test vectors run through the ESP transform classes. */
class KnownAnswerTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    /**
     * RFC 3602 section 4, cases #1-#4 (AES-128-CBC). Run through {@link CbcTransform#open}: an ESP packet
     * SPI | Seq | IV | ciphertext | ICV is built around the vector (ICV with HMAC-SHA1-96 under a fixed key) and the
     * transform must verify it and recover the plaintext.
     */
    @ParameterizedTest(name = "RFC 3602 case {index}")
    @CsvSource({
        "06a9214036b8a15b512e03d534120006, 3dafba429d9eb430b422da802c9fac41, 53696e676c6520626c6f636b206d7367, e353779c1079aeb82708942dbe77181a",
        "c286696d887c9aa0611bbb3e2025a45a, 562e17996d093d28ddb3ba695a2e6f58, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f, d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1",
        "6c3ea0477630ce21a2ce334aa746c2cd, c782dc4c098c66cbd9cd27d825682c81, 5468697320697320612034382d62797465206d657373616765202865786163746c7920332041455320626c6f636b7329, d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684",
        "56e47a38c5598974bc46903dba290349, 8ce82eefbea0da3c44699ed7db51b7d9, a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf, c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55",
    })
    void rfc3602AesCbc(String key, String iv, String plaintext, String ciphertext) {
        byte[] integrityKey = new byte[20];
        Arrays.fill(integrityKey, (byte) 0x5a);
        CbcTransform t = new CbcTransform(EspCipher.AES_CBC, hex(key), EspIntegrity.HMAC_SHA1_96, integrityKey.clone());
        byte[] unsigned = concat(hex("0000432100000001"), hex(iv), hex(ciphertext));
        byte[] icv = new Integrity(EspIntegrity.HMAC_SHA1_96, integrityKey).icv(unsigned);
        ByteBuf packet = Unpooled.wrappedBuffer(concat(unsigned, icv));
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            assertThat(t.ciphertextLength(packet.readableBytes())).isEqualTo(hex(ciphertext).length);
            assertThat(t.open(packet, 0, packet.readableBytes(), out)).isNull();
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(plaintext);
            packet.setByte(20, packet.getByte(20) ^ 1); // one ciphertext bit
            assertThat(t.open(packet, 0, packet.readableBytes(), out)).isEqualTo(EspDropReason.INTEGRITY);
        } finally {
            packet.release();
            out.release();
        }
    }

    /**
     * AES-GCM ESP packets from draft-mcgrew-gcm-test-01 section 4 (the cases with a 32-bit sequence number):
     * key, salt | IV (nonce), SPI | Seq (the AAD of RFC 4106 section 5), plaintext, ciphertext | tag.
     * Case 2 (AES-192), case 3 (AES-256), case 5 (AES-128, trailer only).
     */
    @ParameterizedTest(name = "draft-mcgrew-gcm-test-01 {0}")
    @CsvSource({
        "case 2, feffe9928665731c6d6a8f9467308308feffe9928665731c, cafebabe, facedbaddecaf888, 0000a5f80000000a,"
                + " 45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001,"
                + " a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0315b27452144cc77"
                + "95457b9652037f5318027b5b4cd7a636",
        "case 3, abbccddef00112233445566778899aababbccddef00112233445566778899aab, 11223344, 0102030405060708, 4a2cbfe300000002,"
                + " 4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201,"
                + " ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8e"
                + "b335f4eecfdbf831824b4c4915956c96",
        "case 5, 7d773d00c144c525ac619d18c84a3f47, d9664267, 43457e9182443bc6, 335467aeffffffff, 01020201,"
                + " 437f866bcb3f699fe9b0822bac961c4504bef270",
    })
    void mcgrewGcmEsp(String name, String key, String salt, String iv, String spiSeq, String plaintext, String sealed) {
        GcmTransform t = new GcmTransform(hex(key), hex(salt));
        ByteBuf packet = Unpooled.wrappedBuffer(concat(hex(spiSeq), hex(iv), hex(sealed)));
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            assertThat(t.ciphertextLength(packet.readableBytes())).isEqualTo(hex(plaintext).length);
            assertThat(t.open(packet, 0, packet.readableBytes(), out)).isNull();
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(plaintext);
            // the same packet from direct memory (the transform's ByteBuffer path)
            ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(packet, 0, packet.readableBytes());
            out.clear();
            try {
                assertThat(t.open(direct, 0, direct.readableBytes(), out)).isNull();
                assertThat(ByteBufUtil.hexDump(out)).isEqualTo(plaintext);
            } finally {
                direct.release();
            }
            packet.setByte(3, packet.getByte(3) ^ 1); // the SPI is authenticated (AAD)
            out.clear();
            assertThat(t.open(packet, 0, packet.readableBytes(), out)).isEqualTo(EspDropReason.INTEGRITY);
        } finally {
            packet.release();
            out.release();
        }
    }

    /**
     * HMAC-SHA-1-96 (RFC 2404 section 3, which reuses RFC 2202's cases 1 and 2) and the truncated SHA-2 ICVs of
     * RFC 4868 section 2.7.2 (AUTH256-1 and -2, AUTH384-1, AUTH512-1: keys of the full hash length).
     */
    @ParameterizedTest(name = "{0} {index}")
    @CsvSource({
        "HMAC_SHA1_96, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, Hi There, b617318655057264e28bc0b6",
        "HMAC_SHA1_96, 4a656665, what do ya want for nothing?, effcdf6ae5eb2fa2d27416d5",
        "HMAC_SHA2_256_128, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, Hi There, 198a607eb44bfbc69903a0f1cf2bbdc5",
        "HMAC_SHA2_256_128, 4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665, what do ya want for nothing?, 167f928588c5cc2eef8e3093caa0e87c",
        "HMAC_SHA2_384_192, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, Hi There, b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973",
        "HMAC_SHA2_512_256, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, Hi There, 637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8",
    })
    void hmacIcv(EspIntegrity algorithm, String key, String data, String icv) {
        Integrity integrity = new Integrity(algorithm, hex(key));
        assertThat(HEX.formatHex(integrity.icv(data.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(icv);
        assertThat(integrity.icvLength()).isEqualTo(algorithm.icvLength());
    }

    /**
     * RFC 3602 section 4, cases #5 and #6: transport-mode ESP packets (ICMP echo, Next Header 1) with AES-128-CBC and
     * no authentication. Our SA builds the same packet (SPI, sequence number, IV, payload, padding 1, 2, ..., Pad
     * Length, Next Header) when given the vector's IV; the ICV we append is not part of the vector. The inbound SA
     * then accepts the padding and stops at the Next Header, which is not UDP.
     */
    @ParameterizedTest(name = "RFC 3602 case #{0}")
    @CsvSource({
        "5, 1, e96e8c08ab465763fd098d45dd3ff893,"
                + " 08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637,"
                + " 0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856"
                + "a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6",
        "6, 8, 69d08df7d203329db093fc4924e5bd80, 0800b5e8a80a0500a69c083d0b660e00777777777777777777777777,"
                + " 000043210000000869d08df7d203329db093fc4924e5bd80f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75",
    })
    void rfc3602TransportModeEsp(int number, long seq, String iv, String payload, String packet) {
        byte[] keymat = concat(hex("90d382b410eeba7ad938c46cec1a82bf"), new byte[20]);
        CbcTransform.IvSource fixedIv = bytes -> System.arraycopy(hex(iv), 0, bytes, 0, bytes.length);
        SecurityAssociation out = new SecurityAssociation(SecurityAssociation.Direction.OUTBOUND, 0x4321,
                EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96, keymat.clone(), 0, 128,
                PooledByteBufAllocator.DEFAULT, fixedIv);
        out.skipTo(seq - 1);
        ByteBuf sealed = out.seal(Unpooled.wrappedBuffer(hex(payload)), 1); // no headroom: sealed in a copy
        // and the same packet sealed in place, in front of and behind the payload in its own buffer
        SecurityAssociation inPlace = new SecurityAssociation(SecurityAssociation.Direction.OUTBOUND, 0x4321,
                EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96, keymat.clone(), 0, 128,
                PooledByteBufAllocator.DEFAULT, fixedIv);
        inPlace.skipTo(seq - 1);
        ByteBuf segment = PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, hex(payload).length).writeBytes(hex(payload));
        ByteBuf sealedInPlace = inPlace.seal(segment, 1);
        try {
            assertThat(sealedInPlace).isSameAs(segment);
            assertThat(ByteBufUtil.hexDump(sealedInPlace)).isEqualTo(ByteBufUtil.hexDump(sealed));
        } finally {
            sealedInPlace.release();
        }
        SecurityAssociation in = new SecurityAssociation(SecurityAssociation.Direction.INBOUND, 0x4321,
                EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96, keymat.clone(), 0, 128, PooledByteBufAllocator.DEFAULT);
        try {
            assertThat(sealed.readableBytes()).isEqualTo(hex(packet).length + 12);
            assertThat(ByteBufUtil.hexDump(sealed, sealed.readerIndex(), sealed.readableBytes() - 12)).isEqualTo(packet);
            assertThat(in.open(sealed)).isNull();
            assertThat(in.lastDrop()).isEqualTo(EspDropReason.NOT_UDP);
            assertThat(in.sequence()).as("authenticated, so the window moved").isEqualTo(seq);
        } finally {
            sealed.release();
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }
}
