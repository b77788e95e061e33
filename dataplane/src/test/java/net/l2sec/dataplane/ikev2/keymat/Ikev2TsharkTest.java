package net.l2sec.dataplane.ikev2.keymat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtectionTest.Suite;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Cert;
import net.l2sec.dataplane.ikev2.message.Payload.CertReq;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Delete;
import net.l2sec.dataplane.ikev2.message.Payload.Eap;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Ke;
import net.l2sec.dataplane.ikev2.message.Payload.Nonce;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelector;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ikev2.message.Payload.Transform;
import net.l2sec.dataplane.ikev2.message.Payload.VendorId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our encoder's and our Encrypted payload protection's messages as Wireshark's IKEv2 dissector (tshark, another
 * implementation) reads them: a pcap of IKE_SA_INIT request and response with every payload that travels in the
 * clear, IKE_AUTH and INFORMATIONAL messages sealed in SK (AES-CBC-256 with HMAC-SHA2-256-128, and AES-GCM-256) and
 * an IKE_AUTH response sealed as SKF fragments. tshark gets the IKE SAs' keys, so it also checks every ICV and GCM
 * tag, decrypts, and dissects the payloads inside (IDi, IDr, CERT, AUTH, CP, SA, TSi, TSr, EAP, Delete, Notify).
 * Skipped when tshark is not installed.
 */
