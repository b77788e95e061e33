package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shutdown waits for what matters and nothing else: the StopCCN and Delete datagrams leaving our sockets. It goes
 * on as soon as they have (no fixed pause), waits while one is still queued on a socket, and gives up at its bound.
 */
class PendingWritesTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();

    /** A socket whose send buffer is full while {@code held}: flushed datagrams stay queued in Netty. */
    private static final class FullSocket extends EmbeddedChannel {
        volatile boolean held = true;

        @Override
        protected void doWrite(ChannelOutboundBuffer in) throws Exception {
            if (!held) super.doWrite(in);
        }

        void drain() {
            held = false;
            flush();
        }
    }

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void completesAsSoonAsTheGoodbyesHaveLeft() throws Exception {
        EmbeddedChannel socket = new EmbeddedChannel();
        long start = System.nanoTime();
        CompletableFuture<Void> sent = PendingWrites.sent(loop,
                () -> socket.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})), () -> List.of(socket), Duration.ofSeconds(5));
        sent.get(1, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no fixed pause").isLessThan(Duration.ofMillis(100));
        assertThat(socket.outboundMessages()).hasSize(1);
        socket.finishAndReleaseAll();
    }

    @Test
    void waitsWhileADatagramIsStillQueued() throws Exception {
        FullSocket full = new FullSocket();
        EmbeddedChannel other = new EmbeddedChannel();
        CompletableFuture<Void> sent = PendingWrites.sent(loop, () -> {
            other.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
            full.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2, 3}));
        }, () -> List.<Channel>of(other, full), Duration.ofSeconds(5));
        assertThatThrownBy(() -> sent.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(PendingWrites.queuedDatagrams(full)).isEqualTo(1);

        loop.execute(full::drain);
        sent.get(1, TimeUnit.SECONDS);
        assertThat(full.outboundMessages()).hasSize(1);
        full.finishAndReleaseAll();
        other.finishAndReleaseAll();
    }

    @Test
    void givesUpAtItsBound() {
        FullSocket full = new FullSocket();
        CompletableFuture<Void> sent = PendingWrites.sent(loop, () -> full.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1})),
                () -> List.of(full), Duration.ofMillis(30));
        assertThatThrownBy(() -> sent.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class).hasMessageContaining("1 datagrams still queued");
        full.drain();
        full.finishAndReleaseAll();
    }

    @Test
    void aClosedSocketHoldsNothing() throws Exception {
        FullSocket full = new FullSocket();
        full.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        assertThat(PendingWrites.queuedDatagrams(full)).isEqualTo(1);
        full.close().sync();
        assertThat(PendingWrites.queuedDatagrams(full)).isZero();
        PendingWrites.flushed(loop, () -> List.of(full), Duration.ofSeconds(1)).get(1, TimeUnit.SECONDS);
    }
}
