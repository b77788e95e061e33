package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Full Main Mode + Quick Mode exchanges against the test initiator. */
class MainModeQuickModeTest {
    static IkeSettings settings(boolean legacy) {
        return IkeSettings.defaults().withPsk("secret".getBytes()).withLegacy(legacy, legacy);
    }

    static Stream<Arguments> suites() {
        return Stream.of(Arguments.of(IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP1024, true, "aes256-sha1-modp1024"),
                Arguments.of(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256, DhGroup.MODP2048, false, "aes256-sha256-modp2048"),
                Arguments.of(IkeCipher.AES_CBC, 128, IkeHash.SHA1, DhGroup.ECP256, false, "aes128-sha1-ecp256"),
                Arguments.of(IkeCipher.AES_CBC, 256, IkeHash.SHA2_384, DhGroup.ECP384, false, "aes256-sha384-ecp384"),
                Arguments.of(IkeCipher.TRIPLE_DES_CBC, 192, IkeHash.SHA1, DhGroup.MODP1024, true, "3des-sha1-modp1024"));
    }

    @ParameterizedTest(name = "{5}")
    @MethodSource("suites")
    void mainModeAndQuickModeInstallAChildSa(IkeCipher c, int bits, IkeHash h, DhGroup g, boolean legacy, String label)
            throws Exception {
        IkeHarness net = new IkeHarness(settings(legacy));
        TestInitiator i = new TestInitiator(net, "203.0.113.5", 50123, 50124).suite(c, bits, h, g);
        PayloadChain mm2 = i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        assertThat(mm2.all(Payload.VendorId.class)).extracting(Payload.VendorId::data)
                .containsExactly(IsakmpVendor.RFC3947, IsakmpVendor.DPD, IsakmpVendor.FRAGMENTATION);
        assertThat(mm2.first(Payload.Sa.class).proposals().get(0).transforms()).hasSize(1);
        PayloadChain mm4 = i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        List<Payload.NatD> natd = mm4.all(Payload.NatD.class);
        assertThat(natd).hasSize(2);
        // forced encapsulation: the peer's NAT-D never matches (it believes itself behind NAT), ours is true
        assertThat(natd.get(0).hash()).as("NAT-D of the peer: deliberately wrong").isNotEqualTo(natdOf(i, i.addr500));
        assertThat(natd.get(1).hash()).as("NAT-D of the server: true").isEqualTo(natdOf(i, IkeHarness.LOCAL_500));
        List<IkeHarness.Sent> out6 = net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false));
        assertThat(out6).hasSize(1);
        assertThat(out6.get(0).peer()).as("floated").isEqualTo(i.addr4500);
        assertThat(out6.get(0).local()).isEqualTo(IkeHarness.LOCAL_4500);
        PayloadChain mm6 = i.mm6(out6.get(0).message());
        assertThat(mm6.first(Payload.Id.class).data()).containsExactly(192, 0, 2, 1);
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);

        TestInitiator.Qm qm = i.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA1_96, null)), null);
        assertThat(net.childSas.installed).hasSize(1);
        ChildSaSpec spec = net.childSas.installed.get(0);
        assertThat(spec.peer()).isEqualTo(i.addr4500);
        assertThat(spec.local()).isEqualTo(IkeHarness.LOCAL_4500);
        assertThat(spec.inboundSpi()).isEqualTo(qm.peerSpi);
        assertThat(Integer.toUnsignedLong(spec.inboundSpi())).isGreaterThan(255);
        assertThat(spec.outboundSpi()).isEqualTo(qm.mySpi);
        assertThat(spec.cipher()).isEqualTo(EspCipher.AES_CBC);
        assertThat(spec.keyBits()).isEqualTo(256);
        assertThat(spec.integrity()).isEqualTo(EspIntegrity.HMAC_SHA1_96);
        assertThat(spec.inboundKeymat()).hasSize(52).isEqualTo(qm.responderInbound(52));
        assertThat(spec.outboundKeymat()).isEqualTo(qm.responderOutbound(52));
        assertThat(spec.lifetime()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(spec.lifetimeBytes()).isEqualTo(250000L * 1024);
        assertThat(spec.peerL2tpPort()).isEqualTo(1701);
        assertThat(net.count("l2sec.ike.phase2", "result", "completed")).isEqualTo(1);
    }

    /** RFC 3947 section 3.2, computed independently of IsakmpNatd. */
    static byte[] natdOf(TestInitiator i, java.net.InetSocketAddress a) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance(i.hash.digestName());
        md.update(i.cookies());
        md.update(a.getAddress().getAddress());
        md.update(new byte[] {(byte) (a.getPort() >> 8), (byte) a.getPort()});
        return md.digest();
    }

    @Test
    void quickModeWithAesGcmAndPfs() throws Exception {
        IkeHarness net = new IkeHarness(settings(false));
        TestInitiator i = new TestInitiator(net, "203.0.113.5", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256,
                DhGroup.MODP2048).mainMode();
        TestInitiator.Qm qm = i.quickMode(List.of(
                TestInitiator.esp(1, EspCipher.AES_GCM_16, 256, EspIntegrity.NONE, DhGroup.MODP2048)), DhGroup.MODP2048);
        ChildSaSpec spec = net.childSas.installed.get(0);
        assertThat(spec.cipher()).isEqualTo(EspCipher.AES_GCM_16);
        assertThat(spec.integrity()).isEqualTo(EspIntegrity.NONE);
        assertThat(qm.gqmxy).isNotNull();
        assertThat(spec.inboundKeymat()).hasSize(36).isEqualTo(qm.responderInbound(36));
        assertThat(spec.outboundKeymat()).isEqualTo(qm.responderOutbound(36));
    }

    @Test
    void manyQuickModesPerIkeSaAndRekeysAreCounted() throws Exception {
        IkeHarness net = new IkeHarness(settings(false));
        TestInitiator i = new TestInitiator(net, "203.0.113.5", 500, 4500).suite(IkeCipher.AES_CBC, 128, IkeHash.SHA1,
                DhGroup.ECP256).mainMode();
        List<Payload.Transform> offer = List.of(
                TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256_128, null));
        i.quickMode(offer, null);
        i.quickMode(offer, null);
        i.quickMode(i.new Qm(null, 1702), offer); // other traffic: a pair of its own, no rekey
        assertThat(net.childSas.installed).hasSize(3);
        assertThat(net.childSas.installed).extracting(ChildSaSpec::inboundSpi).doesNotHaveDuplicates();
        assertThat(net.count("l2sec.ike.rekeys", "phase", "2")).isEqualTo(1);
        assertThat(net.childSas.installed.get(2).integrity()).isEqualTo(EspIntegrity.HMAC_SHA2_256_128);
    }

    @Test
    void childLifetimeIsCappedAndTheResponseSaysSo() throws Exception {
        IkeHarness net = new IkeHarness(settings(false));
        TestInitiator i = new TestInitiator(net, "203.0.113.5", 500, 4500).suite(IkeCipher.AES_CBC, 128, IkeHash.SHA1,
                DhGroup.MODP2048).mainMode();
        Payload.Transform t = TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96, null);
        List<Attribute> a = new java.util.ArrayList<>(t.attributes());
        a.set(1, Attribute.of(2, 100_000)); // 27.7 hours
        TestInitiator.Qm qm = i.quickMode(List.of(new Payload.Transform(1, t.transformId(), a)), null);
        assertThat(net.childSas.installed.get(0).lifetime()).isEqualTo(Duration.ofHours(8));
        assertThat(qm.response.proposals().get(0).transforms().get(0).attribute(2).longValue()).isEqualTo(8 * 3600);
        assertThat(ByteBuffer.wrap(qm.response.proposals().get(0).spi()).getInt()).isEqualTo(qm.peerSpi);
    }
}
