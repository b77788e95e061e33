package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.api.Test;

class ControlChannelTest {
    final ManualScheduler scheduler = new ManualScheduler();

    static L2tpSettings settings(int window, int retries) {
        return new L2tpSettings("t", window, Duration.ofSeconds(1), Duration.ofSeconds(2), retries,
                Duration.ofSeconds(60), Optional.empty(), 1, 1);
    }

    /** {@link #settings} with our own caps on the send window and the send queue. */
    static L2tpSettings settings(int window, int retries, int maxSendWindow, int maxSendQueue) {
        return new L2tpSettings("t", window, Duration.ofSeconds(1), Duration.ofSeconds(2), retries,
                Duration.ofSeconds(60), Optional.empty(), 1, 1, 1, Duration.ofSeconds(30), maxSendWindow, maxSendQueue);
    }

    /** One end of a link; what it transmits goes through {@code link} to the other end. */
    final class End implements ControlChannel.Peer {
        ControlChannel channel;
        End other;
        final List<Integer> delivered = new ArrayList<>();
        final List<ControlMessage> transmitted = new ArrayList<>();
        ControlMessage gaveUp;
        Link link = m -> other.channel.receive(m);
        int retransmits;
        int queueFull;

        @Override
        public void transmit(ControlMessage message) {
            transmitted.add(message);
            link.carry(message);
        }

        @Override
        public void deliver(ControlMessage message) {
            delivered.add((int) message.find(AvpType.CALL_SERIAL_NUMBER).intValue());
        }

        @Override
        public void retransmitLimit(ControlMessage oldest) {
            gaveUp = oldest;
        }

        @Override
        public void retransmitted() {
            retransmits++;
        }

        @Override
        public void sendQueueFull() {
            queueFull++;
        }
    }

    interface Link {
        void carry(ControlMessage m);
    }

    End[] pair(L2tpSettings settings) {
        End a = new End();
        End b = new End();
        a.other = b;
        b.other = a;
        a.channel = new ControlChannel(scheduler, settings, 1, a);
        b.channel = new ControlChannel(scheduler, settings, 2, b);
        return new End[] {a, b};
    }

