package net.l2sec.dataplane.ike;

import static net.l2sec.dataplane.ike.ResponderBehaviourTest.ESP;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.client;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import org.junit.jupiter.api.Test;

/**
 * Authenticated messages out of their place: a replayed or reflected exchange (its message ID already used on the
 * ISAKMP SA), a Delete naming another client's SA, a forged message of an exchange in progress. None of them is
 * processed, moves the SA to another address or disturbs the exchange they imitate.
 */
class ReplayAndDeleteTest {
    static final InetSocketAddress ATTACKER = new InetSocketAddress("198.51.100.66", 4500);

    private static Payload.Notify rUThere(TestInitiator i, int sequence) {
        return new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), i.cookies(), new byte[] {0, 0, 0, (byte) sequence});
    }

    @Test
    void aReplayedInformationalIsDroppedAndDoesNotMoveTheSa() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        byte[] probe = i.informational(rUThere(i, 1));
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, probe)).hasSize(1); // R-U-THERE-ACK

        // the same octets again, from elsewhere: decrypting and HASH(1) would pass, the message ID gives it away
        assertThat(net.deliver(ATTACKER, IkeHarness.LOCAL_4500, probe)).isEmpty();
        assertThat(net.dropped("reused_message_id")).isEqualTo(1);
        assertThat(net.responder.ipsecOf(ATTACKER)).isEmpty();
        // and from the peer's own address too
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, probe)).isEmpty();
        assertThat(net.dropped("reused_message_id")).isEqualTo(2);

        List<IkeHarness.Sent> ack = net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(rUThere(i, 2)));
        assertThat(ack).singleElement().satisfies(s -> assertThat(s.peer()).isEqualTo(i.addr4500));
    }

    @Test
    void aQuickModeUnderAMessageIdAlreadyUsedIsRefusedWithoutMovingTheSa() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        byte[] probe = i.informational(rUThere(i, 1));
        int usedMid = IsakmpCodec.decodeHeader(probe).messageId();
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, probe);

        // a well-formed Quick Mode with a valid HASH(1) for that message ID, from another address
        TestInitiator.Qm replay = i.new Qm(null, 1701, usedMid);
        assertThat(net.deliver(ATTACKER, IkeHarness.LOCAL_4500, replay.message1(ESP))).isEmpty();
        assertThat(net.dropped("reused_message_id")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase2", "result", "started")).isZero();
        i.keymat.endExchange(usedMid);

        // the SA stays where it was and serves the client's next Quick Mode there
        i.quickMode(ESP, null);
        assertThat(net.childSas.installed).extracting(ChildSaSpec::peer).containsExactly(i.addr4500);
    }

    @Test
    void ourOwnInformationalReflectedBackIsDropped() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        // idle for the DPD delay: we send R-U-THERE (same keys both ways in IKEv1: it would verify as the peer's)
        List<IkeHarness.Sent> probe = net.during(() -> net.scheduler.advance(Duration.ofSeconds(30)));
        assertThat(probe).hasSize(1);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, probe.get(0).message())).as("no R-U-THERE-ACK to ourselves")
                .isEmpty();
        assertThat(net.dropped("reused_message_id")).isEqualTo(1);
    }

    @Test
    void aDeleteRemovesOnlySasOfTheClientThatSendsIt() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator a = client(net, 500, 4500).mainMode();
        TestInitiator b = new TestInitiator(net, "198.51.100.9", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256,
                DhGroup.MODP2048).mainMode();
        b.quickMode(ESP, null);
        // a, authenticated, names b's ISAKMP SA
        net.deliver(a.addr4500, IkeHarness.LOCAL_4500, a.informational(new Payload.Delete(1, 1, 16, List.of(b.cookies()))));
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(2);
        assertThat(net.childSas.removed).isEmpty();
        b.quickMode(ESP, null); // b's SA still serves it

        // a's own Delete for itself works
        net.deliver(a.addr4500, IkeHarness.LOCAL_4500, a.informational(new Payload.Delete(1, 1, 16, List.of(a.cookies()))));
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);
        assertThat(net.responder.ipsecOf(b.addr4500)).isPresent();
    }

    @Test
    void aForgedMessage2OfOurRekeyIsDroppedAndTheGenuineOneCompletesIt() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        i.quickMode(ESP, null);
        ChildSaSpec old = net.childSas.installed.get(0);
        net.childSas.traffic = true;
        List<IkeHarness.Sent> out1 = net.during(() -> net.responder.rekeyChildSa(old.ikeSaTag(), old.inboundSpi(), "seq"));
        TestInitiator.QmReply reply = i.new QmReply(out1.get(0).message());
        byte[] forged = reply.message2.clone();
        forged[forged.length - 3] ^= 0x01;
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, forged)).isEmpty();
        // garbled plaintext: a payload length that overruns (truncated) or a HASH(2) that does not verify
        assertThat(net.registry.find("l2sec.ike.packets.dropped").counters()).singleElement()
                .satisfies(c -> assertThat(c.count()).isEqualTo(1));
        assertThat(net.registry.find("l2sec.ike.phase2").tag("result", "failed").counters()).isEmpty();

        List<IkeHarness.Sent> out2 = net.deliver(i.addr4500, IkeHarness.LOCAL_4500, reply.message2);
        assertThat(out2).as("message 3, then the Delete of the old pair").hasSize(2);
        reply.message3(out2.get(0).message());
        assertThat(net.childSas.installed).hasSize(2);
        assertThat(net.count("l2sec.ike.rekeys", "phase", "2")).isEqualTo(1);
    }
}
