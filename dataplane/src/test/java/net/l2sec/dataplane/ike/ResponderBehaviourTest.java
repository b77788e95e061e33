package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Attribute;
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
import org.slf4j.LoggerFactory;

/** Failures, retransmissions, timers, informational exchanges and limits. */
class ResponderBehaviourTest {
    static final List<Payload.Transform> ESP = List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA1_96, null));

    static IkeSettings settings() {
        return IkeSettings.defaults().withPsk("secret".getBytes());
    }

    static TestInitiator client(IkeHarness net, int port500, int port4500) {
        return new TestInitiator(net, "203.0.113.5", port500, port4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256,
                DhGroup.MODP2048);
    }

    static Payload.Notify unprotectedNotify(byte[] msg) throws Exception {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        assertThat(h.exchangeType()).isEqualTo(ExchangeType.INFORMATIONAL);
        assertThat(h.encrypted()).isFalse();
        return IsakmpCodec.decodePayloads(h, msg).first(Payload.Notify.class);
    }

    static ListAppender<ILoggingEvent> capture(Class<?> c) {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        ((Logger) LoggerFactory.getLogger(c)).addAppender(a);
        return a;
    }

    @Test
    void wrongPreSharedKeyFailsAuthentication() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        i.psk = "wrong".getBytes();
        ListAppender<ILoggingEvent> log = capture(MainMode.class);
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        byte[] mm5 = i.mm5(false);
        Payload.Notify n = unprotectedNotify(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, mm5));
        // a wrong key makes message 5 undecryptable (AUTHENTICATION_FAILED); a HASH_I mismatch would be INVALID_HASH
        assertThat(n.notifyType()).isIn(NotifyType.AUTHENTICATION_FAILED.code(), NotifyType.INVALID_HASH_INFORMATION.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "auth_failed")).isEqualTo(1);
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("reason=auth_failed")
                && e.getFormattedMessage().contains("pre-shared key"));
        assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains("secret") || e.getFormattedMessage().contains("wrong"));
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, mm5)).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
    }

    @Test
    void disallowedProposalsAreRefusedAndLoggedReadably() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        ListAppender<ILoggingEvent> log = capture(MainMode.class);
        byte[] mm1 = i.mm1(List.of(TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP1024),
                TestInitiator.p1(2, IkeCipher.TRIPLE_DES_CBC, 192, IkeHash.SHA1, DhGroup.MODP1024)));
        Payload.Notify n = unprotectedNotify(net.exchange(i.addr500, IkeHarness.LOCAL_500, mm1));
        assertThat(n.notifyType()).isEqualTo(NotifyType.NO_PROPOSAL_CHOSEN.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains(
                "offered: aes256-sha1-modp1024, 3des-sha1-modp1024; allowed: aes128|aes256 x sha1|sha256|sha384|sha512 x modp2048|ecp256|ecp384"));
    }

    @Test
    void repeatedRequestsGetTheSameResponse() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        byte[] mm1 = i.mm1();
        byte[] r1 = net.exchange(i.addr500, IkeHarness.LOCAL_500, mm1);
        assertThat(net.exchange(i.addr500, IkeHarness.LOCAL_500, mm1)).isEqualTo(r1);
        i.mm2(r1);
        byte[] mm3 = i.mm3();
        byte[] r3 = net.exchange(i.addr500, IkeHarness.LOCAL_500, mm3);
        assertThat(net.exchange(i.addr500, IkeHarness.LOCAL_500, mm3)).isEqualTo(r3);
        i.mm4(r3);
        byte[] mm5 = i.mm5(false);
        byte[] r5 = net.exchange(i.addr4500, IkeHarness.LOCAL_4500, mm5);
        assertThat(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, mm5)).isEqualTo(r5);
        i.mm6(r5);
        TestInitiator.Qm qm = i.new Qm(null);
        byte[] q1 = qm.message1(ESP);
        byte[] q2 = net.exchange(i.addr4500, IkeHarness.LOCAL_4500, q1);
        assertThat(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, q1)).isEqualTo(q2);
        qm.message2(q2);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, qm.message3())).isEmpty();
        assertThat(net.childSas.installed).hasSize(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "started")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.retransmits")).isEqualTo(4);
    }

    @Test
    void message2IsAnsweredAgainButNotResentAndAMainModeWithoutMessage3TimesOut() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        byte[] mm1 = i.mm1();
        byte[] r1 = net.exchange(i.addr500, IkeHarness.LOCAL_500, mm1);
        // nothing is resent to an address that may be forged: the initiator's repeat gets the answer again
        net.scheduler.advance(Duration.ofSeconds(20));
        assertThat(net.sent).hasSize(1);
        assertThat(net.exchange(i.addr500, IkeHarness.LOCAL_500, mm1)).isEqualTo(r1);
        assertThat(net.count("l2sec.ike.retransmits")).isEqualTo(1);
        net.scheduler.advance(Duration.ofSeconds(10));
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "timeout")).isEqualTo(1);
        i.mm2(r1);
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm3())).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);
        assertThat(net.scheduler.activeTimers()).isZero();
    }

    @Test
    void message4IsResentWithBackoffAndTheMainModeTimesOutWithinTheHalfOpenTimeoutOfMessage1() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        net.scheduler.advance(Duration.ofSeconds(5));
        byte[] r3 = net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3());
        net.scheduler.advance(Duration.ofSeconds(2));
        assertThat(net.sent).hasSize(3);
        assertThat(net.sent.get(2).message()).isEqualTo(r3);
        net.scheduler.advance(Duration.ofSeconds(4));
        assertThat(net.sent).hasSize(4);
        // 30 s after message 1, not after message 3
        net.scheduler.advance(Duration.ofSeconds(18));
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "timeout")).isZero();
        net.scheduler.advance(Duration.ofSeconds(1));
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "timeout")).isEqualTo(1);
        i.mm4(r3);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false))).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);
        net.scheduler.advance(Duration.ofMinutes(5));
        assertThat(net.scheduler.activeTimers()).isZero();
    }

    @Test
    void rUThereIsAcknowledgedWithItsSequenceNumber() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        byte[] seq = {0, 0, 0x12, 0x34};
        byte[] ack = net.exchange(i.addr4500, IkeHarness.LOCAL_4500,
                i.informational(new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), i.cookies(), seq)));
        Payload.Notify n = i.readInformational(ack).first(Payload.Notify.class);
        assertThat(n.notifyType()).isEqualTo(NotifyType.R_U_THERE_ACK.code());
        assertThat(n.data()).isEqualTo(seq);
        assertThat(n.spi()).isEqualTo(i.cookies());
    }

    @Test
    void idlePeersAreProbedAndDeclaredDeadAfterUnansweredProbes() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        i.quickMode(ESP, null);
        int spi = net.childSas.installed.get(0).inboundSpi();
        int before = net.sent.size();
        net.scheduler.advance(Duration.ofSeconds(30));
        assertThat(net.sent).hasSize(before + 1);
        Payload.Notify probe = i.readInformational(net.sent.get(before).message()).first(Payload.Notify.class);
        assertThat(probe.notifyType()).isEqualTo(NotifyType.R_U_THERE.code());
        // answered: alive, the counter resets
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500,
                i.informational(new Payload.Notify(1, 1, NotifyType.R_U_THERE_ACK.code(), i.cookies(), probe.data())));
        net.scheduler.advance(Duration.ofSeconds(30));
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);
        // traffic on the child SA also counts as alive
        net.childSas.traffic = true;
        int sentBefore = net.sent.size();
        net.scheduler.advance(Duration.ofSeconds(60));
        assertThat(net.sent).hasSize(sentBefore);
        net.childSas.traffic = false;
        net.scheduler.advance(Duration.ofSeconds(30 * 7));
        assertThat(net.count("l2sec.ike.dpd.timeouts")).isEqualTo(1);
        assertThat(net.childSas.removed).containsExactly(spi);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
    }

    @Test
    void deletePayloadsRemoveChildSasAndTheIsakmpSa() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm a = i.quickMode(ESP, null);
        TestInitiator.Qm b = i.quickMode(i.new Qm(null, 1702), ESP); // other traffic: both pairs stay
        assertThat(b.afterMessage3).isEmpty();
        // the peer names its inbound SPI, which is our outbound one
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(new Payload.Delete(1, 3, 4,
                List.of(ByteBuffer.allocate(4).putInt(a.mySpi).array()))));
        assertThat(net.childSas.removed).containsExactly(a.peerSpi);
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(new Payload.Delete(1, 1, 16, List.of(i.cookies()))));
        assertThat(net.childSas.removed).containsExactly(a.peerSpi, b.peerSpi);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(new Payload.Notify(1, 1,
                NotifyType.R_U_THERE.code(), i.cookies(), new byte[4])))).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);
    }

    @Test
    void phase1RekeyKeepsChildSasWhenTheOldIsakmpSaIsDeleted() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator old = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = old.quickMode(ESP, null);
        TestInitiator fresh = client(net, 500, 4500).mainMode();
        assertThat(net.count("l2sec.ike.rekeys", "phase", "1")).isEqualTo(1);
        net.deliver(old.addr4500, IkeHarness.LOCAL_4500, old.informational(new Payload.Delete(1, 1, 16, List.of(old.cookies()))));
        assertThat(net.childSas.removed).isEmpty();
        // the adopted child is deleted through the new SA
        net.deliver(fresh.addr4500, IkeHarness.LOCAL_4500, fresh.informational(new Payload.Delete(1, 3, 4,
                List.of(ByteBuffer.allocate(4).putInt(qm.mySpi).array()))));
        assertThat(net.childSas.removed).containsExactly(qm.peerSpi);
    }

    @Test
    void initialContactDeletesTheClientsOlderSas() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator old = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = old.quickMode(ESP, null);
        TestInitiator rebooted = client(net, 500, 4500);
        rebooted.mm2(net.exchange(rebooted.addr500, IkeHarness.LOCAL_500, rebooted.mm1()));
        rebooted.mm4(net.exchange(rebooted.addr500, IkeHarness.LOCAL_500, rebooted.mm3()));
        rebooted.mm6(net.exchange(rebooted.addr4500, IkeHarness.LOCAL_4500, rebooted.mm5(true)));
        assertThat(net.childSas.removed).containsExactly(qm.peerSpi);
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.rekeys", "phase", "1")).isZero();
    }

    @Test
    void twoClientsBehindOneAddressAreIndependent() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator a = client(net, 40001, 40002);
        TestInitiator b = client(net, 40003, 40004);
        a.mm2(net.exchange(a.addr500, IkeHarness.LOCAL_500, a.mm1()));
        b.mm2(net.exchange(b.addr500, IkeHarness.LOCAL_500, b.mm1()));
        b.mm4(net.exchange(b.addr500, IkeHarness.LOCAL_500, b.mm3()));
        a.mm4(net.exchange(a.addr500, IkeHarness.LOCAL_500, a.mm3()));
        a.mm6(net.exchange(a.addr4500, IkeHarness.LOCAL_4500, a.mm5(true)));
        b.mm6(net.exchange(b.addr4500, IkeHarness.LOCAL_4500, b.mm5(true)));
        a.quickMode(ESP, null);
        b.quickMode(ESP, null);
        assertThat(net.childSas.installed).extracting(ChildSaSpec::peer).containsExactly(a.addr4500, b.addr4500);
        assertThat(net.childSas.installed.get(0).ikeSaTag()).isNotEqualTo(net.childSas.installed.get(1).ikeSaTag());
        assertThat(net.childSas.removed).isEmpty();
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(2);
    }

    @Test
    void quickModeWithoutAcceptableTransformGetsAnEncryptedNotify() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        Payload.Transform t = TestInitiator.esp(1, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA1_96, null);
        List<Attribute> attrs = new java.util.ArrayList<>(t.attributes());
        attrs.replaceAll(a -> a.type() == 4 ? Attribute.of(4, 1) : a); // tunnel mode
        TestInitiator.Qm qm = i.new Qm(null);
        byte[] reply = net.exchange(i.addr4500, IkeHarness.LOCAL_4500,
                qm.message1(List.of(new Payload.Transform(1, t.transformId(), attrs))));
        i.keymat.endExchange(qm.mid);
        Payload.Notify n = i.readInformational(reply).first(Payload.Notify.class);
        assertThat(n.notifyType()).isEqualTo(NotifyType.NO_PROPOSAL_CHOSEN.code());
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);
        assertThat(net.childSas.installed).isEmpty();
        i.quickMode(ESP, null); // the IKE SA is still usable
        assertThat(net.childSas.installed).hasSize(1);
    }

    @Test
    void closeSendsDeletesAndRemovesEverything() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.quickMode(ESP, null);
        int before = net.sent.size();
        net.responder.close();
        List<IkeHarness.Sent> out = net.sent.subList(before, net.sent.size());
        assertThat(out).hasSize(2);
        Payload.Delete esp = i.readInformational(out.get(0).message()).first(Payload.Delete.class);
        assertThat(esp.protocolId()).isEqualTo(3);
        assertThat(ByteBuffer.wrap(esp.spis().get(0)).getInt()).isEqualTo(qm.peerSpi);
        Payload.Delete isakmp = i.readInformational(out.get(1).message()).first(Payload.Delete.class);
        assertThat(isakmp.spis().get(0)).isEqualTo(i.cookies());
        assertThat(net.childSas.removed).containsExactly(qm.peerSpi);
        assertThat(net.scheduler.activeTimers()).isZero();
    }

    @Test
    void ikeSaExpiresAtItsLifetime() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode(); // offers 28800 s
        i.quickMode(ESP, null);
        net.childSas.traffic = true;
        net.scheduler.advance(Duration.ofSeconds(28800));
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
        assertThat(net.childSas.removed).hasSize(1);
    }

    @Test
    void malformedAndUnwantedDatagramsAreDroppedAndCounted() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        byte[] good = client(net, 500, 4500).mm1();
        var p = i.addr4500;
        var l = IkeHarness.LOCAL_4500;
        assertThat(net.deliver(p, l, new byte[5])).isEmpty();
        assertThat(net.dropped("truncated")).isEqualTo(1);
        byte[] v = good.clone();
        v[17] = 0x20;
        net.deliver(p, l, v);
        assertThat(net.dropped("bad_version")).isEqualTo(1);
        net.deliver(p, l, Arrays.copyOf(good, good.length + 3));
        assertThat(net.dropped("bad_length")).isEqualTo(1);
        byte[] z = good.clone();
        Arrays.fill(z, 0, 8, (byte) 0);
        net.deliver(p, l, z);
        assertThat(net.dropped("zero_cookie")).isEqualTo(1);
        byte[] loop = good.clone();
        loop[IsakmpHeader.LENGTH + 2] = 0;
        loop[IsakmpHeader.LENGTH + 3] = 0;
        net.deliver(p, l, loop);
        assertThat(net.dropped("malformed_payload")).isEqualTo(1);
        byte[] unknown = good.clone();
        unknown[8] = 1;
        net.deliver(p, l, unknown);
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);
        // encrypted garbage for the established SA: a Quick Mode that does not decrypt to a valid HASH(1)
        byte[] garbage = IsakmpCodec.encodeMessage(new IsakmpHeader(i.ckyI, i.ckyR, 8, 0x10, ExchangeType.QUICK_MODE,
                1, 42, 0), new byte[48]);
        net.deliver(p, l, garbage);
        assertThat(net.dropped("malformed_payload") + net.dropped("bad_hash") + net.dropped("truncated")).isEqualTo(3);
        byte[] odd = IsakmpCodec.encodeMessage(new IsakmpHeader(i.ckyI, i.ckyR, 8, 0x10, ExchangeType.INFORMATIONAL,
                1, 43, 0), new byte[47]);
        net.deliver(p, l, odd);
        assertThat(net.dropped("decrypt_failed")).isEqualTo(1);
        byte[] unencryptedQm = IsakmpCodec.encode(new IsakmpHeader(i.ckyI, i.ckyR, 0, 0x10, ExchangeType.QUICK_MODE, 0, 44, 0),
                List.of(new Payload.Hash(new byte[20])));
        net.deliver(p, l, unencryptedQm);
        assertThat(net.dropped("unexpected_message")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);
        i.quickMode(ESP, null); // still works: failed messages did not disturb the IVs
        assertThat(net.childSas.installed).hasSize(1);
    }

    @Test
    void aggressiveModeIsRefusedAndTheRateOfNewMainModesIsLimitedPerSourceAddress() throws Exception {
        IkeHarness net = new IkeHarness(settings().withLimits(3, 2));
        TestInitiator a = client(net, 500, 4500);
        byte[] aggressive = a.mm1();
        aggressive[18] = (byte) ExchangeType.AGGRESSIVE.code();
        assertThat(net.deliver(a.addr500, IkeHarness.LOCAL_500, aggressive)).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "aggressive_mode_refused")).isEqualTo(1);
        // two per second and address, whatever the port: the third is refused, unanswered
        for (int k = 0; k < 3; k++) {
            TestInitiator c = client(net, 40000 + k, 4500);
            net.deliver(c.addr500, IkeHarness.LOCAL_500, c.mm1());
        }
        assertThat(net.sent).hasSize(2);
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "rate_limited")).isEqualTo(1);
        // another address has a bucket of its own (unless the keyed hash puts both in one: 1 in 65,536)
        TestInitiator other = new TestInitiator(net, "198.51.100.7", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048);
        net.exchange(other.addr500, IkeHarness.LOCAL_500, other.mm1());
        // half a second later one more from the first address: the bucket refills at two per second
        net.scheduler.advance(Duration.ofMillis(500));
        TestInitiator later = client(net, 40009, 4500);
        net.exchange(later.addr500, IkeHarness.LOCAL_500, later.mm1());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "rate_limited")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "started")).isEqualTo(4);
    }

    @Test
    void portFloatingMovesTheSaAndItsResponses() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator moved = i;
        var newMapping = new java.net.InetSocketAddress("203.0.113.5", 61000);
        TestInitiator.Qm qm = moved.new Qm(null);
        List<IkeHarness.Sent> out = net.deliver(newMapping, IkeHarness.LOCAL_4500, qm.message1(ESP));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).peer()).isEqualTo(newMapping);
        qm.message2(out.get(0).message());
        net.deliver(newMapping, IkeHarness.LOCAL_4500, qm.message3());
        assertThat(net.childSas.installed.get(0).peer()).isEqualTo(newMapping);
    }

    @Test
    void quickModeResponseCarriesNatOaAndAnUnfinishedQuickModeTimesOut() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.new Qm(null);
        byte[] q2 = net.exchange(i.addr4500, IkeHarness.LOCAL_4500, qm.message1(ESP));
        PayloadChain c = i.unprotect(q2);
        assertThat(c.all(Payload.NatOa.class)).extracting(Payload.NatOa::address)
                .containsExactly(i.addr4500.getAddress().getAddress(), IkeHarness.LOCAL_4500.getAddress().getAddress());
        int before = net.sent.size();
        net.scheduler.advance(Duration.ofSeconds(2 + 4 + 8 + 16 + 32 + 64));
        assertThat(net.sent.subList(before, net.sent.size()).stream()
                .filter(m -> m.message()[18] == ExchangeType.QUICK_MODE.code()).toList()).hasSize(5)
                .allSatisfy(m -> assertThat(m.message()).isEqualTo(q2));
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "timeout")).isEqualTo(1);
        assertThat(net.childSas.installed).isEmpty();
    }

    @Test
    void aForgedQuickModeMessage3IsDroppedAndTheGenuineOneStillCompletesTheExchange() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.new Qm(null);
        qm.message2(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, qm.message1(ESP)));
        byte[] genuine = qm.message3();
        // one octet of the last ciphertext block changed: HASH(3) no longer verifies, and the block that would
        // become the exchange's next IV differs from the genuine message's
        byte[] forged = genuine.clone();
        forged[forged.length - 5] ^= 0x40;
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, forged)).isEmpty();
        assertThat(net.dropped("bad_hash")).isEqualTo(1);
        assertThat(net.childSas.installed).isEmpty();
        assertThat(net.registry.find("l2sec.ike.phase2").tag("result", "failed").counters()).isEmpty();
        // the IV did not move: the genuine message 3 decrypts and verifies
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, genuine)).isEmpty();
        assertThat(net.childSas.installed).hasSize(1);
        assertThat(net.count("l2sec.ike.phase2", "result", "completed")).isEqualTo(1);
    }

    @Test
    void draftNatTravesalUsesTheDraftPayloadsAndModes() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        byte[] mm1 = i.mm1();
        // keep only the draft-02\n NAT-T VID (like older Windows and macOS)
        IsakmpHeader h = IsakmpCodec.decodeHeader(mm1);
        List<Payload> payloads = new java.util.ArrayList<>(IsakmpCodec.decodePayloads(h, mm1).payloads());
        payloads.removeIf(p -> p instanceof Payload.VendorId v && (Arrays.equals(v.data(), IsakmpVendor.RFC3947)
                || Arrays.equals(v.data(), IsakmpVendor.DPD)));
        PayloadChain mm2 = i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, IsakmpCodec.encode(h, payloads)));
        assertThat(mm2.all(Payload.VendorId.class)).extracting(Payload.VendorId::data)
                .containsExactly(IsakmpVendor.DRAFT_02N, IsakmpVendor.DPD, IsakmpVendor.FRAGMENTATION);
        PayloadChain mm4 = i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        assertThat(mm4.all(Payload.NatD.class)).hasSize(2).allMatch(Payload.NatD::draft);
        i.mm6(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false)));
        Payload.Transform t = TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96, null);
        List<Attribute> attrs = new java.util.ArrayList<>(t.attributes());
        attrs.replaceAll(a -> a.type() == 4 ? Attribute.of(4, 61444) : a);
        i.quickMode(List.of(new Payload.Transform(1, t.transformId(), attrs)), null);
        assertThat(net.childSas.installed).hasSize(1);
    }

    @Test
    void quickModeOverPort500IsRefused() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 500);
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        i.mm6(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm5(false)));
        TestInitiator.Qm qm = i.new Qm(null);
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, qm.message1(ESP))).isEmpty();
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);
    }

    @Test
    void settingsNeverPrintTheKey() {
        IkeSettings s = IkeSettings.defaults().withPsk("topsecret".getBytes());
        assertThat(s.toString()).doesNotContain("topsecret").contains("psk=<set>");
        assertThat(IkeSettings.defaults().allowedGroups()).doesNotContain(DhGroup.MODP1024);
        assertThat(s.withLegacy(false, true).allowedGroups()).contains(DhGroup.MODP1024);
        assertThat(IkeSettings.defaults().allowedEspCiphers()).doesNotContain(EspCipher.TRIPLE_DES_CBC);
    }

    @Test
    void unencryptedNotifiesAreLoggedButNotTrusted() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        ListAppender<ILoggingEvent> log = capture(IkeResponder.class);
        byte[] notify = IsakmpCodec.encode(i.header(ExchangeType.INFORMATIONAL, 0, 0),
                List.of(new Payload.Notify(1, 1, NotifyType.NO_PROPOSAL_CHOSEN.code(), i.cookies(), new byte[0])));
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, notify)).isEmpty();
        assertThat(net.dropped("unauthenticated")).isEqualTo(1);
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("unauthenticated notify type=14"));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3())); // the SA carries on
    }

    @Test
    void unknownNotifyTypesInAnInformationalAreLoggedAndIgnored() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        ListAppender<ILoggingEvent> log = capture(Informational.class);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500,
                i.informational(new Payload.Notify(1, 1, 40000, i.cookies(), new byte[0])))).isEmpty();
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("notify type=40000 ignored"));
        assertThat(net.registry.find("l2sec.ike.packets.dropped").counters()).isEmpty();
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);
        i.quickMode(ESP, null);
        assertThat(net.childSas.installed).hasSize(1);
    }

    @Test
    void hashMismatchWithTheRightKeysIsInvalidHashInformation() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500);
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        byte[] mm5 = i.protect(ExchangeType.IDENTITY_PROTECTION, 0, List.of(i.myId, new Payload.Hash(new byte[32])));
        Payload.Notify n = unprotectedNotify(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, mm5));
        assertThat(n.notifyType()).isEqualTo(NotifyType.INVALID_HASH_INFORMATION.code());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "auth_failed")).isEqualTo(1);
    }

    @Test
    void vendorIdsAreTheWellKnownValues() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        assertThat(hex.formatHex(IsakmpVendor.RFC3947)).isEqualTo("4a131c81070358455c5728f20e95452f");
        assertThat(hex.formatHex(IsakmpVendor.DRAFT_02N)).isEqualTo("90cb80913ebb696e086381b5ec427b1f");
        assertThat(hex.formatHex(IsakmpVendor.DRAFT_02)).isEqualTo("cd60464335df21f87cfdb2fc68b6a448");
        assertThat(hex.formatHex(IsakmpVendor.DRAFT_03)).isEqualTo("7d9419a65310ca6f2c179d9215529d56");
    }
}