    static ControlMessage numbered(int i) {
        return ControlMessage.of(MessageType.HELLO, 1, 0, List.of(Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, i)));
    }

    @Test
    void lossyReorderingDuplicatingLinkDeliversEverythingOnceInOrder() {
        Random random = new Random(42);
        End[] ends = pair(settings(4, 30));
        for (End e : ends) {
            e.link = m -> {
                if (random.nextInt(100) < 25) return; // lost
                int copies = random.nextInt(100) < 15 ? 2 : 1; // duplicated
                for (int c = 0; c < copies; c++) {
                    scheduler.schedule(Duration.ofMillis(random.nextInt(400)), () -> e.other.channel.receive(m));
                }
            };
        }
        for (int i = 0; i < 60; i++) {
            ends[0].channel.send(numbered(i));
            ends[1].channel.send(numbered(1000 + i));
        }
        for (int s = 0; s < 2000 && !(ends[0].channel.idle() && ends[1].channel.idle()); s++) {
            scheduler.advance(Duration.ofMillis(100));
        }
        List<Integer> expectA = new ArrayList<>();
        List<Integer> expectB = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            expectB.add(i);
            expectA.add(1000 + i);
        }
        assertThat(ends[1].delivered).isEqualTo(expectB);
        assertThat(ends[0].delivered).isEqualTo(expectA);
        assertThat(ends[0].gaveUp).isNull();
        assertThat(ends[0].retransmits + ends[1].retransmits).isPositive();
        scheduler.advance(Duration.ofSeconds(5));
        for (End e : ends) e.channel.stop();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void sendWindowLimitsOutstandingMessages() {
        End[] ends = pair(settings(8, 5));
        ends[0].link = m -> { }; // black hole
        for (int i = 0; i < 10; i++) ends[0].channel.send(numbered(i));
        assertThat(ends[0].transmitted).hasSize(4); // default window when the peer sent no Receive Window Size
        ends[0].channel.peerReceiveWindow(6);
        assertThat(ends[0].transmitted).hasSize(6);
    }

    @Test
    void sequenceNumbersWrapAround() {
        End[] ends = pair(settings(16, 5, 16, 64));
        ends[0].channel.peerReceiveWindow(16);
        int n = 70_000;
        for (int i = 0; i < n; i++) {
            ends[0].channel.send(numbered(i));
            if (i % 16 == 15) scheduler.advance(Duration.ofMillis(200));
        }
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(ends[1].delivered).hasSize(n);
        assertThat(ends[1].delivered.get(n - 1)).isEqualTo(n - 1);
        assertThat(ends[0].channel.ns()).isEqualTo(n & 0xffff);
        assertThat(ends[0].channel.idle()).isTrue();
        assertThat(ends[0].retransmits).isZero();
    }

    /** RFC 2661 section 5.8 lets us keep fewer outstanding than the peer's window: a huge one costs us nothing. */
    @Test
    void thePeersWindowIsClampedSoARetransmissionRoundStaysSmall() {
        End[] ends = pair(settings(16, 5, 8, 64));
        ends[0].link = m -> { }; // black hole
        ends[0].channel.peerReceiveWindow(65_535);
        assertThat(ends[0].channel.sendWindow()).isEqualTo(8);
        for (int i = 0; i < 40; i++) ends[0].channel.send(numbered(i));
        assertThat(ends[0].transmitted).hasSize(8);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(ends[0].retransmits).as("one round resends what is in flight, no more").isEqualTo(8);
        assertThat(ends[0].transmitted).hasSize(16);
        ends[0].channel.peerReceiveWindow(0);
        assertThat(ends[0].channel.sendWindow()).isEqualTo(1);
        ends[0].channel.stop();
    }

    @Test
    void theSendQueueIsBoundedAndItsOverflowReportedOnce() {
        End[] ends = pair(settings(16, 5, 4, 10));
        ends[0].link = m -> { }; // a peer that acknowledges nothing
        for (int i = 0; i < 4 + 10; i++) ends[0].channel.send(numbered(i));
        assertThat(ends[0].queueFull).isZero();
        ends[0].channel.send(numbered(99));
        ends[0].channel.send(numbered(100));
        assertThat(ends[0].queueFull).isEqualTo(1);
        assertThat(ends[0].transmitted).hasSize(4);
        // what is queued still goes out once the peer acknowledges; what overflowed never does
        ends[0].link = m -> ends[1].channel.receive(m);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(ends[1].delivered).hasSize(14).doesNotContain(99, 100);
        ends[0].channel.stop();
        ends[1].channel.stop();
    }

    @Test
    void aFinalMessageGoesOutOnceOutsideTheWindowAndStopsTheChannel() {
        End[] ends = pair(settings(16, 5, 1, 10));
        ends[0].link = m -> { };
        ends[0].channel.send(numbered(1));
        ends[0].channel.send(numbered(2));
        ends[0].channel.sendFinal(numbered(3));
        assertThat(ends[0].transmitted).extracting(ControlMessage::ns).containsExactly(0, 1);
        assertThat(ends[0].transmitted.getLast().find(AvpType.CALL_SERIAL_NUMBER).intValue()).isEqualTo(3);
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(ends[0].transmitted).hasSize(2);
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void duplicatesAreAcknowledgedAtOnceAndDropped() {
        End[] ends = pair(settings(4, 5));
        ends[0].link = m -> { };
        ends[0].channel.send(numbered(1));
        ControlMessage sent = ends[0].transmitted.getFirst();
        assertThat(ends[1].channel.receive(sent)).isEqualTo(ControlChannel.Receipt.DELIVERED);
        ends[1].link = m -> { };
        assertThat(ends[1].channel.receive(sent)).isEqualTo(ControlChannel.Receipt.DUPLICATE);
        assertThat(ends[1].delivered).containsExactly(1);
        assertThat(ends[1].transmitted).hasSize(1);
        assertThat(ends[1].transmitted.getFirst().isZlb()).isTrue();
        assertThat(ends[1].transmitted.getFirst().nr()).isEqualTo(1);
    }

    @Test
    void outOfOrderMessagesAreBufferedAndMessagesBeyondTheWindowDropped() {
        End[] ends = pair(settings(2, 5));
        ends[1].link = m -> { };
        assertThat(ends[1].channel.receive(numbered(2).withSequence(1, 0))).isEqualTo(ControlChannel.Receipt.BUFFERED);
        assertThat(ends[1].channel.receive(numbered(3).withSequence(2, 0))).isEqualTo(ControlChannel.Receipt.OUT_OF_WINDOW);
        assertThat(ends[1].channel.receive(numbered(1).withSequence(0, 0))).isEqualTo(ControlChannel.Receipt.DELIVERED);
        assertThat(ends[1].delivered).containsExactly(1, 2);
        scheduler.advance(Duration.ofMillis(200));
        assertThat(ends[1].transmitted).singleElement().satisfies(z -> {
            assertThat(z.isZlb()).isTrue();
            assertThat(z.nr()).isEqualTo(2);
        });
    }

    @Test
    void piggybackedAckSuppressesTheZlb() {
        End[] ends = pair(settings(4, 5));
        ends[1].link = m -> { };
        ends[1].channel.receive(numbered(1).withSequence(0, 0));
        ends[1].channel.send(numbered(9));
        scheduler.advance(Duration.ofMillis(500));
        assertThat(ends[1].transmitted).hasSize(1);
        assertThat(ends[1].transmitted.getFirst().nr()).isEqualTo(1);
    }

    @Test
    void retransmitLimitGivesUpAndCancelsTimers() {
        End[] ends = pair(settings(4, 3));
        ends[0].link = m -> { };
        ends[0].channel.send(numbered(7));
        scheduler.advance(Duration.ofSeconds(1 + 2 + 2 + 2));
        assertThat(ends[0].transmitted).hasSize(4);
        assertThat(ends[0].retransmits).isEqualTo(3);
        assertThat(ends[0].gaveUp.find(AvpType.CALL_SERIAL_NUMBER).intValue()).isEqualTo(7);
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void sixteenBitDistance() {
        assertThat(ControlChannel.distance(0xffff, 0)).isEqualTo(1);
        assertThat(ControlChannel.distance(0, 0xffff)).isEqualTo(-1);
        assertThat(ControlChannel.distance(10, 10)).isZero();
        assertThat(ControlChannel.distance(0xfff0, 0x10)).isEqualTo(0x20);
    }
}
