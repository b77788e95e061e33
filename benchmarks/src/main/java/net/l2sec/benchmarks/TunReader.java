package net.l2sec.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.l2sec.dataplane.PacketBuffers;

/**
 * What the server's TUN reader hands to the event loop, made outside the measurement: on a thread of its own, a
 * {@code FastThreadLocalThread} as {@code TunDevice}'s reader is, each packet read into a pooled buffer of its own
 * ({@link PacketBuffers#allocate}, the packet at {@link PacketBuffers#HEADROOM}). So the packets reach the measured
 * thread as they reach the event loop: written by another core, and in buffers another thread's pool cache owns.
 * Both the packet path and its baseline take their outbound packets from here, so both start from the same memory
 * state and only what they do with it differs.
 */
final class TunReader implements AutoCloseable {
    /**
     * Packets per batch: as many as a thread's pool cache keeps of this size class (Netty's default
     * {@code smallCacheSize}), so the buffers freed by the path are those the reader takes again for the next
     * batch, the steady state of a reader that allocates as fast as the event loop frees.
     */
    static final int BATCH = 256;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("tun-reader", true));

    /** Fills {@code batch} with new buffers, each holding {@code packet}'s readable bytes; blocks until done. */
    void read(ByteBuf[] batch, ByteBuf packet) {
        int length = packet.readableBytes();
        try {
            thread.submit(() -> {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, length)
                            .writeBytes(packet, packet.readerIndex(), length);
                }
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