class Ikev2TsharkTest {
    static final HexFormat HEX = HexFormat.of();
    static final Suite CBC = new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 256, IntegrityAlgorithm.HMAC_SHA2_256_128);
    static final Suite GCM = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 256, null);
    static final long SPI_I2 = 0x0102030405060708L;
    static final long SPI_R2 = 0x1112131415161718L;

    @TempDir
    Path dir;

    static boolean tsharkInstalled() {
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A real X.509 certificate (DER): tshark parses the CERT payload's data as one. */
    static byte[] certificate(String name) {
        try (var in = Ikev2TsharkTest.class.getResourceAsStream("/ike/certs/" + name)) {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static Ikev2Header header(long spiI, long spiR, ExchangeType exchange, boolean response, int messageId) {
        return new Ikev2Header(spiI, spiR, 0, exchange.code(), response ? Ikev2Header.RESPONSE : Ikev2Header.INITIATOR, messageId, 0);
    }

    static byte[] bytes(int n, int from) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
        return b;
    }

    /** The IKE_SA_INIT request: several proposals with Key Length, KE, Ni, NAT-D, fragmentation, hashes, a Vendor ID. */
    static List<Payload> initRequest() {
        return List.of(new Sa(List.of(
                        new Proposal(1, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 20, 256),
                                new Transform(Transform.PRF, 5, 0), new Transform(Transform.DH, 19, 0))),
                        new Proposal(2, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 12, 256),
                                new Transform(Transform.INTEG, 12, 0), new Transform(Transform.PRF, 5, 0),
                                new Transform(Transform.DH, 14, 0), new Transform(Transform.DH, 2, 0))))),
                new Ke(19, bytes(64, 0x10)), new Nonce(bytes(32, 0x80)),
                Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(20, 1)),
                Notify.of(NotifyType.NAT_DETECTION_DESTINATION_IP, bytes(20, 2)),
                Notify.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
                Notify.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, HEX.parseHex("000200030004")),
                new VendorId(HEX.parseHex("882fe56d6fd20dbc2251613b2ebe5beb")));
    }

    /** The IKE_SA_INIT response: the chosen proposal, KE, Nr, NAT-D, CERTREQ, fragmentation, MULTIPLE_AUTH... */
    static List<Payload> initResponse() {
        return List.of(new Sa(List.of(new Proposal(2, Proposal.IKE, new byte[0], List.of(new Transform(Transform.ENCR, 12, 256),
                        new Transform(Transform.INTEG, 12, 0), new Transform(Transform.PRF, 5, 0), new Transform(Transform.DH, 14, 0))))),
                new Ke(14, bytes(256, 0x20)), new Nonce(bytes(32, 0x90)),
                Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(20, 3)),
                Notify.of(NotifyType.NAT_DETECTION_DESTINATION_IP, bytes(20, 4)),
                new CertReq(Cert.X509_SIGNATURE, bytes(40, 0x30)),
                Notify.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    }

    /** The IKE_AUTH request of an EAP client: IDi, IDr, CP request, the ESP SA, TSi, TSr, status notifies. */
    static List<Payload> authRequest() {
        return List.of(new Identification(true, Identification.ID_RFC822_ADDR, "alice@example.com".getBytes(StandardCharsets.US_ASCII)),
                Notify.of(NotifyType.INITIAL_CONTACT),
                new Identification(false, Identification.ID_FQDN, "vpn.example.com".getBytes(StandardCharsets.US_ASCII)),
                new Config(Config.CFG_REQUEST, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[0]),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP6_ADDRESS, new byte[0]))),
                new Sa(List.of(new Proposal(1, Proposal.ESP, HEX.parseHex("c0a1b2c3"), List.of(new Transform(Transform.ENCR, 20, 256),
                        new Transform(Transform.ESN, 0, 0))))),
                new TrafficSelectors(true, List.of(new TrafficSelector(7, 0, 0, 65535, new byte[4], new byte[] {-1, -1, -1, -1}),
                        new TrafficSelector(8, 0, 0, 65535, new byte[16], bytes(16, 0xf0)))),
                new TrafficSelectors(false, List.of(new TrafficSelector(7, 0, 0, 65535, new byte[4], new byte[] {-1, -1, -1, -1}))),
                Notify.of(NotifyType.MOBIKE_SUPPORTED), Notify.of(NotifyType.EAP_ONLY_AUTHENTICATION));
    }

    /** The first IKE_AUTH response to an EAP client: IDr, CERT, AUTH, EAP-Request/Identity. */
    static List<Payload> authResponse() {
        return List.of(new Identification(false, Identification.ID_FQDN, "vpn.example.com".getBytes(StandardCharsets.US_ASCII)),
                new Cert(Cert.X509_SIGNATURE, certificate("server.crt.pem")), new Auth(Auth.RSA_SIGNATURE, bytes(256, 0x50)),
                new Eap(HEX.parseHex("0101000501")));
    }

    /** The last IKE_AUTH response: AUTH, CP reply, the ESP SA, TSi, TSr. */
    static List<Payload> lastAuthResponse() {
        return List.of(new Auth(Auth.SHARED_KEY_MIC, bytes(32, 0x60)),
                new Config(Config.CFG_REPLY, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[] {10, 77, 0, 10}),
                        new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[] {10, 77, 0, 53}))),
                new Sa(List.of(new Proposal(1, Proposal.ESP, HEX.parseHex("c5d6e7f8"), List.of(new Transform(Transform.ENCR, 20, 256),
                        new Transform(Transform.ESN, 0, 0))))),
                new TrafficSelectors(true, List.of(new TrafficSelector(7, 0, 0, 65535, new byte[] {10, 77, 0, 10}, new byte[] {10, 77, 0, 10}))),
                new TrafficSelectors(false, List.of(new TrafficSelector(7, 0, 0, 65535, new byte[4], new byte[] {-1, -1, -1, -1}))));
    }

    /** tshark's IKEv2 decryption table row for an IKE SA (its UAT's field names and values). */
    static String decryptionRow(long spiI, long spiR, Suite s, IkeSaKeys k) {
        String encr = s.cipher().aead() ? "AES-GCM-" + s.keyBits() + " with 16 octet ICV [RFC5282]" : "AES-CBC-" + s.keyBits() + " [RFC3602]";
        String integ = s.integrity() == null ? "NONE [RFC4306]" : s.integrity().name() + " [RFC4868]";
        // hex fields bare, the algorithm names quoted; tshark checks the key lengths (GCM: key and 4-octet salt)
        return String.join(",", String.format("%016x", spiI), String.format("%016x", spiR), HEX.formatHex(k.skEi()),
                HEX.formatHex(k.skEr()), quoted(encr), HEX.formatHex(k.skAi()), HEX.formatHex(k.skAr()), quoted(integ));
    }

    static String quoted(String s) {
        return '"' + s + '"';
    }

    @Test
    void tsharkDissectsEveryMessageWithoutErrorAndVerifiesEveryIcv() throws Exception {
        assumeTrue(tsharkInstalled(), "tshark is not installed");
        long spiI = EncryptedPayloadProtectionTest.SPI_I;
        long spiR = EncryptedPayloadProtectionTest.SPI_R;
        IkeSaKeys cbcKeys = EncryptedPayloadProtectionTest.keys(CBC);
        IkeSaKeys gcmKeys = IkeSaKeys.derive(PrfAlgorithm.HMAC_SHA2_256, null, GCM.cipher(), GCM.keyBits(), bytes(32, 7),
                bytes(32, 8), bytes(32, 9), SPI_I2, SPI_R2);
        SecureRandom random = new SecureRandom();
        var cbcResponder = EncryptedPayloadProtectionTest.responder(CBC, cbcKeys, random);
        var cbcInitiator = EncryptedPayloadProtectionTest.initiator(CBC, cbcKeys, random);
        var gcmResponder = EncryptedPayloadProtectionTest.responder(GCM, gcmKeys, random);
        var gcmInitiator = EncryptedPayloadProtectionTest.initiator(GCM, gcmKeys, random);

        Pcap pcap = new Pcap();
        // IKE SA 1, AES-CBC-256 / HMAC-SHA2-256-128: on port 500, then 4500 with the non-ESP marker (RFC 3948)
        pcap.add(false, 500, Ikev2Codec.encode(header(spiI, 0, ExchangeType.IKE_SA_INIT, false, 0), initRequest()));
        pcap.add(true, 500, Ikev2Codec.encode(header(spiI, spiR, ExchangeType.IKE_SA_INIT, true, 0), initResponse()));
        pcap.add(false, 4500, cbcInitiator.outbound().seal(header(spiI, spiR, ExchangeType.IKE_AUTH, false, 1), authRequest()));
        pcap.add(true, 4500, cbcResponder.outbound().seal(header(spiI, spiR, ExchangeType.IKE_AUTH, true, 1), authResponse()));
        pcap.add(false, 4500, cbcInitiator.outbound().seal(header(spiI, spiR, ExchangeType.IKE_AUTH, false, 2),
                List.of(new Eap(HEX.parseHex("0201000a01616c696365")))));
        List<byte[]> fragments = cbcResponder.outbound().sealFragments(header(spiI, spiR, ExchangeType.IKE_AUTH, true, 2),
                List.of(new Cert(Cert.X509_SIGNATURE, certificate("server.crt.pem")),
                        new Cert(Cert.X509_SIGNATURE, certificate("intermediate.crt.pem")),
                        new Cert(Cert.X509_SIGNATURE, certificate("ca.crt.pem")), new Auth(Auth.RSA_SIGNATURE, bytes(256, 1))),
                576, 20 + 8 + 4);
        assertThat(fragments).hasSizeGreaterThanOrEqualTo(3);
        for (byte[] f : fragments) pcap.add(true, 4500, f);
        pcap.add(false, 4500, cbcInitiator.outbound().seal(header(spiI, spiR, ExchangeType.INFORMATIONAL, false, 3),
                List.of(new Delete(Proposal.ESP, 4, List.of(HEX.parseHex("c0a1b2c3"), HEX.parseHex("c0a1b2c4"))))));
        pcap.add(true, 4500, cbcResponder.outbound().seal(header(spiI, spiR, ExchangeType.INFORMATIONAL, true, 3), List.of()));
        // IKE SA 2, AES-GCM-256
        pcap.add(true, 4500, gcmResponder.outbound().seal(header(SPI_I2, SPI_R2, ExchangeType.IKE_AUTH, true, 1), lastAuthResponse()));
        pcap.add(false, 4500, gcmInitiator.outbound().seal(header(SPI_I2, SPI_R2, ExchangeType.INFORMATIONAL, false, 2),
                List.of(new Delete(Proposal.IKE, 0, List.of()))));
        Path file = dir.resolve("ikev2.pcap");
        Files.write(file, pcap.bytes());
        String keep = System.getProperty("l2sec.ikev2.pcap", "");
        if (!keep.isBlank()) Files.write(Path.of(keep), pcap.bytes()); // to look at it in Wireshark
        int frames = pcap.count;

        String out = tshark(file, decryptionRow(spiI, spiR, CBC, cbcKeys), decryptionRow(SPI_I2, SPI_R2, GCM, gcmKeys));
        String excerpt = out.length() > 6000 ? out.substring(0, 6000) : out;
        assertThat(out).as(excerpt).doesNotContain("Malformed").doesNotContain("Expert Info (Error")
                .doesNotContain("[incorrect").doesNotContain("Unknown").doesNotContain("Dissector bug");
        assertThat(count(out, "Internet Security Association and Key Management Protocol")).as(excerpt).isEqualTo(frames);
        assertThat(count(out, "Version: 2.0")).isEqualTo(frames);
        assertThat(count(out, "Exchange type: IKE_SA_INIT (34)")).isEqualTo(2);
        assertThat(count(out, "Exchange type: IKE_AUTH (35)")).isEqualTo(4 + fragments.size());
        assertThat(count(out, "Exchange type: INFORMATIONAL (37)")).isEqualTo(3);
        assertThat(out).contains("Flags: 0x08 (Initiator, No higher version, Request)", "Flags: 0x20 (Responder, No higher version, Response)");
        // every payload in the clear
        for (String payload : List.of("Security Association (33)", "Key Exchange (34)", "Nonce (40)", "Notify (41)",
                "Vendor ID (43)", "Certificate Request (38)", "Encrypted and Authenticated (46)",
                "Encrypted and Authenticated Fragment (53)")) {
            assertThat(out).as(payload).contains("Payload: " + payload);
        }
        assertThat(out).contains("Key Length: 256", "Transform ID (D-H): 256-bit random ECP group (19)",
                "Notify Message Type: NAT_DETECTION_SOURCE_IP (16388)", "Notify Message Type: IKEV2_FRAGMENTATION_SUPPORTED (16430)",
                "Supported Signature Hash Algorithm: SHA2-512 (4)");
        // tshark verified each ICV and tag with the keys and decrypted: the inner payloads are dissected
        assertThat(count(out, "[correct]")).as("ICVs and tags verified").isEqualTo(frames - 2);
        for (String inner : List.of("Identification - Initiator (35)", "Identification - Responder (36)", "Certificate (37)",
                "Authentication (39)", "Configuration (47)", "Traffic Selector - Initiator (44)", "Traffic Selector - Responder (45)",
                "Extensible Authentication (48)", "Delete (42)")) {
            assertThat(out).as(inner).contains("Payload: " + inner);
        }
        assertThat(out).contains("ID_RFC822_ADDR", "alice@example.com", "vpn.example.com", "10.77.0.10", "10.77.0.53",
                "INTERNAL_IP4_ADDRESS", "INTERNAL_IP6_ADDRESS", "TS_IPV6_ADDR_RANGE", "SPI: c0a1b2c4", "EAP_ONLY_AUTHENTICATION");
        // the fragments: each names its number and the total
        for (int n = 1; n <= fragments.size(); n++) assertThat(out).contains("Fragment Number: " + n);
        assertThat(count(out, "Total Fragments: " + fragments.size())).isEqualTo(fragments.size());

        // the check can fail: with another SK_ar tshark finds the responder's ICVs wrong
        IkeSaKeys wrong = IkeSaKeys.derive(PrfAlgorithm.HMAC_SHA2_256, CBC.integrity(), CBC.cipher(), CBC.keyBits(), bytes(32, 1),
                bytes(32, 2), bytes(32, 3), spiI, spiR);
        String row = decryptionRow(spiI, spiR, CBC, cbcKeys);
        String wrongAr = row.replace(HEX.formatHex(cbcKeys.skAr()), HEX.formatHex(wrong.skAr()));
        assertThat(count(tshark(file, wrongAr), "[incorrect")).isPositive();
    }

    static int count(String haystack, String needle) {
        return (int) Pattern.compile(Pattern.quote(needle)).matcher(haystack).results().count();
    }

    static String tshark(Path file, String... decryptionRows) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-V"));
        for (String row : decryptionRows) command.addAll(List.of("-o", "uat:ikev2_decryption_table:" + row));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tshark did not finish in 120 s");
        }
        reader.join(10_000);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    /** A classic pcap (LINKTYPE_RAW: IPv4 packets) of UDP datagrams between a client and the server. */
    static final class Pcap {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count;

        Pcap() {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
            out.writeBytes(h.array());
        }

        /** One datagram: client 192.0.2.10:port to server 198.51.100.1:port, or back; on 4500 behind the non-ESP marker. */
        void add(boolean fromServer, int port, byte[] ike) {
            int marker = port == 4500 ? 4 : 0;
            int udpLength = 8 + marker + ike.length;
            ByteBuffer ip = ByteBuffer.allocate(20 + udpLength);
            byte[] client = {(byte) 192, 0, 2, 10};
            byte[] server = {(byte) 198, 51, 100, 1};
            ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putShort((short) count).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) 17).putShort((short) 0).put(fromServer ? server : client).put(fromServer ? client : server);
            int sum = 0;
            for (int i = 0; i < 20; i += 2) sum += (ip.get(i) & 0xff) << 8 | ip.get(i + 1) & 0xff;
            while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
            ip.putShort(10, (short) ~sum);
            ip.putShort((short) port).putShort((short) port).putShort((short) udpLength).putShort((short) 0);
            if (marker > 0) ip.putInt(0);
            ip.put(ike);
            ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(1_700_000_000 + count).putInt(0).putInt(ip.capacity()).putInt(ip.capacity());
            out.writeBytes(record.array());
            out.writeBytes(ip.array());
            count++;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
