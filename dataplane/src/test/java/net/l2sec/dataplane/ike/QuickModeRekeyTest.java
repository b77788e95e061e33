package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Quick Modes the responder initiates when ESP reports a pair near the end of its life, and expiry Deletes. */
class QuickModeRekeyTest {
    final IkeHarness net = new IkeHarness(MainModeQuickModeTest.settings(false));
    TestInitiator client;
    TestInitiator.Qm first;
    ChildSaSpec old;

    void established(DhGroup pfs) throws Exception {
        client = new TestInitiator(net, "203.0.113.5", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256,
                DhGroup.MODP2048).mainMode();
        first = client.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256_128,
                pfs)), pfs);
        old = net.childSas.installed.get(0);
        net.childSas.traffic = true; // DPD stays quiet while virtual time passes
    }

    @ParameterizedTest(name = "pfs={0}")
    @ValueSource(booleans = {false, true})
    void rekeyNeededInstallsANewPairAndRetiresTheOldOneAfterTheGracePeriod(boolean withPfs) throws Exception {
        established(withPfs ? DhGroup.MODP2048 : null);
        List<IkeHarness.Sent> out1 = net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "seq"));
        assertThat(out1).hasSize(1);
        assertThat(out1.get(0).peer()).isEqualTo(client.addr4500);
        assertThat(out1.get(0).local()).isEqualTo(IkeHarness.LOCAL_4500);

        TestInitiator.QmReply reply = client.new QmReply(out1.get(0).message());
        // we initiate: IDci is ours, IDcr the client's, the mirror of the client's Quick Mode
        assertThat(reply.message1.all(Payload.Id.class)).containsExactly(first.idcr, first.idci);
        Payload.Transform offered = reply.message1.first(Payload.Sa.class).proposals().get(0).transforms().get(0);
        assertThat(offered).isEqualTo(first.response.proposals().get(0).transforms().get(0));
        assertThat(reply.message1.first(Payload.Ke.class) != null).isEqualTo(withPfs);
        assertThat(reply.gqmxy != null).isEqualTo(withPfs);

        List<IkeHarness.Sent> out2 = net.deliver(client.addr4500, IkeHarness.LOCAL_4500, reply.message2);
        assertThat(out2).as("message 3, then the Delete of the old pair").hasSize(2);
        reply.message3(out2.get(0).message());
        PayloadChain info = client.readInformational(out2.get(1).message());
        Payload.Delete delete = info.first(Payload.Delete.class);
        assertThat(delete.protocolId()).isEqualTo(ProtocolId.PROTO_IPSEC_ESP.code());
        assertThat(delete.spis()).hasSize(1);
        assertThat(ByteBuffer.wrap(delete.spis().get(0)).getInt()).isEqualTo(old.inboundSpi());

        assertThat(net.childSas.installed).hasSize(2);
        ChildSaSpec fresh = net.childSas.installed.get(1);
        assertThat(fresh.inboundSpi()).isEqualTo(reply.serverSpi).isNotEqualTo(old.inboundSpi());
        assertThat(fresh.outboundSpi()).isEqualTo(reply.mySpi);
        assertThat(fresh.ikeSaTag()).isEqualTo(old.ikeSaTag());
        assertThat(fresh.peer()).isEqualTo(client.addr4500);
        assertThat(fresh.cipher()).isEqualTo(EspCipher.AES_CBC);
        assertThat(fresh.keyBits()).isEqualTo(128);
        assertThat(fresh.integrity()).isEqualTo(EspIntegrity.HMAC_SHA2_256_128);
        assertThat(fresh.inboundKeymat()).hasSize(48).isEqualTo(reply.serverInbound(48)); // 16 key + 32 HMAC-SHA-256
        assertThat(fresh.outboundKeymat()).isEqualTo(reply.serverOutbound(48));
        assertThat(fresh.inboundKeymat()).isNotEqualTo(old.inboundKeymat());
        assertThat(fresh.lifetime()).isEqualTo(old.lifetime());
        assertThat(fresh.lifetimeBytes()).isEqualTo(old.lifetimeBytes());
        assertThat(fresh.peerL2tpPort()).isEqualTo(1701);
        assertThat(net.count("l2sec.ike.rekeys", "phase", "2")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase2", "result", "completed")).isEqualTo(2);

        // a repeated message 2 (our message 3 was lost) gets message 3 again
        assertThat(net.deliver(client.addr4500, IkeHarness.LOCAL_4500, reply.message2)).extracting(IkeHarness.Sent::message)
                .containsExactly(out2.get(0).message());

        net.scheduler.advance(Duration.ofSeconds(4));
        assertThat(net.childSas.removed).as("in-flight packets still decrypt").isEmpty();
        net.scheduler.advance(Duration.ofSeconds(1));
        assertThat(net.childSas.removed).containsExactly(old.inboundSpi());

        // the new pair is a child SA like any other: the client's Delete for it removes it
        net.deliver(client.addr4500, IkeHarness.LOCAL_4500, client.informational(new Payload.Delete(1, 3, 4,
                List.of(ByteBuffer.allocate(4).putInt(reply.mySpi).array()))));
        assertThat(net.childSas.removed).containsExactly(old.inboundSpi(), fresh.inboundSpi());
    }

    /** Runs the crypto workers' tasks at once until {@link #hold} is set, then keeps them for {@link #runNext}. */
    static final class HeldCrypto implements java.util.concurrent.Executor {
        final java.util.ArrayDeque<Runnable> waiting = new java.util.ArrayDeque<>();
        boolean hold;

        @Override
        public void execute(Runnable task) {
            if (hold) waiting.add(task);
            else task.run();
        }

        void runNext() {
            waiting.remove().run();
        }
    }

    /** A client with a PFS (MODP2048) pair through {@code held}, its crypto run at once; from now on held. */
    static TestInitiator pfsPairWithCryptoHeld(IkeHarness held, HeldCrypto crypto) throws Exception {
        TestInitiator c = new TestInitiator(held, "203.0.113.5", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256,
                DhGroup.MODP2048).mainMode();
        c.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256_128,
                DhGroup.MODP2048)), DhGroup.MODP2048);
        held.childSas.traffic = true; // DPD stays quiet while virtual time passes
        crypto.hold = true;
        return c;
    }

    @Test
    void withPfsOurKeyPairAndTheAgreementAreComputedByACryptoWorkerNotOnTheLoop() throws Exception {
        HeldCrypto crypto = new HeldCrypto();
        IkeHarness held = new IkeHarness(MainModeQuickModeTest.settings(false), CryptoWorkers.over(crypto, "held"));
        TestInitiator c = pfsPairWithCryptoHeld(held, crypto);
        ChildSaSpec pair = held.childSas.installed.get(0);

        assertThat(held.during(() -> held.responder.rekeyChildSa(pair.ikeSaTag(), pair.inboundSpi(), "seq")))
                .as("message 1 waits for our key pair").isEmpty();
        assertThat(crypto.waiting).hasSize(1);
        assertThat(held.during(() -> held.responder.rekeyChildSa(pair.ikeSaTag(), pair.inboundSpi(), "seq")))
                .as("one rekey per pair, also while its key pair is computed").isEmpty();
        assertThat(crypto.waiting).hasSize(1);
        crypto.runNext();
        List<IkeHarness.Sent> out1 = held.during(() -> { });
        assertThat(out1).hasSize(1);
        TestInitiator.QmReply reply = c.new QmReply(out1.get(0).message());
        assertThat(reply.message1.first(Payload.Ke.class)).isNotNull();

        assertThat(held.deliver(c.addr4500, IkeHarness.LOCAL_4500, reply.message2)).as("message 3 waits for g^qm xy").isEmpty();
        assertThat(crypto.waiting).hasSize(1);
        crypto.runNext();
        List<IkeHarness.Sent> out2 = held.during(() -> { });
        assertThat(out2).as("message 3, then the Delete of the old pair").hasSize(2);
        reply.message3(out2.get(0).message());
        ChildSaSpec fresh = held.childSas.installed.get(1);
        assertThat(fresh.inboundKeymat()).isEqualTo(reply.serverInbound(48));
        assertThat(fresh.outboundKeymat()).isEqualTo(reply.serverOutbound(48));
        assertThat(held.count("l2sec.ike.rekeys", "phase", "2")).isEqualTo(1);
        assertThat(held.dropped("internal_error")).isZero();
    }

    @Test
    void aRekeyWhoseIsakmpSaGoesWhileItsKeyPairIsComputedSendsNothing() throws Exception {
        HeldCrypto crypto = new HeldCrypto();
        IkeHarness held = new IkeHarness(MainModeQuickModeTest.settings(false), CryptoWorkers.over(crypto, "held"));
        TestInitiator c = pfsPairWithCryptoHeld(held, crypto);
        ChildSaSpec pair = held.childSas.installed.get(0);
        held.during(() -> held.responder.rekeyChildSa(pair.ikeSaTag(), pair.inboundSpi(), "seq"));
        held.deliver(c.addr4500, IkeHarness.LOCAL_4500, c.informational(new Payload.Delete(1, 1, 16, List.of(c.cookies()))));
        int before = held.sent.size();

        crypto.runNext();
        held.scheduler.advance(Duration.ofMinutes(5));
        assertThat(held.sent).as("no message 1 for a deleted ISAKMP SA").hasSize(before);
        assertThat(held.dropped("internal_error")).isZero();
        assertThat(held.count("l2sec.ike.phase2", "result", "completed")).isEqualTo(1);
    }

    @Test
    void aPeerThatNeverAnswersGetsRetransmissionsThenTheRekeyFailsAndTheOldPairStays() throws Exception {
        established(null);
        List<IkeHarness.Sent> out1 = net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "time"));
        assertThat(out1).hasSize(1);
        byte[] message1 = out1.get(0).message();
        int before = net.sent.size();
        for (int s : new int[] {2, 4, 8, 16, 32}) net.scheduler.advance(Duration.ofSeconds(s));
        assertThat(net.sent.subList(before, net.sent.size())).hasSize(5).allSatisfy(m -> assertThat(m.message()).isEqualTo(message1));
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "timeout")).isZero();
        net.scheduler.advance(Duration.ofSeconds(64));
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "timeout")).isEqualTo(1);
        assertThat(net.sent).hasSize(before + 5);
        assertThat(net.childSas.installed).hasSize(1);
        assertThat(net.childSas.removed).isEmpty();
        assertThat(net.count("l2sec.ike.rekeys", "phase", "2")).isZero();

        // a late message 2 finds no exchange: dropped, nothing installed
        TestInitiator.QmReply late = client.new QmReply(message1);
        assertThat(net.deliver(client.addr4500, IkeHarness.LOCAL_4500, late.message2)).isEmpty();
        assertThat(net.childSas.installed).hasSize(1);
    }

    @Test
    void withoutAnIsakmpSaTheRekeyIsCountedAndThePairLeftToExpire() throws Exception {
        established(null);
        // the client deletes its ISAKMP SA; with no newer one the pair goes too, and ESP may still report it
        net.deliver(client.addr4500, IkeHarness.LOCAL_4500, client.informational(new Payload.Delete(1, 1, 16,
                List.of(client.cookies()))));
        assertThat(net.responder.activeSas()).isZero();
        List<IkeHarness.Sent> out = net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "bytes"));
        assertThat(out).isEmpty();
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "no_ike_sa")).isEqualTo(1);

        assertThat(net.during(() -> net.responder.rekeyChildSa("ike=00000000", 0x12345678, "seq"))).isEmpty();
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "no_ike_sa")).isEqualTo(2);
    }

    @Test
    void rekeyNeededTwiceForOnePairStartsOneQuickMode() throws Exception {
        established(null);
        assertThat(net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "seq"))).hasSize(1);
        assertThat(net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "time"))).isEmpty();
        assertThat(net.count("l2sec.ike.phase2", "result", "started")).isEqualTo(2); // the client's and ours
    }

    @Test
    void expiredPairIsDeletedAtThePeerAndForgotten() throws Exception {
        established(null);
        List<IkeHarness.Sent> out = net.during(() -> net.responder.childSaExpired(old.ikeSaTag(), old.inboundSpi()));
        assertThat(out).hasSize(1);
        Payload.Delete delete = client.readInformational(out.get(0).message()).first(Payload.Delete.class);
        assertThat(delete.protocolId()).isEqualTo(ProtocolId.PROTO_IPSEC_ESP.code());
        assertThat(ByteBuffer.wrap(delete.spis().get(0)).getInt()).isEqualTo(old.inboundSpi());
        assertThat(net.childSas.removed).as("ESP deleted it already").isEmpty();

        // forgotten: no rekey for it, and the ISAKMP SA's own Deletes no longer name it
        assertThat(net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "seq"))).isEmpty();
        List<IkeHarness.Sent> closing = net.during(net.responder::close);
        assertThat(closing).hasSize(1);
        assertThat(client.readInformational(closing.get(0).message()).first(Payload.Delete.class).protocolId())
                .isEqualTo(ProtocolId.PROTO_ISAKMP.code());
    }

    @Test
    void aPendingRekeyIsAbandonedWhenTheIsakmpSaGoes() throws Exception {
        established(null);
        net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "seq"));
        net.deliver(client.addr4500, IkeHarness.LOCAL_4500, client.informational(new Payload.Delete(1, 1, 16,
                List.of(client.cookies()))));
        int before = net.sent.size();
        net.scheduler.advance(Duration.ofMinutes(5));
        assertThat(net.sent).as("no retransmission for a deleted SA").hasSize(before);
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "timeout")).isZero();
    }

    /** The inbound SPI the Delete in {@code sent} names (one informational with one ESP Delete). */
    int deletedSpi(List<IkeHarness.Sent> sent) throws Exception {
        assertThat(sent).hasSize(1);
        Payload.Delete delete = client.readInformational(sent.get(0).message()).first(Payload.Delete.class);
        assertThat(delete.protocolId()).isEqualTo(ProtocolId.PROTO_IPSEC_ESP.code());
        assertThat(delete.spis()).hasSize(1);
        return ByteBuffer.wrap(delete.spis().get(0)).getInt();
    }

    @Test
    void aClientRekeyReplacesTheOldPairWhichIsDeletedAfterTheGracePeriodAndNeverRekeyedByUs() throws Exception {
        established(null);
        TestInitiator.Qm second = client.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128,
                EspIntegrity.HMAC_SHA2_256_128, null)), null);
        ChildSaSpec fresh = net.childSas.installed.get(1);
        assertThat(deletedSpi(second.afterMessage3)).as("the peer is told at once").isEqualTo(old.inboundSpi());
        assertThat(net.count("l2sec.ike.rekeys", "phase", "2")).isEqualTo(1);

        // ESP's soft limit for the replaced pair (the client rekeyed before it): nothing starts, nothing counted
        assertThat(net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "soft lifetime"))).isEmpty();
        assertThat(net.count("l2sec.ike.phase2", "result", "started")).isEqualTo(2);

        net.scheduler.advance(ChildSas.GRACE);
        assertThat(net.childSas.removed).as("packets in flight had the grace period").containsExactly(old.inboundSpi());

        // the new pair is rekeyed by us at its own soft limit, as any other
        List<IkeHarness.Sent> ours = net.during(() -> net.responder.rekeyChildSa(fresh.ikeSaTag(), fresh.inboundSpi(), "soft lifetime"));
        assertThat(ours).hasSize(1);
        TestInitiator.QmReply reply = client.new QmReply(ours.get(0).message());
        List<IkeHarness.Sent> out = net.deliver(client.addr4500, IkeHarness.LOCAL_4500, reply.message2);
        assertThat(out).hasSize(2);
        assertThat(deletedSpi(out.subList(1, 2))).isEqualTo(fresh.inboundSpi());
        net.scheduler.advance(ChildSas.GRACE);
        assertThat(net.childSas.removed).containsExactly(old.inboundSpi(), fresh.inboundSpi());
    }

    @Test
    void aReplacedPairThatExpiresIsNotDeletedTwice() throws Exception {
        established(null);
        client.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256_128, null)), null);
        assertThat(net.during(() -> net.responder.childSaExpired(old.ikeSaTag(), old.inboundSpi()))).isEmpty();
        net.scheduler.advance(ChildSas.GRACE);
        assertThat(net.childSas.removed).as("ESP deleted it itself at expiry").isEmpty();
    }

    @Test
    void aClientRekeyAbandonsTheRekeyWeStartedForTheSamePair() throws Exception {
        established(null);
        List<IkeHarness.Sent> ours = net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "seq"));
        assertThat(ours).hasSize(1);
        TestInitiator.QmReply late = client.new QmReply(ours.get(0).message());
        client.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256_128, null)), null);
        int before = net.sent.size();
        net.scheduler.advance(Duration.ofMinutes(3));
        assertThat(net.sent).as("our message 1 is no longer resent").hasSize(before);
        // the client's answer to our abandoned message 1 installs nothing: one chain only
        assertThat(net.deliver(client.addr4500, IkeHarness.LOCAL_4500, late.message2)).isEmpty();
        assertThat(net.childSas.installed).hasSize(2);
        assertThat(net.childSas.removed).containsExactly(old.inboundSpi());
    }

    @Test
    void aRekeyThroughANewerIsakmpSaReplacesThePairTheOlderOneHolds() throws Exception {
        established(null);
        // the client rekeyed phase 1 (same address and port) and rekeys the pair through the new ISAKMP SA
        TestInitiator renewed = new TestInitiator(net, "203.0.113.5", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048).mainMode();
        TestInitiator.Qm qm = renewed.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128,
                EspIntegrity.HMAC_SHA2_256_128, null)), null);
        // the Delete goes through the ISAKMP SA that holds the old pair
        assertThat(deletedSpi(qm.afterMessage3)).isEqualTo(old.inboundSpi());
        assertThat(net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "soft lifetime"))).isEmpty();
        net.scheduler.advance(ChildSas.GRACE);
        assertThat(net.childSas.removed).containsExactly(old.inboundSpi());
    }

    @Test
    void anotherClientWithTheSameIdsBehindTheSameNatIsNotARekey() throws Exception {
        established(null);
        TestInitiator other = new TestInitiator(net, "203.0.113.5", 1500, 14500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048).mainMode();
        TestInitiator.Qm qm = other.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 128,
                EspIntegrity.HMAC_SHA2_256_128, null)), null);
        assertThat(qm.afterMessage3).isEmpty();
        net.scheduler.advance(ChildSas.GRACE);
        assertThat(net.childSas.removed).isEmpty();
        assertThat(net.count("l2sec.ike.rekeys", "phase", "2")).isZero();
    }
}
