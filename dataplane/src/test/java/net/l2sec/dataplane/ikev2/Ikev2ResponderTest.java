package net.l2sec.dataplane.ikev2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;

/**
 * The IKEv2 responder against an initiator written from RFC 7296 ({@link Ikev2TestClient}): EAP-MSCHAPv2 logins,
 * the configuration payload, the child SA's keys, COOKIEs, retransmissions, rekeys, Delete and failures.
 */
class Ikev2ResponderTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 40000);

    @Test
    void eapMschapv2LoginGetsAnAddressDnsAndATunnelModeChildSa() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        List<Payload> last = h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        assertThat(c.finalServerAuth(last)).as("responder's AUTH with the MSK").isTrue();
        Config cp = Ikev2TestClient.find(last, Config.class);
        assertThat(cp.cfgType()).isEqualTo(Config.CFG_REPLY);
        assertThat(cp.attributes()).anySatisfy(a -> {
            assertThat(a.attributeType()).isEqualTo(ConfigAttribute.INTERNAL_IP4_ADDRESS);
            assertThat(a.value()).containsExactly(10, 99, 0, 10);
        });
        assertThat(cp.attributes()).anySatisfy(a -> {
            assertThat(a.attributeType()).isEqualTo(ConfigAttribute.INTERNAL_IP4_DNS);
            assertThat(a.value()).containsExactly(10, 99, 0, 1);
        });
        TrafficSelectors tsi = last.stream().filter(p -> p instanceof TrafficSelectors t && t.initiator())
                .map(TrafficSelectors.class::cast).findFirst().orElseThrow();
        assertThat(tsi.selectors().getFirst().start()).containsExactly(10, 99, 0, 10);
        assertThat(Ikev2TestClient.has(last, NotifyType.MOBIKE_SUPPORTED)).isTrue();
        assertThat(h.sas.installed).hasSize(1);
        ChildSaSpec spec = h.sas.installed.getFirst();
        assertThat(spec.outboundSpi()).isEqualTo(c.childSpi);
        // the child SA's keys as the initiator derives them (RFC 7296 section 2.17): i->r is our inbound
        // AES-128-CBC (16) with HMAC-SHA-256 (32) each way
        byte[] keymat = c.keys.childKeymat(null, c.ni, c.nr, 2 * (16 + 32));
        assertThat(spec.inboundKeymat()).isEqualTo(java.util.Arrays.copyOfRange(keymat, 0, 48));
        assertThat(spec.outboundKeymat()).isEqualTo(java.util.Arrays.copyOfRange(keymat, 48, 96));
        assertThat(h.responder.establishedSas()).isEqualTo(1);
        assertThat(h.registry.counter("l2sec.ikev2.sa.established").count()).isEqualTo(1);
    }

    @Test
    void wrongPasswordFailsWithEapFailureAndNoSession() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        List<Payload> last = h.login(c, Ikev2Harness.USER, "wrong");
        byte[] eap = Ikev2TestClient.find(last, Payload.Eap.class).packet();
        assertThat(eap[0]).as("EAP code").isEqualTo((byte) 4);
        assertThat(h.sessions.opened).isZero();
        assertThat(h.counter("l2sec.ikev2.sa.failures", "reason", "eap_failed")).isEqualTo(1);
        assertThat(h.responder.establishedSas()).isZero();
    }

    @Test
    void retransmittedRequestsGetTheSameResponseAndAreProcessedOnce() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        byte[] init = c.initRequest();
        byte[] first = h.exchange(CLIENT, Ikev2Harness.LOCAL_500, init);
        byte[] again = h.exchange(CLIENT, Ikev2Harness.LOCAL_500, init);
        assertThat(again).isEqualTo(first);
        c.initResponse(first);
        InetSocketAddress nat = new InetSocketAddress(CLIENT.getAddress(), 4500);
        byte[] auth1 = c.firstAuth();
        List<byte[]> r1 = h.replies(nat, Ikev2Harness.LOCAL_4500, auth1);
        assertThat(r1).as("the certificate needs fragments (RFC 7383) at 576 octets").hasSizeGreaterThan(1);
        List<byte[]> r1again = h.replies(nat, Ikev2Harness.LOCAL_4500, auth1);
        assertThat(r1again).hasSameSizeAs(r1);
        for (int i = 0; i < r1.size(); i++) assertThat(r1again.get(i)).isEqualTo(r1.get(i));
        assertThat(c.open(r1)).anyMatch(p -> p instanceof Payload.Eap);
        assertThat(h.sessions.ids.get()).as("one session context").isEqualTo(1);
    }

    @Test
    void underLoadIkeSaInitNeedsOurCookieFirst() throws Exception {
        Ikev2Harness h = new Ikev2Harness(new Ikev2Harness().responder.settings, new Ikev2Settings(true, 0, true,
                java.time.Duration.ofSeconds(60)));
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        List<Payload> reply = c.initResponse(h.exchange(CLIENT, Ikev2Harness.LOCAL_500, c.initRequest()));
        assertThat(Ikev2TestClient.has(reply, NotifyType.COOKIE)).isTrue();
        assertThat(h.responder.bySpi).as("nothing kept for a COOKIE request").isEmpty();
        // the same request from another address with this COOKIE is refused again
        InetSocketAddress spoofed = new InetSocketAddress("203.0.113.9", 40000);
        assertThat(Ikev2TestClient.has(Ikev2Codec.decode(h.exchange(spoofed, Ikev2Harness.LOCAL_500, c.initRequest())).payloads(),
                NotifyType.COOKIE)).isTrue();
        assertThat(h.responder.bySpi).isEmpty();
        // with the COOKIE from its own address the client proceeds
        List<Payload> login = h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        assertThat(c.finalServerAuth(login)).isTrue();
        assertThat(h.registry.counter("l2sec.ikev2.cookies.sent").count()).isEqualTo(2);
    }

    @Test
    void aKeOfAnotherGroupIsAnsweredWithInvalidKePayload() throws Exception {
        Ikev2Harness h = new Ikev2Harness(IkeSettings.defaults(), Ikev2Settings.defaults());
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        c.group = net.l2sec.dataplane.ike.keymat.DhGroup.MODP1024; // not allowed without the legacy switch
        List<Payload> reply = c.initResponse(h.exchange(CLIENT, Ikev2Harness.LOCAL_500, c.initRequest()));
        assertThat(Ikev2TestClient.has(reply, NotifyType.NO_PROPOSAL_CHOSEN)).isTrue();
    }

    @Test
    void clientDeleteEndsTheSessionAndTheChildSas() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        InetSocketAddress nat = new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1);
        c.open(h.exchange(nat, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.INFORMATIONAL,
                List.of(new Payload.Delete(Payload.Proposal.IKE, 0, List.of())))));
        assertThat(h.sessions.closed).containsExactly(EndCause.PEER_REQUEST);
        assertThat(h.sas.removedAll).hasSize(1);
        assertThat(h.responder.establishedSas()).isZero();
    }

    @Test
    void childRekeyInstallsANewPairAndDeleteRemovesTheOld() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        InetSocketAddress nat = new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1);
        int oldOut = c.childSpi;
        int newSpi = 0x7777;
        byte[] ni = new byte[32];
        List<Payload> rekey = c.open(h.exchange(nat, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.CREATE_CHILD_SA, List.of(
                new Payload.Notify(Payload.Proposal.ESP, IkeAuth.spiBytes(oldOut), NotifyType.REKEY_SA, new byte[0]),
                c.espProposal(newSpi, null), new Payload.Nonce(ni),
                new TrafficSelectors(true, List.of(Ikev2TestClient.anyV4())), new TrafficSelectors(false, List.of(Ikev2TestClient.anyV4()))))));
        assertThat(rekey).anyMatch(p -> p instanceof Payload.Sa);
        assertThat(h.sas.installed).hasSize(2);
        assertThat(h.sas.installed.get(1).outboundSpi()).isEqualTo(newSpi);
        int oldIn = h.sas.installed.get(0).inboundSpi();
        List<Payload> deleted = c.open(h.exchange(nat, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.INFORMATIONAL,
                List.of(new Payload.Delete(Payload.Proposal.ESP, 4, List.of(IkeAuth.spiBytes(oldOut)))))));
        Payload.Delete ours = Ikev2TestClient.find(deleted, Payload.Delete.class);
        assertThat(java.nio.ByteBuffer.wrap(ours.spis().getFirst()).getInt()).isEqualTo(oldIn);
        assertThat(h.sas.removed).containsExactly(oldIn);
        assertThat(h.sessions.closed).isEmpty();
    }

    @Test
    void ikeRekeyMovesTheSessionToTheNewSa() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        InetSocketAddress nat = new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1);
        var dh = net.l2sec.dataplane.ike.keymat.DiffieHellman.generate(c.group);
        long newSpii = 0x1234_5678_9abc_def0L;
        byte[] ni = new byte[32];
        new java.security.SecureRandom().nextBytes(ni);
        List<Payload> reply = c.open(h.exchange(nat, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.CREATE_CHILD_SA, List.of(
                c.ikeProposal(java.nio.ByteBuffer.allocate(8).putLong(newSpii).array()), new Payload.Nonce(ni),
                new Payload.Ke(c.group.code(), dh.publicValue())))));
        Payload.Sa sa = Ikev2TestClient.find(reply, Payload.Sa.class);
        long newSpir = java.nio.ByteBuffer.wrap(sa.proposals().getFirst().spi()).getLong();
        assertThat(h.responder.bySpi).containsKey(newSpir);
        // the old SA deleted by the client: the session lives on
        c.open(h.exchange(nat, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.INFORMATIONAL,
                List.of(new Payload.Delete(Payload.Proposal.IKE, 0, List.of())))));
        assertThat(h.sessions.closed).isEmpty();
        assertThat(h.sas.removedAll).isEmpty();
        assertThat(h.responder.establishedSas()).isEqualTo(1);
        // the new SA's keys (SKEYSEED from the old SK_d, section 2.18) open a request on it
        Payload.Nonce nr = Ikev2TestClient.find(reply, Payload.Nonce.class);
        Payload.Ke ke = Ikev2TestClient.find(reply, Payload.Ke.class);
        byte[] skeyseed = net.l2sec.dataplane.ikev2.keymat.IkeSaKeys.rekeySkeyseed(c.prf, c.keys.skD(), dh.sharedSecret(ke.data()), ni, nr.data());
        var keys = net.l2sec.dataplane.ikev2.keymat.IkeSaKeys.derive(c.prf, c.integrity, c.cipher, c.keyBits, skeyseed, ni, nr.data(), newSpii, newSpir);
        var pair = net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtection.Pair.initiator(keys, c.cipher, c.keyBits, c.integrity, c.random);
        byte[] liveness = pair.outbound().seal(new net.l2sec.dataplane.ikev2.message.Ikev2Header(newSpii, newSpir, 0,
                ExchangeType.INFORMATIONAL.code(), net.l2sec.dataplane.ikev2.message.Ikev2Header.INITIATOR, 0, 0), List.of());
        byte[] answer = h.exchange(nat, Ikev2Harness.LOCAL_4500, liveness);
        assertThat(Ikev2Codec.header(answer).response()).isTrue();
        // an empty Encrypted payload right after the header: it opens with the new keys
        assertThat(pair.inbound().open(answer, net.l2sec.dataplane.ikev2.message.Ikev2Header.LENGTH + 4)).isEmpty();
    }

    @Test
    void disconnectRequestDeletesTheIkeSa() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        int before = h.sent.size();
        h.sessions.disconnects.getFirst().accept(EndCause.ADMIN_DISCONNECT);
        h.scheduler.runPending();
        assertThat(h.sent.size()).isEqualTo(before + 1);
        List<Payload> del = c.open(h.sent.getLast().message());
        assertThat(Ikev2TestClient.find(del, Payload.Delete.class).protocol()).isEqualTo(Payload.Proposal.IKE);
        assertThat(h.sessions.closed).containsExactly(EndCause.ADMIN_DISCONNECT);
    }

    @Test
    void weRekeyTheIkeSaAndBecomeItsOriginalInitiator() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        InetSocketAddress nat = new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1);
        Ikev2Sa old = h.responder.bySpi.get(c.spir);
        int before = h.sent.size();
        h.responder.createChild.initiateIkeRekey(old);
        h.scheduler.runPending();
        byte[] request = h.sent.get(before).message();
        var rh = Ikev2Codec.header(request);
        assertThat(rh.response()).isFalse();
        assertThat(rh.fromInitiator()).as("we are not the original initiator of the old SA").isFalse();
        List<Payload> asked = c.open(request);
        Payload.Sa sa = Ikev2TestClient.find(asked, Payload.Sa.class);
        long ourNewSpi = java.nio.ByteBuffer.wrap(sa.proposals().getFirst().spi()).getLong();
        byte[] ni = Ikev2TestClient.find(asked, Payload.Nonce.class).data();
        Payload.Ke theirKe = Ikev2TestClient.find(asked, Payload.Ke.class);
        // the client answers as the rekey's responder
        var dh = net.l2sec.dataplane.ike.keymat.DhGroup.ECP256 == c.group ? net.l2sec.dataplane.ike.keymat.DiffieHellman.generate(c.group) : null;
        long clientNewSpi = 0x0bad_cafe_0000_0001L;
        byte[] nr = new byte[32];
        java.util.Arrays.fill(nr, (byte) 7);
        var answerHeader = new net.l2sec.dataplane.ikev2.message.Ikev2Header(c.spii, c.spir, 0, ExchangeType.CREATE_CHILD_SA.code(),
                net.l2sec.dataplane.ikev2.message.Ikev2Header.INITIATOR | net.l2sec.dataplane.ikev2.message.Ikev2Header.RESPONSE,
                rh.messageId(), 0);
        byte[] answer = c.protection.outbound().seal(answerHeader, List.of(c.ikeProposal(java.nio.ByteBuffer.allocate(8).putLong(clientNewSpi).array()),
                new Payload.Nonce(nr), new Payload.Ke(c.group.code(), dh.publicValue())));
        List<Ikev2Harness.Sent> out = h.deliver(nat, Ikev2Harness.LOCAL_4500, answer);
        // the new SA: our SPI first (we initiated), the session moved to it
        Ikev2Sa next = h.responder.bySpi.get(ourNewSpi);
        assertThat(next).isNotNull();
        assertThat(next.weInitiated).isTrue();
        assertThat(next.responderSpi).isEqualTo(clientNewSpi);
        assertThat(next.session).isNotNull();
        // and we delete the old one (section 2.8)
        assertThat(out).hasSize(1);
        assertThat(Ikev2TestClient.find(c.open(out.getFirst().message()), Payload.Delete.class).protocol()).isEqualTo(Payload.Proposal.IKE);
        // the client's view of the new keys: it is the responder now, SK_er/SK_ar protect what it sends
        byte[] skeyseed = net.l2sec.dataplane.ikev2.keymat.IkeSaKeys.rekeySkeyseed(c.prf, c.keys.skD(), dh.sharedSecret(theirKe.data()), ni, nr);
        var keys = net.l2sec.dataplane.ikev2.keymat.IkeSaKeys.derive(c.prf, c.integrity, c.cipher, c.keyBits, skeyseed, ni, nr, ourNewSpi, clientNewSpi);
        var pair = net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtection.Pair.responder(keys, c.cipher, c.keyBits, c.integrity, c.random);
        byte[] liveness = pair.outbound().seal(new net.l2sec.dataplane.ikev2.message.Ikev2Header(ourNewSpi, clientNewSpi, 0,
                ExchangeType.INFORMATIONAL.code(), 0, 0, 0), List.of());
        byte[] reply = h.exchange(nat, Ikev2Harness.LOCAL_4500, liveness);
        var replyHeader = Ikev2Codec.header(reply);
        assertThat(replyHeader.response()).isTrue();
        assertThat(replyHeader.fromInitiator()).as("our I flag on the SA we initiated").isTrue();
        assertThat(pair.inbound().open(reply, net.l2sec.dataplane.ikev2.message.Ikev2Header.LENGTH + 4)).isEmpty();
        // the client answers our Delete of the old SA: it goes, the session stays
        var delHeader = Ikev2Codec.header(out.getFirst().message());
        h.deliver(nat, Ikev2Harness.LOCAL_4500, c.protection.outbound().seal(new net.l2sec.dataplane.ikev2.message.Ikev2Header(c.spii, c.spir, 0,
                ExchangeType.INFORMATIONAL.code(), net.l2sec.dataplane.ikev2.message.Ikev2Header.INITIATOR
                | net.l2sec.dataplane.ikev2.message.Ikev2Header.RESPONSE, delHeader.messageId(), 0), List.of()));
        assertThat(h.responder.bySpi).doesNotContainKey(c.spir);
        assertThat(h.sessions.closed).isEmpty();
        assertThat(h.responder.establishedSas()).isEqualTo(1);
        assertThat(h.registry.counter("l2sec.ikev2.rekeys", "sa", "ike").count()).isEqualTo(1);
    }

    @Test
    void weRekeyAChildSaAtItsSoftLifetime() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        InetSocketAddress nat = new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1);
        ChildSaSpec first = h.sas.installed.getFirst();
        int before = h.sent.size();
        h.responder.rekeyChildSa(first.ikeSaTag(), first.inboundSpi());
        h.scheduler.runPending();
        byte[] request = h.sent.get(before).message();
        var rh = Ikev2Codec.header(request);
        List<Payload> asked = c.open(request);
        Payload.Notify rekey = asked.stream().filter(p -> p instanceof Payload.Notify n && n.notifyType() == NotifyType.REKEY_SA)
                .map(Payload.Notify.class::cast).findFirst().orElseThrow();
        assertThat(java.nio.ByteBuffer.wrap(rekey.spi()).getInt()).isEqualTo(first.inboundSpi());
        byte[] ni = Ikev2TestClient.find(asked, Payload.Nonce.class).data();
        int clientNewSpi = 0x0c0c0c0c;
        byte[] nr = new byte[32];
        var answerHeader = new net.l2sec.dataplane.ikev2.message.Ikev2Header(c.spii, c.spir, 0, ExchangeType.CREATE_CHILD_SA.code(),
                net.l2sec.dataplane.ikev2.message.Ikev2Header.INITIATOR | net.l2sec.dataplane.ikev2.message.Ikev2Header.RESPONSE,
                rh.messageId(), 0);
        List<Payload> tsi = asked.stream().filter(p -> p instanceof TrafficSelectors).toList();
        byte[] answer = c.protection.outbound().seal(answerHeader, List.of(c.espProposal(clientNewSpi, null), new Payload.Nonce(nr),
                tsi.get(0), tsi.get(1)));
        List<Ikev2Harness.Sent> out = h.deliver(nat, Ikev2Harness.LOCAL_4500, answer);
        assertThat(h.sas.installed).hasSize(2);
        ChildSaSpec second = h.sas.installed.get(1);
        assertThat(second.outboundSpi()).isEqualTo(clientNewSpi);
        // KEYMAT with our nonce first: its first half keys what we send (we initiated the exchange)
        byte[] keymat = c.keys.childKeymat(null, ni, nr, 96);
        assertThat(second.outboundKeymat()).isEqualTo(java.util.Arrays.copyOfRange(keymat, 0, 48));
        assertThat(second.inboundKeymat()).isEqualTo(java.util.Arrays.copyOfRange(keymat, 48, 96));
        // then the old pair's Delete, with our old inbound SPI
        Payload.Delete del = Ikev2TestClient.find(c.open(out.getFirst().message()), Payload.Delete.class);
        assertThat(java.nio.ByteBuffer.wrap(del.spis().getFirst()).getInt()).isEqualTo(first.inboundSpi());
        var delHeader = Ikev2Codec.header(out.getFirst().message());
        h.deliver(nat, Ikev2Harness.LOCAL_4500, c.protection.outbound().seal(new net.l2sec.dataplane.ikev2.message.Ikev2Header(c.spii, c.spir, 0,
                ExchangeType.INFORMATIONAL.code(), net.l2sec.dataplane.ikev2.message.Ikev2Header.INITIATOR
                | net.l2sec.dataplane.ikev2.message.Ikev2Header.RESPONSE, delHeader.messageId(), 0),
                List.of(new Payload.Delete(Payload.Proposal.ESP, 4, List.of(IkeAuth.spiBytes(c.childSpi))))));
        assertThat(h.sas.removed).containsExactly(first.inboundSpi());
    }
}
