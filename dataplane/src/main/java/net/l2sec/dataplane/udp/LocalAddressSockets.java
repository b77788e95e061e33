package net.l2sec.dataplane.udp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP port served on every local address of the host: a socket bound to each address, so that every datagram
 * arrives tagged with the address the peer sent it to and every reply leaves from that same address (a client
 * and its NAT drop replies from any other). This is the classic IKE daemon's answer to a multi-homed host
 * without {@code IP_PKTINFO}: the socket an answer goes out of fixes its source address.
 *
 * <p>With a wildcard listen address, a catch-all socket on the wildcard sits beside the per-address ones
 * ({@code SO_REUSEADDR} on all; Linux hands a datagram to the socket bound to its exact destination before the
 * wildcard one). It receives only datagrams to an address that has no socket yet (one added to the host moments
 * ago): they are counted ({@code l2sec.listen.unbound.datagrams}) and dropped, because the address they were sent
 * to is unknown, and {@code unbound} is told so that the addresses are read again at once; the peer's
 * retransmission then reaches the new socket. {@link #update} follows the host's addresses (see
 * {@link LocalAddressMonitor}). With a specific listen address there is just that one socket.
 *
 * <p>A datagram the kernel refuses to send (no route to a forged source address, a firewall's reject, a full
 * queue) is lost like any other, and the protocols above retransmit; so is one whose handling failed. Either reaches
 * the last handler of every socket's pipeline ({@link Errors}), which counts it ({@code l2sec.listen.errors}) and
 * writes at most one line per {@link #ERROR_LOG_INTERVAL_NANOS}: a flood of datagrams from unroutable forged sources
 * would otherwise write a stack trace per datagram.
 *
 * <p>With several worker event loops each worker has a set of its own for the port ({@link Sharing}): every one of
 * its sockets is bound with {@code SO_REUSEPORT} beside the other workers' sockets for the same address, in
 * worker order, so that the kernel spreads datagrams among them (see {@link ReuseportSteering}); only the first
 * worker's set has the catch-all and checks that the port is free.
 *
 * <p>Everything but {@link #open} runs on the event loop the sockets are registered with.
 */
public final class LocalAddressSockets implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalAddressSockets.class);
    private static final int BUFFER_SIZE = 4 << 20;
    /** At most one line about failed sends and handler errors per socket set in this time (10 s). */
    static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final EventLoop loop;
    private final Transport transport;
    private final InetSocketAddress listen;
    private final boolean wildcard;
    private final Counter unboundDatagrams;
    private final Errors errors;
    /** Bound or binding, by local address; only ever touched on {@link #loop}. */
    private final Map<InetAddress, Channel> byAddress = new HashMap<>();
    /** Addresses whose bind failed (logged once; retried at every update until it works or they go). */
    private final Set<InetAddress> failed = new HashSet<>();
    private final Sharing sharing;
    private Function<InetSocketAddress, ChannelHandler> handlers;
    private Runnable unbound = () -> { };
    private Channel catchAll;
    private volatile int served;

    /**
     * @param name   what the port is for, in logs and as the {@code socket} label ({@code ike}, {@code natt}, {@code l2tp})
     * @param listen the configured listen address: a wildcard ({@code 0.0.0.0}: every IPv4 address; {@code ::}:
     *               every address) or one address
     */
    public LocalAddressSockets(String name, EventLoop loop, InetSocketAddress listen, MeterRegistry registry) {
        this(name, loop, Transport.NIO, listen, registry);
    }

    /**
     * @param transport the transport of {@code loop} (its sockets must be of the same kind)
     * @see #LocalAddressSockets(String, EventLoop, InetSocketAddress, MeterRegistry)
     */
    public LocalAddressSockets(String name, EventLoop loop, Transport transport, InetSocketAddress listen,
                               MeterRegistry registry) {
        this(name, loop, transport, listen, registry, Sharing.ALONE);
    }

    /**
     * How a socket set shares its port with other workers' sets: {@code ALONE} (one worker), {@code FIRST} (the first of
     * several: it checks the port, holds the catch-all and is told of each socket it binds, to attach the steering
     * program), or {@code MORE} (the others). With several, every socket is bound with {@code SO_REUSEPORT}.
     *
     * @param onBound told of each socket of this set once it is bound (on the event loop)
     */
    public record Sharing(boolean first, boolean reusePort, Consumer<Channel> onBound) {
        public static final Sharing ALONE = new Sharing(true, false, c -> { });

        /** The set of worker {@code index} of {@code workers}. */
        public static Sharing worker(int index, int workers, Consumer<Channel> onBound) {
            return workers <= 1 ? ALONE : new Sharing(index == 0, true, index == 0 ? onBound : c -> { });
        }
    }

    /** @param sharing whether and how other workers' sets share the port */
    public LocalAddressSockets(String name, EventLoop loop, Transport transport, InetSocketAddress listen,
                               MeterRegistry registry, Sharing sharing) {
        this.sharing = sharing;
        this.name = name;
        this.loop = loop;
        this.transport = transport;
        this.listen = listen;
        this.wildcard = listen.getAddress().isAnyLocalAddress();
        this.unboundDatagrams = Counter.builder("l2sec.listen.unbound.datagrams").tag("socket", name)
                .description("Datagrams to a local address that had no socket of its own yet (dropped; the address is bound at once)")
                .register(registry);
        if (sharing.first()) { // the other workers' sets serve the same addresses
            Gauge.builder("l2sec.listen.addresses", this, s -> s.served).tag("socket", name)
                    .description("Local addresses with a socket of their own on this port").register(registry);
        }
        this.errors = new Errors(
                Counter.builder("l2sec.listen.errors").tag("socket", name).tag("kind", "io")
                        .description("Datagrams the kernel refused to send or receive on this port (kind io), and "
                                + "datagrams whose handling failed (kind handler); each is lost").register(registry),
                Counter.builder("l2sec.listen.errors").tag("socket", name).tag("kind", "handler")
                        .description("Datagrams the kernel refused to send or receive on this port (kind io), and "
                                + "datagrams whose handling failed (kind handler); each is lost").register(registry));
    }

    /** The configured listen address (its port is this socket set's port). */
    public InetSocketAddress listen() {
        return listen;
    }

    /** Whether {@code address} is one this set serves: of the listen address's family, or any with {@code ::}. */
    public boolean accepts(InetAddress address) {
        if (!wildcard) return address.equals(listen.getAddress());
        return !(listen.getAddress() instanceof Inet4Address) || address instanceof Inet4Address;
    }

    /**
     * Binds the first socket: the one listen address, or the catch-all of a wildcard listen address (after
     * checking that no other process holds the port: with {@code SO_REUSEADDR} a second instance would otherwise
     * share it silently). Call once, from outside the event loop.
     *
     * @param handlers the handler of the socket bound to a given local address; it learns that address here
     * @param unbound  told (on the event loop) when a datagram reached an address without a socket of its own
     * @throws IOException when the port is taken or the address cannot be bound
     */
    public void open(Function<InetSocketAddress, ChannelHandler> handlers, Runnable unbound) throws IOException, InterruptedException {
        this.handlers = handlers;
        this.unbound = unbound;
        if (!wildcard) {
            if (sharing.first()) probe(listen);
            Channel c = bootstrap(listen.getAddress(), handlers.apply(listen)).bind(listen).sync().channel();
            sharing.onBound().accept(c);
            loop.submit(() -> {
                byAddress.put(listen.getAddress(), c);
                served = 1;
            }).sync();
            return;
        }
        if (!sharing.first()) return;
        probe(listen);
        catchAll = bootstrap(listen.getAddress(), new CatchAll()).bind(listen).sync().channel();
    }

    /** Fails as a plain bind would when another socket without SO_REUSEADDR rights holds the port. */
    private static void probe(InetSocketAddress listen) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open(listen.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6)) {
            probe.bind(listen);
        }
    }

    /**
     * Follows the host's addresses: binds a socket to each new one this set {@link #accepts}, closes the sockets of
     * addresses that are gone. Binding is asynchronous: a socket is used for replies from the moment its bind
     * succeeds (before it reads its first datagram). Call on the event loop; ignored with a specific listen address.
     *
     * @return the binds started (the workers that share the port wait for each other's, to join in worker order)
     */
    public List<ChannelFuture> update(Set<InetAddress> hostAddresses) {
        List<ChannelFuture> binds = new ArrayList<>();
        if (!wildcard || handlers == null) return binds;
        List<InetAddress> added = new ArrayList<>();
        List<InetAddress> removed = new ArrayList<>();
        for (InetAddress a : hostAddresses) {
            if (!accepts(a) || byAddress.containsKey(a)) continue;
            boolean retry = failed.contains(a);
            InetSocketAddress local = new InetSocketAddress(a, listen.getPort());
            ChannelFuture bind = bootstrap(a, handlers.apply(local)).bind(local);
            binds.add(bind);
            byAddress.put(a, bind.channel());
            if (!retry) added.add(a);
            bind.addListener(f -> {
                if (f.isSuccess()) {
                    sharing.onBound().accept(bind.channel());
                    if (failed.remove(a)) log.info("{} socket on {} bound now", name, text(local));
                    return;
                }
                byAddress.remove(a, bind.channel());
                served = byAddress.size();
                if (failed.add(a)) {
                    log.warn("{} socket on {} not bound: {}; datagrams to it are dropped, retried at every reading of "
                            + "the host's addresses", name, text(local), f.cause().toString());
                }
            });
        }
        for (InetAddress a : List.copyOf(byAddress.keySet())) {
            if (!hostAddresses.contains(a)) {
                byAddress.remove(a).close();
                removed.add(a);
            }
        }
        failed.retainAll(hostAddresses);
        served = byAddress.size();
        if (!added.isEmpty() || !removed.isEmpty()) {
            if (sharing.first()) {
                log.info("{} port {} on local addresses {}{}{}", name, listen.getPort(), texts(byAddress.keySet()),
                        added.isEmpty() ? "" : " added " + texts(added), removed.isEmpty() ? "" : " removed " + texts(removed));
            }
        }
        return binds;
    }

    /**
     * The socket to send from so that a datagram leaves from {@code local}: the one bound to it, else (the address
     * went away) the catch-all, whose source address the kernel chooses. Call on the event loop.
     */
    public Channel channelFor(InetAddress local) {
        Channel c = byAddress.get(local);
        return c != null ? c : catchAll != null ? catchAll : byAddress.get(listen.getAddress());
    }

    /** The addresses with a socket of their own (bound or binding). Call on the event loop. */
    public Set<InetAddress> addresses() {
        return Set.copyOf(byAddress.keySet());
    }

    /** Closes every socket of the set and waits (briefly) for them to close. Call from outside the event loop. */
    @Override
    public void close() {
        List<Channel> all = new ArrayList<>();
        try {
            loop.submit(() -> {
                all.addAll(byAddress.values());
                byAddress.clear();
                served = 0;
            }).await(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (catchAll != null) all.add(catchAll);
        for (Channel c : all) c.close().awaitUninterruptibly(2_000);
    }

    private Bootstrap bootstrap(InetAddress family, ChannelHandler handler) {
        SocketProtocolFamily f = family instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        Bootstrap b = new Bootstrap().group(loop).channelFactory(() -> transport.datagramChannel(f))
                .option(ChannelOption.SO_REUSEADDR, true);
        if (sharing.reusePort()) b.option(transport.reusePort(), true);
        return b
                .option(ChannelOption.SO_RCVBUF, BUFFER_SIZE).option(ChannelOption.SO_SNDBUF, BUFFER_SIZE)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler, errors);
                    }
                });
    }

    /**
     * The last handler of every socket: what fails on the way (a send the kernel refused, which Netty reports here
     * for writes without a promise of their own; a handler's exception) is counted, and logged once per interval
     * with how many more there were. Shared by the set's sockets, which are all on its event loop.
     */
    @ChannelHandler.Sharable
    private final class Errors extends ChannelInboundHandlerAdapter {
        private final Counter io;
        private final Counter handler;
        private long lastLog;
        private long since;

        Errors(Counter io, Counter handler) {
            this.io = io;
            this.handler = handler;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            boolean ioError = cause instanceof IOException;
            (ioError ? io : handler).increment();
            long now = System.nanoTime();
            if (lastLog != 0 && now - lastLog < ERROR_LOG_INTERVAL_NANOS) {
                since++;
                return;
            }
            String more = since == 0 ? "" : " (" + since + " more since the last line)";
            lastLog = now;
            since = 0;
            if (ioError) {
                log.warn("{} socket {}: datagram lost: {}{}", name, ctx.channel().localAddress(), cause.toString(), more);
            } else {
                log.error("{} socket {}: datagram handling failed{}", name, ctx.channel().localAddress(), more, cause);
            }
        }
    }

    /** The wildcard socket's handler: the datagram's destination is unknown here, so it is dropped and counted. */
    private final class CatchAll extends SimpleChannelInboundHandler<DatagramPacket> {
        private long lastLog;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            unboundDatagrams.increment();
            long now = System.nanoTime();
            if (lastLog == 0 || now - lastLog > 10_000_000_000L) {
                lastLog = now;
                log.info("{} datagram from {} to a local address without a socket yet: dropped, reading the host's "
                        + "addresses again (the sender's retransmission gets through)", name, text(packet.sender()));
            }
            unbound.run();
        }
    }

    static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static String texts(Iterable<InetAddress> addresses) {
        Set<String> s = new TreeSet<>();
        for (InetAddress a : addresses) s.add(a.getHostAddress());
        return s.toString();
    }
}
