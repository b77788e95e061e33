package net.l2sec.dataplane.udp;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.ToIntFunction;

/**
 * The handler of one worker's socket on a port the workers share ({@code SO_REUSEPORT}): every peer belongs to
 * one worker, chosen from its address alone ({@link ReuseportSteering#shardOf}), which holds all of that peer's
 * state (IKE SAs, ESP SAs, L2TP tunnel, PPP sessions) on its event loop. A datagram from a peer of this worker goes
 * straight to this worker's sink; one the kernel delivered here although another worker owns the peer (no
 * steering program in the kernel, NIO, sockets re-ordered after an address change) is handed to the owner's loop
 * and counted ({@code l2sec.listen.handoffs}). The payload changes hands with its ownership.
 *
 * <p>Steering by address keeps one peer's UDP/500 and UDP/4500 flows, whose source ports differ, on one worker.
 * IKEv1 transport-mode SAs are bound to the peer's address anyway, so a peer whose address changes starts again.
 */
public final class SteeredDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    /** Where a worker takes the datagrams of its peers: its IKE responder or its UDP-encapsulation demultiplexer. */
    @FunctionalInterface
    public interface Sink {
        /** Takes ownership of {@code datagram}; on the worker's loop. */
        void receive(InetSocketAddress sender, InetSocketAddress local, ByteBuf datagram);
    }

    /** One worker: its event loop and its sink for this port. */
    public record Worker(Executor loop, Sink sink) {}

    private final int self;
    private final List<Worker> workers;
    private final ToIntFunction<InetAddress> ownerOf;
    private final InetSocketAddress local;
    private final Counter handoffs;

    /**
     * @param self    the worker whose socket this handler serves
     * @param ownerOf the worker that owns a peer's address, in [0, workers.size())
     * @param local   the address this socket is bound to (the channel's local address may be a wildcard)
     */
    public SteeredDatagramHandler(int self, List<Worker> workers, ToIntFunction<InetAddress> ownerOf,
                                  InetSocketAddress local, Counter handoffs) {
        super(false); // the sink takes ownership of the content
        this.self = self;
        this.workers = List.copyOf(workers);
        this.ownerOf = ownerOf;
        this.local = local;
        this.handoffs = handoffs;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        ByteBuf content = packet.content();
        int owner = workers.size() == 1 ? 0 : ownerOf.applyAsInt(sender.getAddress());
        if (owner == self) {
            workers.get(self).sink().receive(sender, local, content);
            return;
        }
        handoffs.increment();
        Worker w = workers.get(owner);
        try {
            w.loop().execute(() -> w.sink().receive(sender, local, content));
        } catch (RejectedExecutionException e) {
            content.release(); // the owner's loop is shutting down: lost, like any datagram then
        }
    }
}
