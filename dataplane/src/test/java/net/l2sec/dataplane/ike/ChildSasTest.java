package net.l2sec.dataplane.ike;

import static net.l2sec.dataplane.ike.ResponderBehaviourTest.ESP;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.capture;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.client;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.l2sec.dataplane.ike.message.Payload;
import org.junit.jupiter.api.Test;

/** IKE's child SAs: SPI allocation, their owners, and the one removal path every end of a pair takes. */
class ChildSasTest {
    final IkeHarness net = new IkeHarness(settings());
    final ChildSas childSas = net.responder.context().childSas();
    final ListAppender<ILoggingEvent> log = capture(ChildSas.class);

    List<String> phase2Down() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("phase2 down")).toList();
    }

    static byte[] spi(int spi) {
        return ByteBuffer.allocate(4).putInt(spi).array();
    }

    @Test
    void inboundSpisAreUniqueAndAboveTheReservedRange() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            int s = childSas.allocateSpi();
            assertThat(Integer.toUnsignedLong(s)).isGreaterThan(255);
            assertThat(seen.add(s)).isTrue();
        }
        seen.forEach(childSas::releaseSpi);
    }

    @Test
    void aDeleteOfThePeerRemovesThePairFromEspAndTheBooks() throws Exception {
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.quickMode(ESP, null);
        IkeSa ike = childSas.ownerOf(qm.peerSpi);
        assertThat(ike).isNotNull();
        assertThat(childSas.of(ike)).extracting(ChildSa::inboundSpi).containsExactly(qm.peerSpi);

        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(new Payload.Delete(1, 3, 4, List.of(spi(qm.mySpi)))));
        assertThat(net.childSas.removed).containsExactly(qm.peerSpi);
        assertThat(childSas.ownerOf(qm.peerSpi)).isNull();
        assertThat(childSas.of(ike)).isEmpty();
        assertThat(phase2Down()).singleElement().satisfies(m -> assertThat(m)
                .contains("spi-in=" + ChildSa.hex(qm.peerSpi), "spi-out=" + ChildSa.hex(qm.mySpi), "cause=peer delete"));
    }

    @Test
    void theSpiOfAQuickModeInProgressIsFreedWhenItsIsakmpSaEnds() throws Exception {
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.new Qm(null);
        qm.message2(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, qm.message1(ESP)));
        assertThat(childSas.holds(qm.peerSpi)).as("message 2 offered it").isTrue();
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(new Payload.Delete(1, 1, 16, List.of(i.cookies()))));
        assertThat(net.responder.activeSas()).isZero();
        assertThat(childSas.holds(qm.peerSpi)).as("no message 3 will come: the SPI is free again").isFalse();
        assertThat(net.childSas.installed).isEmpty();
    }

    @Test
    void anExpiredPairIsForgottenWithoutTellingEspAgain() throws Exception {
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.quickMode(ESP, null);
        IkeSa ike = childSas.ownerOf(qm.peerSpi);
        net.during(() -> net.responder.childSaExpired(ike.tag, qm.peerSpi));
        assertThat(net.childSas.removed).as("ESP removed it itself").isEmpty();
        assertThat(childSas.ownerOf(qm.peerSpi)).isNull();
        assertThat(phase2Down()).singleElement().satisfies(m -> assertThat(m).contains("cause=expired"));
    }

    @Test
    void thePairsOfAnIsakmpSaWithoutSuccessorGoWithIt() throws Exception {
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm a = i.quickMode(ESP, null);
        TestInitiator.Qm b = i.quickMode(i.new Qm(null, 1702), ESP);
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.informational(new Payload.Delete(1, 1, 16, List.of(i.cookies()))));
        assertThat(net.childSas.removed).containsExactly(a.peerSpi, b.peerSpi);
        assertThat(childSas.ownerOf(a.peerSpi)).isNull();
        assertThat(childSas.ownerOf(b.peerSpi)).isNull();
        assertThat(phase2Down()).hasSize(2).allSatisfy(m -> assertThat(m).contains("cause=peer deleted the ISAKMP SA"));
    }

    @Test
    void thePairsMoveToTheClientsNewerIsakmpSaAndStayInEsp() throws Exception {
        TestInitiator old = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = old.quickMode(ESP, null);
        IkeSa first = childSas.ownerOf(qm.peerSpi);
        TestInitiator renewed = client(net, 500, 4500).mainMode();
        net.deliver(old.addr4500, IkeHarness.LOCAL_4500, old.informational(new Payload.Delete(1, 1, 16, List.of(old.cookies()))));
        IkeSa second = childSas.ownerOf(qm.peerSpi);
        assertThat(second).isNotNull().isNotSameAs(first);
        assertThat(second.responderCookie).isEqualTo(renewed.ckyR);
        assertThat(childSas.of(first)).isEmpty();
        assertThat(net.childSas.removed).isEmpty();
        assertThat(phase2Down()).isEmpty();
    }

    @Test
    void aReplacedPairLeavesEspAfterTheGracePeriodThroughTheSamePath() throws Exception {
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm first = i.quickMode(ESP, null);
        TestInitiator.Qm second = i.quickMode(ESP, null);
        IkeSa ike = childSas.ownerOf(first.peerSpi);
        assertThat(childSas.find(ike, first.peerSpi).replaced()).isTrue();
        assertThat(childSas.find(ike, second.peerSpi).replaced()).isFalse();
        assertThat(phase2Down()).isEmpty();
        net.scheduler.advance(ChildSas.GRACE);
        assertThat(net.childSas.removed).containsExactly(first.peerSpi);
        assertThat(childSas.of(ike)).extracting(ChildSa::inboundSpi).containsExactly(second.peerSpi);
        assertThat(phase2Down()).singleElement().satisfies(m -> assertThat(m)
                .contains("spi-in=" + ChildSa.hex(first.peerSpi), "cause=rekeyed"));
    }
}
