package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppHarness.opt;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.DiscardRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoReply;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ProtocolReject;
import net.l2sec.dataplane.ppp.cp.LayerActions;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.lcp.LcpOptions;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;

class LinkMaintenanceTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PppMeters meters = new PppMeters(registry);
    final List<ControlPacket> sent = new ArrayList<>();
    final List<String> reported = new ArrayList<>();
    final LcpOptions options = new LcpOptions(1400, List.of(AuthMethod.PAP), new SplittableRandom(3), meters::loopback);
    final NegotiationAutomaton lcp = new NegotiationAutomaton(options, new LayerActions() {
        @Override
        public void send(ControlPacket packet) {
            sent.add(packet);
        }

        @Override
        public void thisLayerUp() {}

        @Override
        public void thisLayerDown() {}

        @Override
        public void thisLayerFinished() {}
    }, scheduler, new NegotiationAutomaton.Limits(Duration.ofSeconds(3), 10, 2, 5), 1);
    final LinkMaintenance maintenance = new LinkMaintenance(lcp, options, sent::add, scheduler, Duration.ofSeconds(10), 3,
            meters, new LinkMaintenance.Actions() {
                @Override
                public void peerGone() {
                    reported.add("peer gone");
                }

                @Override
                public void protocolRejected(int protocol) {
                    reported.add("rejected " + Integer.toHexString(protocol));
                }
            });

    /** LCP to Opened, the peer announcing MRU 600 and Magic-Number 11223344. */
    void opened() {
        lcp.open();
        lcp.up();
        var ours = (ConfigureRequest) sent.getFirst();
        lcp.receive(new ConfigureAck(ours.identifier(), ours.options()));
        lcp.receive(new ConfigureRequest(1, List.of(opt(1, "0258"), opt(5, "11223344"))));
        assertThat(lcp.isOpened()).isTrue();
        sent.clear();
    }

    double loopbacks() {
        return registry.get("l2sec.ppp.lcp.loopback").counter().count();
    }

    @Test
    void nothingBeforeLcpIsOpened() {
        maintenance.receive(new EchoRequest(1, 0x11223344, new byte[0]));
        maintenance.receive(new ProtocolReject(2, 0x8021, new byte[0]));
        ByteBuf information = Unpooled.wrappedBuffer(new byte[4]);
        maintenance.protocolReject(0x8057, information);
        information.release();
        assertThat(sent).isEmpty();
        assertThat(reported).isEmpty();
    }

    @Test
    void echoRequestIsAnsweredWithOurMagicUnlessItCarriesOurs() {
        opened();
        maintenance.receive(new EchoRequest(7, 0x11223344, new byte[] {1, 2}));
        maintenance.receive(new EchoRequest(8, options.magicNumber(), new byte[0]));
        maintenance.receive(new DiscardRequest(9, 0x11223344, new byte[0]));
        assertThat(sent).singleElement().isInstanceOfSatisfying(EchoReply.class, r -> {
            assertThat(r.identifier()).isEqualTo(7);
            assertThat(r.magicNumber()).isEqualTo(options.magicNumber());
            assertThat(r.data()).containsExactly(1, 2);
        });
        assertThat(loopbacks()).isEqualTo(1);
    }

    @Test
    void keepaliveGivesUpAfterMaxUnansweredAndOurOwnMagicIsNoAnswer() {
        opened();
        maintenance.start();
        scheduler.advance(Duration.ofSeconds(10));
        var first = (EchoRequest) sent.getFirst();
        maintenance.receive(new EchoReply(first.identifier(), 0x11223344, new byte[0]));   // answered
        for (int i = 0; i < 3; i++) {
            scheduler.advance(Duration.ofSeconds(10));
            var echo = (EchoRequest) sent.getLast();
            maintenance.receive(new EchoReply(echo.identifier(), options.magicNumber(), new byte[0]));   // looped back
        }
        assertThat(sent).hasSize(4).allMatch(p -> p instanceof EchoRequest);
        assertThat(loopbacks()).isEqualTo(3);
        assertThat(reported).isEmpty();
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(reported).containsExactly("peer gone");
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void stopEndsTheKeepalive() {
        opened();
        maintenance.start();
        maintenance.stop();
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(sent).isEmpty();
    }

    @Test
    void protocolRejectIsCutToThePeersMruAndTheirsIsReported() {
        opened();
        ByteBuf information = Unpooled.wrappedBuffer(new byte[1000]);
        maintenance.protocolReject(0x8057, information);
        assertThat(sent).singleElement().isInstanceOfSatisfying(ProtocolReject.class, r -> {
            assertThat(r.rejectedProtocol()).isEqualTo(0x8057);
            assertThat(r.rejectedInformation()).hasSize(600 - 4 - 2);
        });
        assertThat(information.readableBytes()).as("not consumed").isEqualTo(1000);
        information.release();
        maintenance.receive(new ProtocolReject(3, 0x8021, new byte[0]));
        assertThat(reported).containsExactly("rejected 8021");
    }
}
