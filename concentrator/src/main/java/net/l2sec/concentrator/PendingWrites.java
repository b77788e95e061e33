package net.l2sec.concentrator;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Datagrams written to our sockets that Netty has not yet handed to the kernel. A datagram written on the event
 * loop normally leaves within that write; only a full socket send buffer keeps it queued until the socket is
 * writable again. Closing a socket drops what is still queued, so shutdown waits for the queues to empty before
 * it closes the sockets: at once when they are empty, else by looking again every {@link #RECHECK} on the loop
 * (no thread sleeps) until they are or the bound has passed.
 */
final class PendingWrites {
    static final Duration RECHECK = Duration.ofMillis(5);

    private PendingWrites() {}

    /**
     * Runs {@code send} on {@code loop}, then completes once what it wrote has been handed to the kernel (see
     * {@link #flushed}); both within {@code bound}.
     */
    static CompletableFuture<Void> sent(EventLoop loop, Runnable send, Supplier<List<Channel>> sockets, Duration bound) {
        long start = System.nanoTime();
        return CompletableFuture.runAsync(send, loop)
                .thenCompose(ran -> flushed(loop, sockets, bound.minusNanos(System.nanoTime() - start)));
    }

    /**
     * Completes once none of {@code sockets} (asked on {@code loop}) holds a datagram not yet handed to the kernel;
     * completes exceptionally with a {@link TimeoutException} if some still do after {@code bound}.
     */
    static CompletableFuture<Void> flushed(EventLoop loop, Supplier<List<Channel>> sockets, Duration bound) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            loop.execute(() -> check(loop, sockets, deadline, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    private static void check(EventLoop loop, Supplier<List<Channel>> sockets, long deadline, CompletableFuture<Void> done) {
        if (done.isDone()) return;
        int queued = sockets.get().stream().mapToInt(PendingWrites::queuedDatagrams).sum();
        if (queued == 0) {
            done.complete(null);
        } else if (System.nanoTime() - deadline >= 0) {
            done.completeExceptionally(new TimeoutException(queued + " datagrams still queued on our sockets"));
        } else {
            try {
                loop.schedule(() -> check(loop, sockets, deadline, done), RECHECK.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                done.completeExceptionally(e);
            }
        }
    }

    /** Datagrams written and flushed to {@code socket} that have not reached the kernel (0 for a closed socket). */
    static int queuedDatagrams(Channel socket) {
        ChannelOutboundBuffer queue = socket.unsafe().outboundBuffer();
        return queue == null ? 0 : queue.size();
    }
}
