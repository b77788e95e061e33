package net.l2sec.dataplane.ikev2.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Cert;
import net.l2sec.dataplane.ikev2.message.Payload.CertReq;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Delete;
import net.l2sec.dataplane.ikev2.message.Payload.Eap;
import net.l2sec.dataplane.ikev2.message.Payload.Encrypted;
import net.l2sec.dataplane.ikev2.message.Payload.EncryptedFragment;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Ke;
import net.l2sec.dataplane.ikev2.message.Payload.Nonce;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelector;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ikev2.message.Payload.Transform;
import net.l2sec.dataplane.ikev2.message.Payload.Unknown;
import net.l2sec.dataplane.ikev2.message.Payload.VendorId;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * {@link Ikev2Codec} against RFC 7296 section 3: every payload layout both ways, the generic header chain, the
 * Encrypted payload's place, section 2.5's critical bit, the header checks and each malformed case with its drop
 * reason; and real IKE_SA_INIT requests of strongSwan 5.9 ({@link #STRONGSWAN_GCM_ECP256}).
 */
class Ikev2CodecTest {
    static final HexFormat HEX = HexFormat.of();
    static final long SPI_I = 0x0011223344556677L;
    static final long SPI_R = 0x8899aabbccddeeffL;
    static final Ikev2Header INIT_REQUEST = new Ikev2Header(SPI_I, 0, 0, ExchangeType.IKE_SA_INIT.code(), Ikev2Header.INITIATOR, 0, 0);
    static final Ikev2Header AUTH_REQUEST = new Ikev2Header(SPI_I, SPI_R, 0, ExchangeType.IKE_AUTH.code(), Ikev2Header.INITIATOR, 1, 0);

    static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    /** Records hold arrays: compared field by field, arrays by content, and the record types too. */
    static void assertSameContent(Object actual, Object expected) {
        assertThat(describe(actual)).isEqualTo(describe(expected));
    }

    /** A record's type and components, arrays in hex, lists element by element. */
    static String describe(Object o) {
        return switch (o) {
            case null -> "null";
            case byte[] b -> "0x" + HEX.formatHex(b);
            case List<?> l -> l.stream().map(Ikev2CodecTest::describe).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            case Record r -> {
                StringBuilder out = new StringBuilder(r.getClass().getSimpleName()).append('(');
                for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
                    try {
                        out.append(c.getName()).append('=').append(describe(c.getAccessor().invoke(r))).append(' ');
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                }
                yield out.append(')').toString();
            }
            default -> o.toString();
        };
    }

    static Ikev2DropReason rejection(ThrowingCallable call) {
        Throwable[] thrown = new Throwable[1];
        try {
            call.call();
        } catch (Throwable t) {
            thrown[0] = t;
        }
        assertThat(thrown[0]).as("rejected").isInstanceOf(Ikev2DecodeException.class);
        return ((Ikev2DecodeException) thrown[0]).reason();
    }

    static Ikev2DropReason rejection(byte[] message) {
        return rejection(() -> Ikev2Codec.decode(message));
    }

    /** An IKE SA proposal and an ESP one: several transforms, the Key Length attribute, an SPI. */
    static Sa sa() {
        return new Sa(List.of(
                new Proposal(1, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 20, 256),
                        new Transform(Transform.ENCR, 12, 128), new Transform(Transform.PRF, 5, 0),
                        new Transform(Transform.INTEG, 12, 0), new Transform(Transform.DH, 19, 0), new Transform(Transform.DH, 14, 0))),
                new Proposal(2, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 3, 0),
                        new Transform(Transform.PRF, 2, 0), new Transform(Transform.INTEG, 2, 0), new Transform(Transform.DH, 2, 0))),
                new Proposal(3, Proposal.ESP, new byte[] {(byte) 0xc1, 0x02, 0x03, 0x04}, List.of(
                        new Transform(Transform.ENCR, 20, 128), new Transform(Transform.ESN, 0, 0)))));
    }

    static TrafficSelectors selectors(boolean initiator) {
        return new TrafficSelectors(initiator, List.of(
                new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 0, 0, 65535, hex("00000000"), hex("ffffffff")),
                new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 17, 500, 4500, hex("0a4d000a"), hex("0a4d0032")),
                new TrafficSelector(TrafficSelector.TS_IPV6_ADDR_RANGE, 58, 0, 65535, hex("20010db8000000000000000000000000"),
                        hex("20010db8ffffffffffffffffffffffff"))));
    }

    /** Every payload type that is not encrypted, in one chain. */
    static List<Payload> everyPlainPayload() {
        return List.of(sa(),
                new Ke(19, hex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
                        + "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40")),
                new Nonce(hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf")),
                Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, hex("00112233445566778899aabbccddeeff00112233")),
                new Notify(Proposal.ESP, hex("c1020304"), NotifyType.REKEY_SA, new byte[0]),
                Notify.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
                new Identification(true, Identification.ID_RFC822_ADDR, "alice@example.com".getBytes()),
                new Identification(false, Identification.ID_FQDN, "vpn.example.com".getBytes()),
                new Cert(Cert.X509_SIGNATURE, hex("3082010a0282010100")),
                new CertReq(Cert.X509_SIGNATURE, hex("0123456789abcdef0123456789abcdef01234567")),
                new Auth(Auth.SHARED_KEY_MIC, hex("5566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344")),
                new Delete(Proposal.ESP, 4, List.of(hex("c1020304"), hex("c5060708"), hex("c90a0b0c"))),
                new Delete(Proposal.IKE, 0, List.of()),
                new VendorId(hex("882fe56d6fd20dbc2251613b2ebe5beb")),
                selectors(true), selectors(false),
                new Config(Config.CFG_REQUEST, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[0]),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP6_ADDRESS, new byte[0]))),
                new Config(Config.CFG_REPLY, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, hex("0a4d000a")),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, hex("0a4d0035")),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP6_ADDRESS, hex("20010db8000000000000000000000a40")))),
                new Eap(hex("0101000a01616c696365")), // EAP-Request (1), identifier 1, length 10, type Identity, "alice"
                new Unknown(200, hex("deadbeef")));
    }

    /**
     * strongSwan 5.9.8 (Debian 12, the interop VM of ../shared/interop, {@code client.sh --mode ikev2 --ike
     * 'aes256gcm16-prfsha256-ecp256,aes256-sha1-modp1024!'}) sending its IKE_SA_INIT request from 10.0.2.15:500 to
     * 10.0.2.2:500 (slirp's view), captured with dumpcap on the loopback of a test namespace where nothing answered;
     * the UDP payload of the first of three retransmissions, 308 octets. tshark 4.0 reads it as: SA with proposal 1
     * (AES-GCM-16 256, PRF_HMAC_SHA2_256, ECP 256) and 2 (AES-CBC 256, HMAC_SHA1_96, PRF_HMAC_SHA1, MODP 1024), KE
     * group 19, Ni of 32, NAT_DETECTION_SOURCE_IP, NAT_DETECTION_DESTINATION_IP, IKEV2_FRAGMENTATION_SUPPORTED,
     * SIGNATURE_HASH_ALGORITHMS (SHA2-256, SHA2-384, SHA2-512, Identity), REDIRECT_SUPPORTED.
     */
    static final String STRONGSWAN_GCM_ECP256 =
            "9a3c61b1ac3b820300000000000000002120220800000000000001342200005402000024010100030300000c01000014"
            + "800e0100030000080200000500000008040000130000002c020100040300000c0100000c800e01000300000803000002"
            + "03000008020000020000000804000002280000480013000008578d0585e8fc4fd19dc421b9c50616ad68bbc2ef1bff02"
            + "87248711b5e1b3b83f0dea6660ba21a2c0b51cdba5ab11a6c14b0bcb4fa910ef2b16df2d6a7ef32029000024b547e355"
            + "0a8707c3253d2a12afd21476a5d305ec729b3c3ac2516f102ed5fc3f2900001c00004004b2ceb31293f214c5de0d4d9f"
            + "4c69ce39353cf7982900001c000040058b8d1e5175d40a1b3fc0137400b233d586e9c04e290000080000402e29000010"
            + "0000402f00020003000400050000000800004016";

    /** The same client with {@code --ike 'aes256-sha1-modp1024!'}: one proposal, KE group 2 of 128 octets; 336 octets. */
    static final String STRONGSWAN_CBC_MODP1024 =
            "b13ec5bf4514b1750000000000000000212022080000000000000150220000300000002c010100040300000c0100000c"
            + "800e010003000008030000020300000802000002000000080400000228000088000200007c41cdc2e1d37ce2735e1c7b"
            + "b3da663972461ad7a707dc4a6b54644948b84d4acd579ffeed57dc1f8c69592352a33b7781e637817c8773d72dd17f46"
            + "c697c3f5f0fc6d2c7870f16e754af7b63031177582bd4da83f4d2121659f7d7dd5a796c03f99fc60f867bbefcfc855f7"
            + "8c13d8a1d8f0e0fed41e7a330ddb070dd3dbf13829000024d4be8fa1699fe99ba836cc8e106455b0f0a15c5ca11bce07"
            + "30465f2457c4d5e12900001c00004004f15abdc2a6f9fa5f830187ccb0ab60460a3bb1542900001c00004005e3858dc6"
            + "fa23593237c54ccc759e546627622d40290000080000402e290000100000402f00020003000400050000000800004016";

    /**
     * strongSwan 5.9.8 as the IKEv2 responder (the interop harness's {@code reference-server.sh --mode ikev2 --net host
     * --ike 'aes256gcm16-prfsha256-ecp256,aes256-sha1-modp1024!'}, one VM, in a test namespace) answering
     * {@link #STRONGSWAN_GCM_ECP256} replayed to it: 272 octets; tshark 4.0: SA proposal 1 (AES-GCM-16 256,
     * PRF_HMAC_SHA2_256, ECP 256), KE group 19, Nr, NAT_DETECTION_SOURCE_IP, NAT_DETECTION_DESTINATION_IP,
     * IKEV2_FRAGMENTATION_SUPPORTED, SIGNATURE_HASH_ALGORITHMS, CHILDLESS_IKEV2_SUPPORTED, MULTIPLE_AUTH_SUPPORTED.
     */
    static final String STRONGSWAN_RESPONSE_GCM_ECP256 =
            "9a3c61b1ac3b8203f6a88e06e84195fc2120222000000000000001102200002800000024010100030300000c01000014"
            + "800e01000300000802000005000000080400001328000048001300004fa53b0788acdb52592e3b73496dc01424e41abf"
            + "35cc9738a961aca6c11dbecb5f8ac258cceff2f9fe56ca96ac1671a320f1217fb8838f6a927ceede8428584a29000024"
            + "8a7db63eaa32256e9e63c9af0b5f4c43a8583c5713e607fe320ee0ef88cbc0f82900001c00004004c867493eedf271e0"
            + "1ca6d7efe8be1f6611be4e5d2900001c000040059e5c7af47670b05174e4b9eaac9611791222a347290000080000402e"
            + "290000100000402f000200030004000529000008000040220000000800004014";

    /** The same responder answering {@link #STRONGSWAN_CBC_MODP1024}: 344 octets. */
    static final String STRONGSWAN_RESPONSE_CBC_MODP1024 =
            "b13ec5bf4514b17525d98d9ce0d5b148212022200000000000000158220000300000002c010100040300000c0100000c"
            + "800e010003000008030000020300000802000002000000080400000228000088000200001f0f8f5db36148304d90b4ef"
            + "c921572c252228b843934d58d9edcb7aa468d683e596316493d02e07e1907eab72abc73fc5427f0337592dd3340be703"
            + "b0d026e8d553d247d2b1e29c288571a8332b7c95bcbd3e6032a65116a3d9980d7c17bd4ec5166d680792cf90217fdb10"
            + "72a82a9849796920d682586ebdec84451afafaca29000024c786c5fd16397d0a02007dc8ec97564a5543a360534576dd"
            + "5cc8c4bd13cebd3f2900001c00004004e44406e3951bd0115622f1cad0120ba97b616bc32900001c0000400530cdf97d"
            + "60badfe49fac257c1372f14d66877ef6290000080000402e290000100000402f00020003000400052900000800004022"
            + "0000000800004014";

    /**
     * The same responder answering {@link #STRONGSWAN_GCM_ECP256} altered to carry a KE of group 2 (128 octets) and
     * the initiator SPI 0badc0de0badc0de: INVALID_KE_PAYLOAD naming group 19 (RFC 7296 section 1.3), its responder SPI
     * zero; 38 octets.
     */
    static final String STRONGSWAN_INVALID_KE = "0badc0de0badc0de00000000000000002920222000000000000000260000000a000000110013";

    /** RFC 5685's REDIRECT_SUPPORTED status notify, which strongSwan sends and we do not act on. */
    static final int REDIRECT_SUPPORTED = 16406;

    /** RFC 6023's CHILDLESS_IKEV2_SUPPORTED and RFC 4739's MULTIPLE_AUTH_SUPPORTED, as strongSwan's responder sends them. */
    static final int CHILDLESS_IKEV2_SUPPORTED = 16418;
    static final int MULTIPLE_AUTH_SUPPORTED = 16404;

    /** strongSwan 5.9's IKE_SA_INIT requests and responses captured from the interop VM. */
    static List<byte[]> capturedMessages() {
        return List.of(hex(STRONGSWAN_GCM_ECP256), hex(STRONGSWAN_CBC_MODP1024), hex(STRONGSWAN_RESPONSE_GCM_ECP256),
                hex(STRONGSWAN_RESPONSE_CBC_MODP1024), hex(STRONGSWAN_INVALID_KE));
    }

    /** NAT_DETECTION_*_IP data (RFC 7296 section 2.23): SHA-1(SPIi | SPIr | IP address | port), SPIr zero here. */
    static byte[] natDetection(long spiI, String address, int port) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 8 + 4 + 2).putLong(spiI).putLong(0)
                .put(java.net.InetAddress.getByName(address).getAddress()).putShort((short) port);
        return java.security.MessageDigest.getInstance("SHA-1").digest(b.array());
    }

    @Test
    void strongSwansIkeSaInitRequestDecodes() throws Exception {
        byte[] m = hex(STRONGSWAN_GCM_ECP256);
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        long spiI = 0x9a3c61b1ac3b8203L;
        assertThat(msg.header()).isEqualTo(new Ikev2Header(spiI, 0, PayloadType.SA.code(), ExchangeType.IKE_SA_INIT.code(),
                Ikev2Header.INITIATOR, 0, 308));
        List<Payload> p = msg.payloads();
        assertThat(p).extracting(Payload::type).containsExactly(PayloadType.SA, PayloadType.KE, PayloadType.NONCE,
                PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY);
        assertSameContent(p.get(0), new Sa(List.of(
                new Proposal(1, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 20, 256),
                        new Transform(Transform.PRF, 5, 0), new Transform(Transform.DH, 19, 0))),
                new Proposal(2, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 12, 256),
                        new Transform(Transform.INTEG, 2, 0), new Transform(Transform.PRF, 2, 0), new Transform(Transform.DH, 2, 0))))));
        Ke ke = (Ke) p.get(1);
        assertThat(ke.group()).isEqualTo(19);
        assertThat(ke.data()).as("ECP 256: x | y (RFC 5903 section 7)").hasSize(64);
        assertThat(((Nonce) p.get(2)).data()).hasSize(32);
        List<Notify> notifies = p.subList(3, 8).stream().map(Notify.class::cast).toList();
        assertThat(notifies).extracting(Notify::notifyType).containsExactly(NotifyType.NAT_DETECTION_SOURCE_IP,
                NotifyType.NAT_DETECTION_DESTINATION_IP, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
                NotifyType.SIGNATURE_HASH_ALGORITHMS, REDIRECT_SUPPORTED);
        assertThat(notifies).allSatisfy(n -> {
            assertThat(n.protocol()).isZero();
            assertThat(n.spi()).isEmpty();
            assertThat(n.error()).isFalse();
        });
        // the NAT-D hashes as the client computed them: its own 10.0.2.15:500 and the server as it addressed it
        assertThat(notifies.get(0).data()).isEqualTo(natDetection(spiI, "10.0.2.15", 500));
        assertThat(notifies.get(1).data()).isEqualTo(natDetection(spiI, "10.0.2.2", 500));
        assertThat(notifies.get(2).data()).isEmpty();
        assertThat(HEX.formatHex(notifies.get(3).data())).as("RFC 7427: SHA2-256, SHA2-384, SHA2-512, Identity")
                .isEqualTo("0002000300040005");
        // our encoder writes strongSwan's octets back exactly
        assertThat(HEX.formatHex(Ikev2Codec.encode(msg.header(), p))).isEqualTo(HEX.formatHex(m));
    }

    @Test
    void strongSwansIkeSaInitResponseDecodes() throws Exception {
        byte[] m = hex(STRONGSWAN_RESPONSE_GCM_ECP256);
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        long spiI = 0x9a3c61b1ac3b8203L;
        long spiR = 0xf6a88e06e84195fcL;
        assertThat(msg.header()).isEqualTo(new Ikev2Header(spiI, spiR, PayloadType.SA.code(), ExchangeType.IKE_SA_INIT.code(),
                Ikev2Header.RESPONSE, 0, 272));
        assertThat(msg.header().response()).isTrue();
        assertThat(msg.header().fromInitiator()).isFalse();
        List<Payload> p = msg.payloads();
        assertThat(p).extracting(Payload::type).containsExactly(PayloadType.SA, PayloadType.KE, PayloadType.NONCE,
                PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY, PayloadType.NOTIFY);
        // the one proposal chosen keeps the number it had in the request (section 3.3.1)
        assertSameContent(p.get(0), new Sa(List.of(new Proposal(1, Proposal.IKE, new byte[0], List.of(
                new Transform(Transform.ENCR, 20, 256), new Transform(Transform.PRF, 5, 0), new Transform(Transform.DH, 19, 0))))));
        assertThat(((Ke) p.get(1)).group()).isEqualTo(19);
        assertThat(((Ke) p.get(1)).data()).hasSize(64);
        assertThat(((Nonce) p.get(2)).data()).hasSize(32);
        List<Notify> notifies = p.subList(3, 9).stream().map(Notify.class::cast).toList();
        assertThat(notifies).extracting(Notify::notifyType).containsExactly(NotifyType.NAT_DETECTION_SOURCE_IP,
                NotifyType.NAT_DETECTION_DESTINATION_IP, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
                NotifyType.SIGNATURE_HASH_ALGORITHMS, CHILDLESS_IKEV2_SUPPORTED, MULTIPLE_AUTH_SUPPORTED);
        // the responder's own NAT-D hashes its SPI too: SHA-1(SPIi | SPIr | 10.0.2.15 | 500) (section 2.23)
        java.nio.ByteBuffer natd = java.nio.ByteBuffer.allocate(22).putLong(spiI).putLong(spiR).put(new byte[] {10, 0, 2, 15})
                .putShort((short) 500);
        assertThat(notifies.get(0).data()).isEqualTo(java.security.MessageDigest.getInstance("SHA-1").digest(natd.array()));
        assertThat(HEX.formatHex(Ikev2Codec.encode(msg.header(), p))).isEqualTo(HEX.formatHex(m));

        Ikev2Codec.Message modp = Ikev2Codec.decode(hex(STRONGSWAN_RESPONSE_CBC_MODP1024));
        assertSameContent(modp.first(Sa.class).orElseThrow(), new Sa(List.of(new Proposal(1, Proposal.IKE, new byte[0], List.of(
                new Transform(Transform.ENCR, 12, 256), new Transform(Transform.INTEG, 2, 0), new Transform(Transform.PRF, 2, 0),
                new Transform(Transform.DH, 2, 0))))));
        assertThat(modp.first(Ke.class).orElseThrow().data()).hasSize(128);
        assertThat(Ikev2Codec.encode(modp.header(), modp.payloads())).isEqualTo(hex(STRONGSWAN_RESPONSE_CBC_MODP1024));
    }

    /** RFC 7296 section 1.3: the KE's group is not the chosen one; the answer names the group wanted (19). */
    @Test
    void strongSwansInvalidKePayloadDecodes() throws Exception {
        byte[] m = hex(STRONGSWAN_INVALID_KE);
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        assertThat(msg.header()).isEqualTo(new Ikev2Header(0x0badc0de0badc0deL, 0, PayloadType.NOTIFY.code(),
                ExchangeType.IKE_SA_INIT.code(), Ikev2Header.RESPONSE, 0, 38));
        Notify n = (Notify) msg.payloads().getFirst();
        assertThat(msg.payloads()).hasSize(1);
        assertThat(n.notifyType()).isEqualTo(NotifyType.INVALID_KE_PAYLOAD);
        assertThat(n.error()).isTrue();
        assertThat(Ikev2Codec.u16(n.data(), 0)).isEqualTo(19);
        assertThat(HEX.formatHex(Ikev2Codec.encode(msg.header(), List.of(Notify.of(NotifyType.INVALID_KE_PAYLOAD, new byte[] {0, 19})))))
                .as("our encoder writes the same answer").isEqualTo(STRONGSWAN_INVALID_KE);
    }

    @Test
    void strongSwansModp1024RequestDecodes() throws Exception {
        byte[] m = hex(STRONGSWAN_CBC_MODP1024);
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        assertThat(msg.header().initiatorSpi()).isEqualTo(0xb13ec5bf4514b175L);
        assertThat(msg.header().length()).isEqualTo(336);
        assertSameContent(msg.first(Sa.class).orElseThrow(), new Sa(List.of(new Proposal(1, Proposal.IKE, new byte[0], List.of(
                new Transform(Transform.ENCR, 12, 256), new Transform(Transform.INTEG, 2, 0), new Transform(Transform.PRF, 2, 0),
                new Transform(Transform.DH, 2, 0))))));
        Ke ke = msg.first(Ke.class).orElseThrow();
        assertThat(ke.group()).isEqualTo(2);
        assertThat(ke.data()).as("MODP 1024: 128 octets").hasSize(128);
        assertThat(msg.payloads()).filteredOn(Notify.class::isInstance).extracting(n -> ((Notify) n).notifyType())
                .contains(NotifyType.NAT_DETECTION_SOURCE_IP, NotifyType.NAT_DETECTION_DESTINATION_IP,
                        NotifyType.IKEV2_FRAGMENTATION_SUPPORTED, NotifyType.SIGNATURE_HASH_ALGORITHMS);
        assertThat(Ikev2Codec.encode(msg.header(), msg.payloads())).isEqualTo(m);
    }

    @Test
    void theComparisonSeesArrayContent() {
        // the helper every test relies on must fail on a differing array element
        assertThatThrownBy(() -> assertSameContent(new Nonce(new byte[16]), new Nonce(hex("00000000000000000000000000000001"))))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertSameContent(selectors(true), selectors(false))).isInstanceOf(AssertionError.class);
    }

    @Test
    void everyPayloadTypeEncodesAndDecodesBackToTheSameContent() throws Exception {
        List<Payload> all = everyPlainPayload();
        byte[] m = Ikev2Codec.encode(INIT_REQUEST, all);
        Ikev2Codec.Message back = Ikev2Codec.decode(m);
        assertThat(back.header().length()).isEqualTo(m.length);
        assertThat(back.header().nextPayload()).isEqualTo(PayloadType.SA.code());
        assertThat(back.header().exchange()).isEqualTo(ExchangeType.IKE_SA_INIT.code());
        assertThat(back.header().fromInitiator()).isTrue();
        assertThat(back.header().response()).isFalse();
        assertThat(back.payloads()).hasSize(all.size());
        for (int i = 0; i < all.size(); i++) {
            assertThat(back.payloads().get(i)).as("payload %d", i).isInstanceOf(all.get(i).getClass());
            assertSameContent(back.payloads().get(i), all.get(i));
        }
        assertThat(back.first(TrafficSelectors.class).orElseThrow().initiator()).isTrue();
        assertThat(Ikev2Codec.encode(back.header(), back.payloads())).isEqualTo(m);
        // the same chain as decrypted SK content: payloads() on a bare chain
        byte[] chain = Ikev2Codec.encodePayloads(all);
        assertThat(Arrays.copyOfRange(m, Ikev2Header.LENGTH, m.length)).isEqualTo(chain);
        assertSameContent(Ikev2Codec.payloads(PayloadType.SA.code(), chain, 0, chain.length), all);
    }

    /** Each generic header names the next payload's type and its own length; the last names none (RFC 7296 section 3.2). */
    @Test
    void theGenericHeaderChainNamesEachNextPayloadAndLength() throws Exception {
        List<Payload> all = everyPlainPayload();
        byte[] m = Ikev2Codec.encode(INIT_REQUEST, all);
        assertThat(m[16] & 0xff).as("header's next payload").isEqualTo(PayloadType.SA.code());
        assertThat(m[17] & 0xff).as("version 2.0").isEqualTo(0x20);
        assertThat(Ikev2Codec.u32(m, 24)).isEqualTo(m.length);
        int at = Ikev2Header.LENGTH;
        for (int i = 0; i < all.size(); i++) {
            int next = m[at] & 0xff;
            int expectedNext = i + 1 < all.size() ? Ikev2Codec.typeOf(all.get(i + 1)) : 0;
            assertThat(next).as("next payload after %d", i).isEqualTo(expectedNext);
            assertThat(m[at + 1]).as("critical bit and reserved clear").isZero();
            int length = Ikev2Codec.u16(m, at + 2);
            assertThat(length).isGreaterThanOrEqualTo(4);
            at += length;
        }
        assertThat(at).as("the chain ends at the message's end").isEqualTo(m.length);
    }

    /**
     * A message written by hand from RFC 7296 section 3 (not by our encoder): an SA with one IKE proposal (AES-CBC with
     * the Key Length attribute 128, PRF_HMAC_SHA2_256, AUTH_HMAC_SHA2_256_128, group 14), a KE of 4 octets (short, for
     * the layout), a 16-octet nonce and a NAT_DETECTION_SOURCE_IP notify of 4 octets.
     */
    static final String HAND_WRITTEN = ""
            + "0011223344556677 0000000000000000 21 20 22 08 00000000 00000078" // IKE header, length 120
            + "22 00 0030" // SA, next KE, 48
            + "00 00 002c 01 01 00 04" // last proposal, 44, #1 IKE, no SPI, 4 transforms
            + "03 00 000c 01 00 000c 800e 0080" // ENCR AES-CBC, key length 128
            + "03 00 0008 02 00 0005" // PRF HMAC-SHA2-256
            + "03 00 0008 03 00 000c" // INTEG HMAC-SHA2-256-128
            + "00 00 0008 04 00 000e" // DH 14, last transform
            + "28 00 000c 000e 0000 01020304" // KE, next Nonce, group 14
            + "29 00 0014 000102030405060708090a0b0c0d0e0f" // Nonce, next Notify
            + "00 00 000c 00 00 4004 c0a80001"; // Notify NAT_DETECTION_SOURCE_IP, last

    @Test
    void aHandWrittenMessageDecodesAndOurEncoderWritesTheSameOctets() throws Exception {
        byte[] m = hex(HAND_WRITTEN);
        assertThat(m).hasSize(120);
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        assertThat(msg.header()).isEqualTo(new Ikev2Header(SPI_I, 0, 33, 34, 0x08, 0, 120));
        assertSameContent(msg.payloads(), List.of(
                new Sa(List.of(new Proposal(1, 1, new byte[0], List.of(new Transform(1, 12, 128), new Transform(2, 5, 0),
                        new Transform(3, 12, 0), new Transform(4, 14, 0))))),
                new Ke(14, hex("01020304")), new Nonce(hex("000102030405060708090a0b0c0d0e0f")),
                Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, hex("c0a80001"))));
        assertThat(HEX.formatHex(Ikev2Codec.encode(INIT_REQUEST, msg.payloads()))).isEqualTo(HEX.formatHex(m));
    }

    @Test
    void transformAttributesOtherThanKeyLengthAreSkipped() throws Exception {
        // a TV attribute of type 15 and a TLV attribute of type 16 with 3 octets around the Key Length 256
        String sa = "00 00 0020 01 01 00 01" + "00 00 0018 01 00 0014 800f 0001 800e 0100 0010 0003 aabbcc 00";
        byte[] m = message("21", "22 00 0024" + sa);
        // the TLV's 3 octets end one short of the transform: trailing garbage is refused
        assertThat(rejection(m)).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        String exact = "00 00 001f 01 01 00 01" + "00 00 0017 01 00 0014 800f 0001 800e 0100 0010 0003 aabbcc";
        Ikev2Codec.Message ok = Ikev2Codec.decode(message("21", "00 00 0023" + exact));
        assertSameContent(ok.payloads(), List.of(new Sa(List.of(new Proposal(1, 1, new byte[0], List.of(new Transform(1, 20, 256)))))));
    }

    /** A plaintext message with header next payload {@code first} and the payload octets {@code payloads} (hex). */
    static byte[] message(String first, String payloads) {
        byte[] body = hex(payloads);
        byte[] m = new byte[Ikev2Header.LENGTH + body.length];
        Ikev2Codec.writeHeader(m, INIT_REQUEST.withNextPayload(Integer.parseInt(first, 16)).withLength(m.length));
        System.arraycopy(body, 0, m, Ikev2Header.LENGTH, body.length);
        return m;
    }

    @Test
    void theEncryptedPayloadIsLastAndNamesTheFirstInnerPayload() throws Exception {
        byte[] sealed = hex("000102030405060708090a0b0c0d0e0f" + "ffeeddccbbaa99887766554433221100" + "0123456789abcdef01234567");
        byte[] m = Ikev2Codec.encode(AUTH_REQUEST, List.of(new Encrypted(PayloadType.IDI.code(), sealed)));
        assertThat(m[16] & 0xff).as("header names SK").isEqualTo(46);
        assertThat(m[28] & 0xff).as("SK's next payload: the first inner one").isEqualTo(35);
        assertThat(Ikev2Codec.u16(m, 30)).isEqualTo(4 + sealed.length);
        Ikev2Codec.Message back = Ikev2Codec.decode(m);
        assertSameContent(back.payloads(), List.of(new Encrypted(35, sealed)));
        // a plain payload in front of SK (a NOTIFY in an unprotected message is fine for the codec)
        byte[] withNotify = Ikev2Codec.encode(AUTH_REQUEST, List.of(Notify.of(NotifyType.COOKIE, hex("0102030405060708")),
                new Encrypted(PayloadType.IDI.code(), sealed)));
        assertThat(Ikev2Codec.decode(withNotify).payloads()).last().isInstanceOf(Encrypted.class);
        // octets after the SK payload: SK is not last
        byte[] longer = Arrays.copyOf(m, m.length + 4);
        Ikev2Codec.put32(longer, 24, longer.length);
        assertThat(rejection(longer)).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        // the SK's own next payload field must not be read as a chain: IDI inside is never decoded here
        Encrypted e = (Encrypted) back.payloads().getFirst();
        assertThat(e.body()).isEqualTo(sealed);
    }

    @Test
    void anEncryptedFragmentCarriesItsNumberAndTotal() throws Exception {
        byte[] body = hex("000102030405060708090a0b0c0d0e0f1011121314151617");
        byte[] first = Ikev2Codec.encode(AUTH_REQUEST, List.of(new EncryptedFragment(PayloadType.IDI.code(), 1, 3, body)));
        assertThat(first[16] & 0xff).isEqualTo(53);
        assertThat(first[28] & 0xff).isEqualTo(35);
        assertThat(HEX.formatHex(first, 32, 36)).as("Fragment Number, Total Fragments").isEqualTo("00010003");
        assertSameContent(Ikev2Codec.decode(first).payloads(), List.of(new EncryptedFragment(35, 1, 3, body)));
        byte[] third = Ikev2Codec.encode(AUTH_REQUEST, List.of(new EncryptedFragment(0, 3, 3, body)));
        assertSameContent(Ikev2Codec.decode(third).payloads(), List.of(new EncryptedFragment(0, 3, 3, body)));
    }

    /** RFC 7383 section 2.6: Fragment Number 0, Total Fragments 0, or a number beyond the total are invalid. */
    @Test
    void fragmentNumberAndTotalAreChecked() {
        byte[] body = new byte[24];
        for (int[] bad : new int[][] {{0, 3}, {1, 0}, {4, 3}, {0, 0}, {65535, 2}}) {
            byte[] m = Ikev2Codec.encode(AUTH_REQUEST, List.of(new EncryptedFragment(0, bad[0], bad[1], body)));
            assertThat(rejection(m)).as("fragment %d of %d", bad[0], bad[1]).isEqualTo(Ikev2DropReason.FRAGMENT_INVALID);
        }
        // too short for number and total
        assertThat(rejection(message("35", "00 00 0006 0001"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
    }

    /** RFC 7296 section 2.5: an unknown payload without the critical bit is skipped, with it the message is rejected. */
    @Test
    void unknownPayloadsAreSkippedUnlessCritical() throws Exception {
        // Nonce, then an unknown type 222 (not critical), then a Notify
        String nonce = "de 00 0014 000102030405060708090a0b0c0d0e0f";
        byte[] skipped = message("28", nonce + "29 00 0008 aabbccdd" + "00 00 0008 00 00 4019");
        List<Payload> payloads = Ikev2Codec.decode(skipped).payloads();
        assertThat(payloads).hasSize(3);
        assertSameContent(payloads.get(1), new Unknown(222, hex("aabbccdd")));
        assertSameContent(payloads.get(2), Notify.of(0x4019)); // 16409, a status type
        // the same with the critical bit
        byte[] critical = message("28", nonce + "29 80 0008 aabbccdd" + "00 00 0008 00 00 4019");
        Ikev2DecodeException e = (Ikev2DecodeException) org.assertj.core.api.Assertions.catchThrowable(() -> Ikev2Codec.decode(critical));
        assertThat(e.reason()).isEqualTo(Ikev2DropReason.UNSUPPORTED_CRITICAL);
        assertThat(e.getMessage()).contains("222");
        // the critical bit on a payload we know is ignored (section 3.2: "MUST be ignored ... if it understands")
        byte[] knownCritical = message("28", "29 80 0014 000102030405060708090a0b0c0d0e0f" + "00 ff 0008 00 00 4019");
        assertThat(Ikev2Codec.decode(knownCritical).payloads()).hasSize(2);
        // an unknown type that is the first payload, critical
        assertThat(rejection(message("fe", "00 80 0004"))).isEqualTo(Ikev2DropReason.UNSUPPORTED_CRITICAL);
        // and not critical: an empty Unknown
        assertSameContent(Ikev2Codec.decode(message("fe", "00 00 0004")).payloads(), List.of(new Unknown(254, new byte[0])));
        // IKEv1 payload numbers (1-13) are unknown to IKEv2 too
        assertSameContent(Ikev2Codec.decode(message("0a", "00 00 0008 01020304")).payloads(), List.of(new Unknown(10, hex("01020304"))));
    }

    @Test
    void theHeaderIsChecked() throws Exception {
        byte[] m = Ikev2Codec.encode(INIT_REQUEST, List.of(new Nonce(new byte[32])));
        assertThat(Ikev2Codec.header(m).length()).isEqualTo(m.length);
        // major version 1 (an IKEv1 packet) and 3
        for (int version : new int[] {0x10, 0x30, 0x00}) {
            byte[] v = m.clone();
            v[17] = (byte) version;
            assertThat(rejection(v)).as("version %02x", version).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        }
        // a higher minor version is accepted (RFC 7296 section 3.1: minor version ignored... by an implementation of 2.0)
        byte[] minor = m.clone();
        minor[17] = 0x21;
        assertThat(Ikev2Codec.decode(minor).payloads()).hasSize(1);
        // length field larger and smaller than the datagram
        for (int delta : new int[] {1, -1, 1000}) {
            byte[] l = m.clone();
            Ikev2Codec.put32(l, 24, m.length + delta);
            assertThat(rejection(l)).as("length %+d", delta).isEqualTo(Ikev2DropReason.BAD_LENGTH);
        }
        byte[] huge = m.clone();
        Ikev2Codec.put32(huge, 24, 0x80000000);
        assertThat(rejection(huge)).isEqualTo(Ikev2DropReason.BAD_LENGTH);
        // a datagram trailing one octet after a correct header length
        byte[] trailing = Arrays.copyOf(m, m.length + 1);
        assertThat(rejection(trailing)).isEqualTo(Ikev2DropReason.BAD_LENGTH);
        // shorter than the header
        assertThat(rejection(Arrays.copyOf(m, 27))).isEqualTo(Ikev2DropReason.TRUNCATED);
        assertThat(rejection(new byte[0])).isEqualTo(Ikev2DropReason.TRUNCATED);
        // the header fields read back
        Ikev2Header h = Ikev2Codec.header(Ikev2Codec.encode(new Ikev2Header(SPI_I, SPI_R, 0, 37,
                Ikev2Header.RESPONSE | Ikev2Header.INITIATOR, 0xfffffffe, 0), List.of()));
        assertThat(h).isEqualTo(new Ikev2Header(SPI_I, SPI_R, 0, 37, 0x28, 0xfffffffe, 28));
        assertThat(h.response()).isTrue();
        assertThat(h.fromInitiator()).isTrue();
    }

    @Test
    void payloadLengthsAreCheckedAgainstTheirContainer() {
        // a payload header cut short, a length below 4, a length past the end, and a chain that names a next payload
        // that is not there
        assertThat(rejection(message("28", "00 00"))).isEqualTo(Ikev2DropReason.TRUNCATED);
        assertThat(rejection(message("28", "00 00 0003 00"))).isEqualTo(Ikev2DropReason.BAD_LENGTH);
        assertThat(rejection(message("28", "00 00 0015 000102030405060708090a0b0c0d0e0f"))).isEqualTo(Ikev2DropReason.BAD_LENGTH);
        assertThat(rejection(message("28", "29 00 0014 000102030405060708090a0b0c0d0e0f"))).isEqualTo(Ikev2DropReason.TRUNCATED);
    }

    /**
     * Octets after the payload whose next payload is none are not read: the chain ends there (RFC 7296 says nothing of
     * trailing octets; decrypted SK content has its padding removed before it is decoded). This pins that behaviour.
     */
    @Test
    void octetsAfterTheLastPayloadAreNotRead() throws Exception {
        List<Payload> p = Ikev2Codec.decode(message("28", "00 00 0014 000102030405060708090a0b0c0d0e0f 00000000")).payloads();
        assertSameContent(p, List.of(new Nonce(hex("000102030405060708090a0b0c0d0e0f"))));
    }

    @Test
    void tooManyPayloadsAreRefused() throws Exception {
        List<Payload> many = new ArrayList<>();
        for (int i = 0; i < Ikev2Codec.MAX_PAYLOADS; i++) many.add(new VendorId(new byte[] {(byte) i}));
        assertThat(Ikev2Codec.decode(Ikev2Codec.encode(INIT_REQUEST, many)).payloads()).hasSize(Ikev2Codec.MAX_PAYLOADS);
        many.add(new VendorId(new byte[1]));
        assertThat(rejection(Ikev2Codec.encode(INIT_REQUEST, many))).isEqualTo(Ikev2DropReason.TOO_MANY_PAYLOADS);
    }

    @Test
    void malformedSecurityAssociations() {
        // empty SA, a proposal longer than the SA, a proposal saying more follow when none does, trailing octets
        // after the last proposal, a transform count beyond the proposal, a transform length below 8, an SPI size
        // beyond the proposal, a TLV attribute running past its transform, a proposal with octets after its transforms
        String t = "00 00 0008 01 00 000c";
        String[] bad = {
            "",
            "00 00 0011 01 01 00 01" + t,
            "02 00 0010 01 01 00 01" + t,
            "00 00 0010 01 01 00 01" + t + "00",
            "00 00 0010 01 01 00 02" + t,
            "00 00 0010 01 01 00 01" + "00 00 0004 01 00 000c",
            "00 00 0010 01 01 09 01" + t,
            "00 00 0014 01 01 00 01" + "00 00 000c 01 00 000c 000f 0004",
            "00 00 0012 01 01 00 01" + t + "0000",
        };
        for (String sa : bad) {
            byte[] body = hex(sa);
            String len = String.format("%04x", 4 + body.length);
            assertThat(rejection(message("21", "00 00 " + len + sa))).as("SA %s", sa).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        }
    }

    @Test
    void deleteCarriesSeveralSpisAndTheirCountIsChecked() throws Exception {
        Delete esp = new Delete(Proposal.ESP, 4, List.of(hex("01020304"), hex("05060708"), hex("090a0b0c"), hex("0d0e0f10")));
        byte[] m = Ikev2Codec.encode(AUTH_REQUEST, List.of(esp));
        assertThat(HEX.formatHex(m, 28, m.length)).isEqualTo("00000018" + "03040004" + "0102030405060708090a0b0c0d0e0f10");
        assertSameContent(Ikev2Codec.decode(m).payloads(), List.of(esp));
        // the IKE SA: protocol 1, SPI size 0, no SPIs (section 3.11)
        byte[] ike = Ikev2Codec.encode(AUTH_REQUEST, List.of(new Delete(Proposal.IKE, 0, List.of())));
        assertThat(HEX.formatHex(ike, 28, ike.length)).isEqualTo("00000008" + "01000000");
        // 3 SPIs announced, 4 present; 5 announced, 4 present; SPI size 3 with 4-octet SPIs
        assertThat(rejection(message("2a", "00 00 0018 03 04 0003 0102030405060708090a0b0c0d0e0f10"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2a", "00 00 0018 03 04 0005 0102030405060708090a0b0c0d0e0f10"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2a", "00 00 0018 03 03 0004 0102030405060708090a0b0c0d0e0f10"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2a", "00 00 0006 03 04"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        // SPI size 0 with a count: no octets, yet the count would make that many empty SPIs (65535 per 8-octet
        // payload, before any authentication); section 3.11 has SPI size 0 only for the IKE SA, which names no SPI
        assertThat(rejection(message("2a", "00 00 0008 01 00 ffff"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2a", "00 00 0008 03 00 0001"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
    }

    @Test
    void trafficSelectorsV4AndV6() throws Exception {
        byte[] m = Ikev2Codec.encode(AUTH_REQUEST, List.of(selectors(true), selectors(false)));
        String tsi = HEX.formatHex(m, 28, 28 + 4 + 4 + 16 + 16 + 40);
        assertThat(tsi).isEqualTo("2d000050" + "03000000"
                + "07000010" + "0000ffff" + "00000000ffffffff"
                + "07110010" + "01f41194" + "0a4d000a0a4d0032"
                + "083a0028" + "0000ffff" + "20010db8000000000000000000000000" + "20010db8ffffffffffffffffffffffff");
        List<Payload> back = Ikev2Codec.decode(m).payloads();
        assertSameContent(back, List.of(selectors(true), selectors(false)));
        assertThat(back.get(0).type()).isEqualTo(PayloadType.TSI);
        assertThat(back.get(1).type()).isEqualTo(PayloadType.TSR);
        assertThat(((TrafficSelectors) back.get(0)).selectors().get(1)).hasToString("10.77.0.10-10.77.0.50 proto 17 ports 500-4500");
        // an IPv4 selector with 16-octet addresses, an IPv6 one with 4-octet addresses, a count beyond the selectors,
        // a selector length below 8, octets after the selectors
        assertThat(rejection(message("2c", "00 00 0030 01 000000 07 00 0028 0000ffff" + "00".repeat(32)))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2c", "00 00 0018 01 000000 08 00 0010 0000ffff 00000000 ffffffff"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2c", "00 00 0018 02 000000 07 00 0010 0000ffff 00000000 ffffffff"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2c", "00 00 0010 01 000000 07 00 0004 0000ffff"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2c", "00 00 001a 01 000000 07 00 0010 0000ffff 00000000 ffffffff 0000"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        // a selector type other than IP ranges (RFC 4595 TS_FC_ADDR_RANGE, 9) is skipped, the IP one kept
        List<Payload> fc = Ikev2Codec.decode(message("2c", "00 00 0028 02 000000 09 00 0010 00000000 00000000 00000000"
                + "07 00 0010 0000ffff 00000000 ffffffff")).payloads();
        assertThat(((TrafficSelectors) fc.getFirst()).selectors()).hasSize(1).first().extracting(TrafficSelector::tsType).isEqualTo(7);
    }

    @Test
    void configurationAttributes() throws Exception {
        Config request = new Config(Config.CFG_REQUEST, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]),
                new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[0]), new ConfigAttribute(28675, new byte[0])));
        byte[] m = Ikev2Codec.encode(AUTH_REQUEST, List.of(request));
        assertThat(HEX.formatHex(m, 28, m.length)).isEqualTo("00000014" + "01000000" + "00010000" + "00030000" + "70030000");
        assertSameContent(Ikev2Codec.decode(m).payloads(), List.of(request));
        Config reply = (Config) Ikev2Codec.decode(message("2f", "00 00 0014 02 000000 0001 0004 0a4d000a 0003 0000")).payloads().getFirst();
        assertThat(reply.cfgType()).isEqualTo(Config.CFG_REPLY);
        assertSameContent(reply.attributes(), List.of(new ConfigAttribute(1, hex("0a4d000a")), new ConfigAttribute(3, new byte[0])));
        // the reserved high bit of the attribute type is not part of the type (section 3.15.1)
        Config reserved = (Config) Ikev2Codec.decode(message("2f", "00 00 000c 01 000000 8001 0000")).payloads().getFirst();
        assertThat(reserved.attributes().getFirst().attributeType()).isEqualTo(1);
        // an attribute header cut short, an attribute length past the payload, no CFG header
        assertThat(rejection(message("2f", "00 00 000a 01 000000 0001"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2f", "00 00 000c 01 000000 0001 0004"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("2f", "00 00 0006 0100"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
    }

    /** RFC 3748 section 4: the EAP packet's own Length must be the payload's content length. */
    @Test
    void eapLengthMustBeThePayloads() throws Exception {
        // EAP-Response/Identity "alice"
        Eap eap = (Eap) Ikev2Codec.decode(message("30", "00 00 000e 02 01 000a 01 616c696365")).payloads().getFirst();
        assertThat(eap.packet()).isEqualTo(hex("0201000a01616c696365"));
        assertThat(rejection(message("30", "00 00 000e 02 01 000b 01 616c696365"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("30", "00 00 000e 02 01 0009 01 616c696365"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(message("30", "00 00 0007 03 01 00"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        // EAP-Success: 4 octets
        assertThat(Ikev2Codec.decode(message("30", "00 00 0008 03 01 0004")).payloads()).hasSize(1);
    }

    /** Section 3.9: a nonce is 16 to 256 octets. */
    @Test
    void nonceLengthBounds() throws Exception {
        assertThat(Ikev2Codec.decode(Ikev2Codec.encode(INIT_REQUEST, List.of(new Nonce(new byte[16])))).payloads()).hasSize(1);
        assertThat(Ikev2Codec.decode(Ikev2Codec.encode(INIT_REQUEST, List.of(new Nonce(new byte[256])))).payloads()).hasSize(1);
        assertThat(rejection(Ikev2Codec.encode(INIT_REQUEST, List.of(new Nonce(new byte[15]))))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        assertThat(rejection(Ikev2Codec.encode(INIT_REQUEST, List.of(new Nonce(new byte[257]))))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
    }

    @Test
    void shortFixedPartsAreMalformed() {
        // KE, IDi, AUTH, Notify need 4 octets; CERT and CERTREQ 1; a Notify's SPI size beyond the payload
        for (String p : new String[] {"22", "23", "27", "29"}) {
            assertThat(rejection(message(p, "00 00 0007 000000"))).as("type %s", p).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        }
        for (String p : new String[] {"25", "26"}) {
            assertThat(rejection(message(p, "00 00 0004"))).as("type %s", p).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
        }
        assertThat(rejection(message("29", "00 00 000a 03 08 4009 01020304 0506"))).isEqualTo(Ikev2DropReason.MALFORMED_PAYLOAD);
    }

    /**
     * A count or length the wire field cannot hold is refused by the encoder, never written cut to its low bits
     * (which made a message no peer could parse): the 16-bit Payload Length (section 3.2), the one-octet Number of TSs
     * (section 3.13; many split-tunnel routes in one TSr) and Number of Transforms (section 3.3.1).
     */
    @Test
    void whatDoesNotFitItsFieldIsRefusedByTheEncoder() throws Exception {
        byte[] largest = Ikev2Codec.encode(AUTH_REQUEST, List.of(new Cert(Cert.X509_SIGNATURE, new byte[65530])));
        assertThat(Ikev2Codec.u16(largest, 30)).isEqualTo(65535);
        assertThat(((Cert) Ikev2Codec.decode(largest).payloads().getFirst()).data()).hasSize(65530);
        assertThatThrownBy(() -> Ikev2Codec.encode(AUTH_REQUEST, List.of(new Cert(Cert.X509_SIGNATURE, new byte[65531]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        List<TrafficSelector> routes = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            routes.add(new TrafficSelector(7, 0, 0, 65535, new byte[] {10, (byte) i, 0, 0}, new byte[] {10, (byte) i, (byte) 255, (byte) 255}));
        }
        byte[] fits = Ikev2Codec.encode(AUTH_REQUEST, List.of(new TrafficSelectors(false, routes.subList(0, 255))));
        assertThat(((TrafficSelectors) Ikev2Codec.decode(fits).payloads().getFirst()).selectors()).hasSize(255);
        assertThatThrownBy(() -> Ikev2Codec.encode(AUTH_REQUEST, List.of(new TrafficSelectors(false, routes))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
        List<Transform> transforms = new ArrayList<>();
        for (int i = 0; i < 256; i++) transforms.add(new Transform(Transform.DH, i, 0));
        assertThatThrownBy(() -> Ikev2Codec.encode(INIT_REQUEST, List.of(new Sa(List.of(new Proposal(1, 1, new byte[0], transforms))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
    }

    @Test
    void identificationBodyIsWhatAuthCovers() throws Exception {
        Identification id = new Identification(true, Identification.ID_FQDN, "client.example".getBytes());
        // section 2.15: IDx' is the payload without its generic header: type, 3 reserved octets, data
        assertThat(HEX.formatHex(id.body())).isEqualTo("02000000" + HEX.formatHex("client.example".getBytes()));
        byte[] m = Ikev2Codec.encode(AUTH_REQUEST, List.of(id));
        assertThat(Arrays.copyOfRange(m, 32, m.length)).isEqualTo(id.body());
    }
}
