package net.l2sec.dataplane.ike;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ipsec.EspDatagramSink;
import net.l2sec.dataplane.ipsec.IkeDatagramSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * IKE work waits its turn behind established clients' packets. An event loop carries both: ESP (every established
 * client's traffic) and IKE (mostly new clients' handshakes). In a connect storm the handshakes alone can keep the
 * loop busy, and a client's ESP packet then waits in the socket behind thousands of them: an established client's
 * ping took 200-300 ms in a 1,000/s storm on one core. Here IKE messages and the continuations of handshakes whose
 * Diffie-Hellman or signature check the {@link CryptoWorkers} finished wait in a queue of their own, served once per
 * event-loop iteration, after the loop's I/O (ESP is decrypted and forwarded as it is read) and its ordinary tasks
 * (packets from the TUN device, timers), for at most one {@link Budget} per turn. An ESP packet therefore waits for
 * at most one turn, not for the storm.
 *
 * <p>Continuations go first: their handshakes already cost a Diffie-Hellman, and they are bounded by the crypto
 * workers' queue. Arrivals wait in order of arrival, at most {@code capacity}; when full, the oldest is dropped
 * ({@code backlog_full}): it has waited longest and is the likeliest to have been resent already. Its octets are
 * copied on arrival, so no socket buffer is held while it waits.
 *
 * <p>One peer's packets keep their order: an ESP packet from a peer (address and port) with a message still waiting
 * here waits behind it ({@link #behind}). A client sends its first ESP packet right after Quick Mode message 3, and
 * that message installs the SA the packet needs (RFC 2409 section 5.5); so does a rekey's.
 *
 * <p>Not thread-safe but for {@link #execute}, which the crypto workers call: everything else runs on the loop.
 */
public final class IkeBacklog implements IkeDatagramSink, Executor {
    private static final Logger LOG = LoggerFactory.getLogger(IkeBacklog.class);
    private static final String FULL = "dropped reason=" + IkeDropReason.BACKLOG_FULL.tag();

    /**
     * How an event loop gives the backlog its turns. Both methods may be called from any thread.
     */
    public interface Turns {
        /** Runs {@code turn} on the loop once its current (or next) iteration's I/O and tasks are done. */
        void afterIteration(Runnable turn);

        /** Runs {@code task} on the loop among its ordinary tasks. */
        void execute(Runnable task);

        /**
         * A Netty event loop's turns: {@link SingleThreadEventLoop#executeAfterEventLoopIteration}. Another kind of
         * loop gives a turn as an ordinary task.
         */
        static Turns of(EventLoop loop) {
            Consumer<Runnable> after = loop instanceof SingleThreadEventLoop single
                    ? single::executeAfterEventLoopIteration : loop::execute;
            return new Turns() {
                @Override
                public void afterIteration(Runnable turn) {
                    after.accept(turn);
                }

                @Override
                public void execute(Runnable task) {
                    loop.execute(task);
                }
            };
        }
    }

    /**
     * One turn's work at most: {@code messages} messages or continuations, and no new one begun after {@code nanos}
     * (at least one is always done).
     */
    public record Budget(int messages, long nanos) {
        /**
         * 16 messages or 0.5 ms. A Main Mode message 1 takes about 20 µs on the loop, message 5 or a Quick Mode
         * message about 100 µs, a continuation (keys derived, message 4 encrypted) about 100-200 µs.
         */
        public static final Budget DEFAULT = new Budget(16, 500_000);

        public Budget {
            if (messages < 1 || nanos < 1) throw new IllegalArgumentException("budget " + messages + "/" + nanos);
        }
    }

    /** Arrivals that may wait at once: about 0.5 MB of messages, well under a second of a storm's work. */
    public static final int CAPACITY = 1024;

    /** What waits: an IKE message, or an ESP packet behind its peer's IKE message; the octets copied. */
    private sealed interface Arrival {
        InetSocketAddress peer();
    }

    private record IkeMessage(InetSocketAddress peer, InetSocketAddress local, byte[] octets) implements Arrival {}

    private record EspPacket(InetSocketAddress peer, InetSocketAddress local, byte[] octets) implements Arrival {}

    private final IkeResponder responder;
    private final IkeContext ctx;
    private final Turns turns;
    private final Budget budget;
    private final int capacity;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>();
    /** Arrivals waiting, by peer: that peer's ESP waits behind them. */
    private final Map<InetSocketAddress, Integer> waitingFrom = new HashMap<>();
    private EspDatagramSink esp;
    private final Queue<Runnable> continuations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger continuing = new AtomicInteger();
    /** A turn is asked for and has not begun. */
    private final AtomicBoolean asked = new AtomicBoolean();
    private final Runnable turn = this::turn;
    private final Runnable askAfterThisIteration = () -> ask(true);

    IkeBacklog(IkeResponder responder, IkeContext ctx, Turns turns, Budget budget, int capacity, LongSupplier nanoTime) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.responder = responder;
        this.ctx = ctx;
        this.turns = turns;
        this.budget = budget;
        this.capacity = capacity;
        this.nanoTime = nanoTime;
    }

    /** An IKE message from a socket; on the loop. Takes {@code message} over (released here). */
    @Override
    public void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf message) {
        arrive(new IkeMessage(peer, local, octets(message)));
    }

    /**
     * {@code esp} with this backlog's order: a peer's ESP packet goes to it at once unless an arrival of that peer
     * waits here, then it waits behind it. On the loop; one sink per backlog.
     */
    public EspDatagramSink behind(EspDatagramSink esp) {
        this.esp = esp;
        return (peer, local, packet) -> {
            if (waitingFrom.containsKey(peer)) {
                arrive(new EspPacket(peer, local, octets(packet)));
            } else {
                esp.receive(peer, local, packet);
            }
        };
    }

    private static byte[] octets(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private void arrive(Arrival arrival) {
        if (arrivals.size() >= capacity) {
            Arrival oldest = take();
            ctx.metrics().dropped(IkeDropReason.BACKLOG_FULL);
            if (ctx.throttled().admit(LOG, Level.INFO, FULL)) {
                LOG.info("peer={} dropped reason={}: {} IKE messages already wait for the event loop (connect storm);"
                        + " the client resends", IkeSa.text(oldest.peer()), IkeDropReason.BACKLOG_FULL.tag(), capacity);
            }
        }
        arrivals.addLast(arrival);
        waitingFrom.merge(arrival.peer(), 1, Integer::sum);
        ask(false);
    }

    /** The oldest arrival, no longer counted as its peer's; null when none waits. */
    private Arrival take() {
        Arrival a = arrivals.pollFirst();
        if (a != null) waitingFrom.computeIfPresent(a.peer(), (p, n) -> n == 1 ? null : n - 1);
        return a;
    }

    /** A handshake's continuation, from a crypto worker (any thread): runs in a turn on the loop. */
    @Override
    public void execute(Runnable continuation) {
        continuations.add(continuation);
        continuing.incrementAndGet();
        ask(false);
    }

    /** Messages and continuations waiting. */
    int waiting() {
        return arrivals.size() + continuing.get();
    }

    /**
     * Asks for a turn unless one is asked for already. {@code now}: from the ordinary task that {@link #turn} left
     * to ask after the next iteration (a turn that asked for itself would run again in the same iteration).
     */
    private void ask(boolean now) {
        if (now || asked.compareAndSet(false, true)) turns.afterIteration(turn);
    }

    private void turn() {
        long start = nanoTime.getAsLong();
        work:
        for (int done = 0; done < budget.messages(); ) {
            Runnable continuation = continuations.poll();
            if (continuation != null) {
                continuing.decrementAndGet();
                try {
                    continuation.run();
                } catch (RuntimeException e) {
                    ctx.metrics().dropped(IkeDropReason.INTERNAL_ERROR);
                    LOG.warn("a handshake's continuation failed: dropped reason=internal_error", e);
                }
            } else {
                switch (take()) {
                    case null -> {
                        break work;
                    }
                    case IkeMessage m -> responder.process(m.peer(), m.local(), m.octets());
                    case EspPacket p -> esp.receive(p.peer(), p.local(), Unpooled.wrappedBuffer(p.octets()));
                }
            }
            done++;
            if (nanoTime.getAsLong() - start >= budget.nanos()) break;
        }
        if (!arrivals.isEmpty() || !continuations.isEmpty()) {
            turns.execute(askAfterThisIteration); // stays asked: the next iteration gives the next turn
            return;
        }
        asked.set(false);
        // a worker's continuation added between the poll above and now found a turn asked for: ask for it
        if (!continuations.isEmpty()) ask(false);
    }
}
