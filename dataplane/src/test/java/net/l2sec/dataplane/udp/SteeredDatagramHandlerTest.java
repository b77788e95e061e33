package net.l2sec.dataplane.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class SteeredDatagramHandlerTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("192.0.2.1", 4500);
    private static final InetSocketAddress MINE = new InetSocketAddress("198.51.100.10", 40000);
    private static final InetSocketAddress THEIRS = new InetSocketAddress("198.51.100.11", 40001);

    private final Counter handoffs = new SimpleMeterRegistry().counter("handoffs");
    private final List<ByteBuf> atZero = new ArrayList<>();
    private final List<ByteBuf> atOne = new ArrayList<>();
    private final List<Runnable> queuedOnOne = new ArrayList<>();

    private EmbeddedChannel channel(Executor loopOfOne) {
        List<SteeredDatagramHandler.Worker> workers = List.of(
                new SteeredDatagramHandler.Worker(Runnable::run, (sender, local, d) -> atZero.add(d)),
                new SteeredDatagramHandler.Worker(loopOfOne, (sender, local, d) -> {
                    assertThat(local).isEqualTo(LOCAL);
                    assertThat(sender).isEqualTo(THEIRS);
                    atOne.add(d);
                }));
        return new EmbeddedChannel(new SteeredDatagramHandler(0, workers,
                (InetAddress a) -> a.equals(MINE.getAddress()) ? 0 : 1, LOCAL, handoffs));
    }

    private static DatagramPacket from(InetSocketAddress sender) {
        return new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4}), LOCAL, sender);
    }

    @Test
    void aDatagramFromThisWorkersPeerStaysHere() {
        EmbeddedChannel ch = channel(queuedOnOne::add);
        ch.writeInbound(from(MINE));
        assertThat(atZero).hasSize(1);
        assertThat(queuedOnOne).isEmpty();
        assertThat(handoffs.count()).isZero();
        atZero.forEach(ByteBuf::release);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aDatagramFromAnotherWorkersPeerIsHandedToThatWorkersLoopWithItsPayload() {
        EmbeddedChannel ch = channel(queuedOnOne::add);
        ch.writeInbound(from(THEIRS));
        assertThat(atZero).isEmpty();
        assertThat(atOne).isEmpty();          // not yet: it runs on the owner's loop
        assertThat(queuedOnOne).hasSize(1);
        queuedOnOne.getFirst().run();
        assertThat(atOne).hasSize(1);
        assertThat(atOne.getFirst().refCnt()).isEqualTo(1);
        assertThat(handoffs.count()).isEqualTo(1);
        atOne.forEach(ByteBuf::release);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aHandOffToALoopThatIsShuttingDownReleasesThePayload() {
        EmbeddedChannel ch = channel(task -> {
            throw new RejectedExecutionException("shutting down");
        });
        DatagramPacket p = from(THEIRS);
        ByteBuf payload = p.content();
        ch.writeInbound(p);
        assertThat(payload.refCnt()).isZero();
        assertThat(atOne).isEmpty();
        assertThat(ch.finish()).isFalse();
    }
}
