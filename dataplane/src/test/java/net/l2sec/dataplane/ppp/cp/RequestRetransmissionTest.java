package net.l2sec.dataplane.ppp.cp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureNak;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.dataplane.ppp.lcp.LcpOptions;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;

/**
 * RFC 1661 section 5.1: a Configure-Request sent again because the Restart timer expired keeps its Identifier while
 * its options are the same and no valid reply came, so an Ack to the earlier copy that arrives late (a slow peer, a
 * connection storm) opens the layer instead of being discarded; a request after a reply, or with other options,
 * takes a new Identifier.
 */
class RequestRetransmissionTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final List<ControlPacket> sent = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final LcpOptions options = new LcpOptions(1400, List.of(AuthMethod.PAP), new SplittableRandom(7), () -> { });
    final NegotiationAutomaton lcp = new NegotiationAutomaton(options, new LayerActions() {
        @Override
        public void send(ControlPacket packet) {
            sent.add(packet);
        }

        @Override
        public void thisLayerUp() {
            events.add("up");
        }

        @Override
        public void thisLayerDown() {}

        @Override
        public void thisLayerFinished() {
            events.add("finished");
        }
    }, scheduler, new NegotiationAutomaton.Limits(Duration.ofSeconds(3), 10, 2, 5), 1);

    private List<ConfigureRequest> requests() {
        return sent.stream().filter(ConfigureRequest.class::isInstance).map(ConfigureRequest.class::cast).toList();
    }

    @Test
    void aRetransmissionKeepsTheIdentifierSoALateAckStillCounts() {
        lcp.open();
        lcp.up();
        ConfigureRequest first = requests().getFirst();
        scheduler.advance(Duration.ofSeconds(3));
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(requests()).hasSize(3).allSatisfy(r -> {
            assertThat(r.identifier()).isEqualTo(first.identifier());
            assertThat(r.options()).isEqualTo(first.options());
        });
        // the peer acks the first copy only now; with a new Identifier per copy this Ack would be discarded
        lcp.receive(new ConfigureAck(first.identifier(), first.options()));
        assertThat(lcp.state()).isEqualTo(AutomatonState.ACK_RCVD);
        lcp.receive(new ConfigureRequest(9, List.of()));
        assertThat(lcp.isOpened()).isTrue();
        assertThat(events).containsExactly("up");
    }

    @Test
    void aRequestAfterAValidReplyOrWithOtherOptionsTakesANewIdentifier() {
        lcp.open();
        lcp.up();
        ConfigureRequest first = requests().getFirst();
        // a Nak of the magic number: the next request carries another one (section 6.4), so a new Identifier
        byte[] magic = first.options().stream().filter(o -> o.type() == 5).findFirst().orElseThrow().data();
        lcp.receive(new ConfigureNak(first.identifier(), List.of(new ConfigOption(5, magic))));
        ConfigureRequest second = requests().getLast();
        assertThat(second.identifier()).isNotEqualTo(first.identifier());
        assertThat(second.options()).isNotEqualTo(first.options());
        // an Ack of the first copy is now stale: discarded (section 5.2)
        lcp.receive(new ConfigureAck(first.identifier(), first.options()));
        assertThat(lcp.state()).isEqualTo(AutomatonState.REQ_SENT);
        // Ack-Received, then the timer: the request after a valid reply is a new one
        lcp.receive(new ConfigureAck(second.identifier(), second.options()));
        assertThat(lcp.state()).isEqualTo(AutomatonState.ACK_RCVD);
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(requests().getLast().identifier()).isNotEqualTo(second.identifier());
        assertThat(lcp.state()).isEqualTo(AutomatonState.REQ_SENT);
    }
}
