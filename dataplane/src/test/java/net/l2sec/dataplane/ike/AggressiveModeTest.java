package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Aggressive Mode (RFC 2409 section 5.4, PSK) against the test initiator: off by default, complete when enabled. */
class AggressiveModeTest {
    static final List<Payload.Transform> ESP = List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA1_96, null));

    static IkeSettings enabled() {
        return IkeSettings.defaults().withPsk("secret".getBytes()).withAggressiveMode(true);
    }

    static TestInitiator client(IkeHarness net) {
        return new TestInitiator(net, "203.0.113.5", 50123, 50124).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA1,
                DhGroup.MODP2048);
    }

    static Stream<Arguments> suites() {
        return Stream.of(Arguments.of(IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048, "aes256-sha1-modp2048"),
                Arguments.of(IkeCipher.AES_CBC, 128, IkeHash.SHA2_256, DhGroup.ECP256, "aes128-sha256-ecp256"));
    }

    @ParameterizedTest(name = "{4}")
    @MethodSource("suites")
    void aggressiveModeThenQuickModeInstallAChildSa(IkeCipher c, int bits, IkeHash h, DhGroup g, String label) throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        ListAppender<ILoggingEvent> log = ResponderBehaviourTest.capture(AggressiveMode.class);
        TestInitiator i = client(net).suite(c, bits, h, g);
        List<IkeHarness.Sent> out2 = net.deliver(i.addr500, IkeHarness.LOCAL_500, i.am1());
        assertThat(out2).hasSize(1);
        PayloadChain am2 = i.am2(out2.get(0).message());
        assertThat(i.hashRValid(am2)).as("HASH_R").isTrue();
        assertThat(am2.payloads().get(0)).isInstanceOf(Payload.Sa.class);
        assertThat(am2.payloads().get(am2.payloads().size() - 1)).as("HASH_R last").isInstanceOf(Payload.Hash.class);
        assertThat(am2.first(Payload.Sa.class).proposals().get(0).transforms()).hasSize(1);
        assertThat(am2.first(Payload.Id.class).data()).containsExactly(192, 0, 2, 1);
        assertThat(am2.all(Payload.VendorId.class)).extracting(Payload.VendorId::data)
                .containsExactly(IsakmpVendor.RFC3947, IsakmpVendor.DPD, IsakmpVendor.FRAGMENTATION);
        List<Payload.NatD> natd = am2.all(Payload.NatD.class);
        assertThat(natd).hasSize(2);
        assertThat(natd.get(0).hash()).as("NAT-D of the peer: deliberately wrong")
                .isNotEqualTo(MainModeQuickModeTest.natdOf(i, i.addr500));
        assertThat(natd.get(1).hash()).as("NAT-D of the server: true")
                .isEqualTo(MainModeQuickModeTest.natdOf(i, IkeHarness.LOCAL_500));
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isZero();

        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.am3(true))).as("message 3 gets no answer").isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("phase1 up " + label)
                && e.getFormattedMessage().contains("mode=aggressive") && e.getFormattedMessage().contains("id=10.0.2.15"));

        TestInitiator.Qm qm = i.quickMode(ESP, null);
        assertThat(net.childSas.installed).hasSize(1);
        ChildSaSpec spec = net.childSas.installed.get(0);
        assertThat(spec.peer()).as("floated with message 3").isEqualTo(i.addr4500);
        assertThat(spec.local()).isEqualTo(IkeHarness.LOCAL_4500);
        assertThat(spec.inboundKeymat()).isEqualTo(qm.responderInbound(52));
        assertThat(spec.outboundKeymat()).isEqualTo(qm.responderOutbound(52));
        assertThat(net.count("l2sec.ike.phase2", "result", "completed")).isEqualTo(1);
        // and Informational after Aggressive Mode: a DPD R-U-THERE is answered with the phase-1 keys
        byte[] rUThere = i.informational(new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), i.cookies(), new byte[] {0, 0, 0, 7}));
        PayloadChain ack = i.readInformational(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, rUThere));
        assertThat(ack.first(Payload.Notify.class).notifyType()).isEqualTo(NotifyType.R_U_THERE_ACK.code());
    }

    @Test
    void refusedAndCountedByDefault() {
        IkeHarness net = new IkeHarness(IkeSettings.defaults().withPsk("secret".getBytes()));
        TestInitiator i = client(net);
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, i.am1())).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "aggressive_mode_refused")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "started")).isZero();
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
    }

    @Test
    void wrongPreSharedKeyFailsAuthenticationAndDeletesTheSa() throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        TestInitiator i = client(net);
        i.psk = "wrong".getBytes();
        PayloadChain am2 = i.am2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.am1()));
        assertThat(i.hashRValid(am2)).as("a real initiator would stop here").isFalse();
        byte[] am3 = i.am3(false);
        Payload.Notify n = ResponderBehaviourTest.unprotectedNotify(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, am3));
        assertThat(n.notifyType()).isIn(NotifyType.AUTHENTICATION_FAILED.code(), NotifyType.INVALID_HASH_INFORMATION.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "auth_failed")).isEqualTo(1);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, am3)).isEmpty();
        assertThat(net.dropped("unknown_sa")).as("the SA is gone").isEqualTo(1);
    }

    @Test
    void hashIMismatchWithTheRightKeyIsInvalidHash() throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        TestInitiator i = client(net);
        assertThat(i.hashRValid(i.am2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.am1())))).isTrue();
        byte[] bad = new byte[20];
        TestInitiator.RANDOM.nextBytes(bad);
        byte[] am3 = i.protect(ExchangeType.AGGRESSIVE, 0, List.of(new Payload.Hash(bad)));
        Payload.Notify n = ResponderBehaviourTest.unprotectedNotify(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, am3));
        assertThat(n.notifyType()).isEqualTo(NotifyType.INVALID_HASH_INFORMATION.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "auth_failed")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
    }

    /** RFC 2409 section 5.4: KE is sent with the offer, so all transforms must name one group; else no proposal. */
    @Test
    void transformsWithDifferentGroupsOrSeveralProposalsAreRefused() throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        TestInitiator i = client(net);
        byte[] mixed = i.am1(List.of(TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048),
                TestInitiator.p1(2, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP256)));
        Payload.Notify n = ResponderBehaviourTest.unprotectedNotify(net.exchange(i.addr500, IkeHarness.LOCAL_500, mixed));
        assertThat(n.notifyType()).isEqualTo(NotifyType.NO_PROPOSAL_CHOSEN.code());

        TestInitiator j = client(net);
        byte[] one = j.am1();
        PayloadChain c = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(one), one);
        Payload.Sa sa = c.first(Payload.Sa.class);
        Payload.Proposal p = sa.proposals().get(0);
        List<Payload> twoProposals = new ArrayList<>(c.payloads());
        twoProposals.set(0, new Payload.Sa(1, 1, List.of(p, new Payload.Proposal(2, 1, new byte[0], p.transforms()))));
        byte[] two = IsakmpCodec.encode(j.header(ExchangeType.AGGRESSIVE, 0, 0), twoProposals);
        n = ResponderBehaviourTest.unprotectedNotify(net.exchange(j.addr500, IkeHarness.LOCAL_500, two));
        assertThat(n.notifyType()).isEqualTo(NotifyType.NO_PROPOSAL_CHOSEN.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(2);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
    }

    @Test
    void signatureTransformsAreRefusedInAggressiveMode() throws Exception {
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings().withAggressiveMode(true));
        TestInitiator i = client(net);
        byte[] rsa = i.am1(List.of(TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048, 3)));
        Payload.Notify n = ResponderBehaviourTest.unprotectedNotify(net.exchange(i.addr500, IkeHarness.LOCAL_500, rsa));
        assertThat(n.notifyType()).isEqualTo(NotifyType.NO_PROPOSAL_CHOSEN.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);
    }

    @Test
    void repeatedMessage1GetsTheSameMessage2() throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        TestInitiator i = client(net);
        byte[] am1 = i.am1();
        byte[] first = net.exchange(i.addr500, IkeHarness.LOCAL_500, am1);
        byte[] again = net.exchange(i.addr500, IkeHarness.LOCAL_500, am1);
        assertThat(again).isEqualTo(first);
        assertThat(net.count("l2sec.ike.retransmits")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "started")).isEqualTo(1);
        i.am2(again);
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, i.am3(false))).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);
    }

    @Test
    void message3OnNatTPortFloatsTheSa() throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        TestInitiator i = client(net).aggressiveMode();
        net.responder.close(); // Delete payloads go where the SA now lives
        List<IkeHarness.Sent> deletes = net.sent.subList(1, net.sent.size());
        assertThat(deletes).isNotEmpty().allMatch(s -> s.peer().equals(i.addr4500) && s.local().equals(IkeHarness.LOCAL_4500));
    }

    @Test
    void malformedAggressiveModeMessagesAreDroppedAndCounted() throws Exception {
        IkeHarness net = new IkeHarness(enabled());
        TestInitiator i = client(net);
        byte[] am1 = i.am1();
        PayloadChain c = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(am1), am1);

        // a payload length running past the message
        byte[] broken = am1.clone();
        broken[IsakmpHeader.LENGTH + 3] = (byte) 0xff;
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, broken)).isEmpty();
        assertThat(net.dropped("malformed_payload") + net.dropped("truncated") + net.dropped("bad_length")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "started")).isZero();
        // no KE
        List<Payload> noKe = new ArrayList<>(c.payloads());
        noKe.removeIf(p -> p instanceof Payload.Ke);
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, IsakmpCodec.encode(i.header(ExchangeType.AGGRESSIVE, 0, 0), noKe)))
                .isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "invalid_payload")).isEqualTo(1);
        // a KE of the wrong size for the group
        TestInitiator k = client(net);
        List<Payload> shortKe = new ArrayList<>(c.payloads());
        shortKe.replaceAll(p -> p instanceof Payload.Ke ? new Payload.Ke(new byte[32]) : p);
        assertThat(net.deliver(k.addr500, IkeHarness.LOCAL_500, IsakmpCodec.encode(k.header(ExchangeType.AGGRESSIVE, 0, 0), shortKe)))
                .isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "invalid_ke")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();

        // a good exchange, disturbed before its message 3 by an unencrypted message 3 and one with an M-ID
        TestInitiator j = client(net);
        j.am2(net.exchange(j.addr500, IkeHarness.LOCAL_500, j.am1()));
        assertThat(net.deliver(j.addr4500, IkeHarness.LOCAL_4500, IsakmpCodec.encode(j.header(ExchangeType.AGGRESSIVE, 0, 0),
                List.of(new Payload.Hash(new byte[20]))))).isEmpty();
        assertThat(net.deliver(j.addr4500, IkeHarness.LOCAL_4500, IsakmpCodec.encodeMessage(
                new IsakmpHeader(j.ckyI, j.ckyR, 8, 0x10, ExchangeType.AGGRESSIVE, 1, 7, 0), new byte[32]))).isEmpty();
        assertThat(net.dropped("unexpected_message")).isEqualTo(2);
        assertThat(net.deliver(j.addr4500, IkeHarness.LOCAL_4500, j.am3(true))).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).as("the IV was not disturbed").isEqualTo(1);
        // message 3 again, after completion
        assertThat(net.deliver(j.addr4500, IkeHarness.LOCAL_4500, IsakmpCodec.encodeMessage(
                new IsakmpHeader(j.ckyI, j.ckyR, 8, 0x10, ExchangeType.AGGRESSIVE, 1, 0, 0), new byte[32]))).isEmpty();
        assertThat(net.dropped("unexpected_message")).isEqualTo(3);
        j.quickMode(ESP, null);
        assertThat(net.childSas.installed).hasSize(1);
    }
}
