package net.l2sec.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.esp.SecurityAssociation;
import net.l2sec.loadgen.ike.IkeInitiator;
import net.l2sec.loadgen.ip.DhcpInformClient;
import net.l2sec.loadgen.ip.IcmpEcho;
import net.l2sec.loadgen.ip.TcpSyn;
import net.l2sec.loadgen.l2tp.LacTunnel;
import net.l2sec.loadgen.ppp.PppClient;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated L2TP/IPsec client on a UDP socket of its own: IKE ({@link IkeInitiator}) on it, then ESP over
 * UDP/4500 (RFC 3948) carrying L2TP ({@link LacTunnel}) carrying PPP ({@link PppClient}), then pings. It wires the
 * layers together and keeps the time; every layer runs on the socket's event loop.
 */
final class Client implements IkeInitiator.Wire, IkeInitiator.Events, LacTunnel.Events, PppClient.Events {
    private static final Logger LOG = LoggerFactory.getLogger(Client.class);
    /** UDP header of the ESP payload (RFC 768) and the L2TP port on both ends, as Windows uses it. */
    private static final int UDP_HEADER = 8;
    private static final int L2TP_PORT = 1701;
    /** The NAT-keepalive datagram (RFC 3948 section 2.3). */
    private static final byte NAT_KEEPALIVE = (byte) 0xff;
    private static final Duration STREAM_TICK = Duration.ofMillis(10);
    /** --dhcp-inform and --tcp-syn: how long before the request is sent again. */
    private static final Duration RETRY = Duration.ofSeconds(2);
    /** --tcp-syn: the SYN's source port is this plus the client number. */
    private static final int SYN_PORT_BASE = 40000;

    private final int number;
    private final Run run;
    private final InetAddress source;
    private final SplittableRandom random;
    private DatagramChannel channel;
    private Scheduler scheduler;
    private InetSocketAddress local;
    private InetSocketAddress server;
    private InetSocketAddress serverNatT;
    private IkeInitiator ike;
    private SecurityAssociation espIn;
    private SecurityAssociation espOut;
    private LacTunnel l2tp;
    private PppClient ppp;
    private Stage stage = Stage.IKE;
    private long started;
    private boolean up;
    private boolean done;
    private boolean pingAnswered;
    private Inet4Address address;
    private Inet4Address target;
    private int sequence;
    private double streamCredit;
    private Scheduler.Timeout setupTimer;
    private final int dhcpXid;
    private boolean dhcpAnswered;
    private boolean synAnswered;
    /** Everything periodic or pending once the client is up; cancelled when it ends. */
    private final List<Scheduler.Timeout> timers = new ArrayList<>();

    Client(int number, Run run, InetAddress source, long seed) {
        this.number = number;
        this.run = run;
        this.source = source;
        this.random = new SplittableRandom(seed);
        this.dhcpXid = random.nextInt();
    }

    /** Binds the socket (any thread) and starts IKE on its event loop. */
    void start(EventLoopGroup group) {
        Options o = run.options();
        server = new InetSocketAddress(o.server(), o.ikePort());
        serverNatT = new InetSocketAddress(o.server(), o.nattPort());
        ChannelFuture bound = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new Receiver()).bind(new InetSocketAddress(source, 0));
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                done = true;
                run.stats().failure(Stage.IKE, "bind_failed");
                run.finished(this, false);
                return;
            }
            channel = (DatagramChannel) bound.channel();
            local = channel.localAddress();
            scheduler = run.scheduler(channel.eventLoop());
            started = System.nanoTime();
            ike = new IkeInitiator(run.ikeSettings(), local, innerAddress(), server, scheduler, this, this, random);
            setupTimer = scheduler.schedule(o.setupTimeout(), () -> failed(stage, "setup_timeout"));
            ike.start();
        });
    }

    /**
     * The address this client believes it has: with a pretended NAT a private one of its own, 10.128.0.0/9 plus its
     * number (as a host behind a home router has); else the socket's.
     */
    private InetAddress innerAddress() {
        if (!run.options().pretendNat()) return local.getAddress();
        int a = 0x0a80_0000 + number;
        return Options.fromInt(a);
    }

    private void stage(Stage next) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("client={} local={} {} -> {} after {} ms", number, local, stage.tag(), next.tag(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        stage = next;
    }

    // ---- the socket ----

    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf content = p.content();
            run.stats().received(content.readableBytes());
            if (done) return;
            int port = p.sender().getPort();
            if (port == server.getPort()) {
                ike.receive(ByteBufUtil.getBytes(content));
            } else if (port == serverNatT.getPort()) {
                natT(content);
            }
        }
    }

    /** A datagram from UDP/4500 (RFC 3948 section 2.2): keepalive, non-ESP marker and IKE, or ESP. */
    private void natT(ByteBuf content) {
        int n = content.readableBytes();
        if (n == 1 && content.getByte(content.readerIndex()) == NAT_KEEPALIVE) return;
        if (n < 8) return;
        int spi = content.getInt(content.readerIndex());
        if (spi == 0) {
            ike.receive(ByteBufUtil.getBytes(content, content.readerIndex() + 4, n - 4));
            return;
        }
        if (espIn == null || spi != espIn.spi()) return;
        ByteBuf segment = espIn.open(content);
        if (segment == null) return;
        if (segment.readableBytes() < UDP_HEADER || l2tp == null) {
            segment.release();
            return;
        }
        segment.skipBytes(UDP_HEADER);
        l2tp.receive(segment);
    }

    @Override
    public void sendIke(byte[] message, boolean natT) {
        ByteBuf b = channel.alloc().buffer(message.length + 4);
        if (natT) b.writeInt(0);   // the non-ESP marker
        b.writeBytes(message);
        send(b, natT ? serverNatT : server);
    }

    private void send(ByteBuf datagram, InetSocketAddress to) {
        run.stats().sent(datagram.readableBytes());
        channel.writeAndFlush(new DatagramPacket(datagram, to), channel.voidPromise());
    }

    /** An L2TP datagram into the ESP SA: inner UDP 1701 to 1701, checksum 0 (transport mode over NAT, RFC 3948 3.1.2). */
    private void sendL2tp(ByteBuf l2tpDatagram) {
        if (espOut == null) {
            l2tpDatagram.release();
            return;
        }
        int length = l2tpDatagram.readableBytes() + UDP_HEADER;
        ByteBuf segment = PacketBuffers.prepend(l2tpDatagram, UDP_HEADER, 64);
        int at = segment.readerIndex();
        segment.setShort(at, L2TP_PORT).setShort(at + 2, L2TP_PORT).setShort(at + 4, length).setShort(at + 6, 0);
        ByteBuf esp = espOut.seal(segment, SecurityAssociation.NEXT_HEADER_UDP);
        if (esp != null) send(esp, serverNatT);
    }

    // ---- IKE ----

    @Override
    public void phase1Up() {
        if (run.options().setup() == Options.Setup.FULL) {
            stage(Stage.QUICK_MODE);
            return;
        }
        // --setup ike or dh: up here, and no further
        stage(Stage.SESSION);
        up();
    }

    @Override
    public void phase2Up(SecurityAssociation inbound, SecurityAssociation outbound) {
        espIn = inbound;
        espOut = outbound;
        stage(Stage.L2TP);
        Options o = run.options();
        if (!o.keepaliveInterval().isZero()) {
            every(o.keepaliveInterval(), () -> {
                ByteBuf k = channel.alloc().buffer(1).writeByte(NAT_KEEPALIVE);
                send(k, serverNatT);
            });
        }
        l2tp = new LacTunnel(scheduler, channel.alloc(), this::sendL2tp, this, random);
        l2tp.start();
    }

    // ---- L2TP ----

    @Override
    public void callUp() {
        stage(Stage.PPP_LCP);
        Options o = run.options();
        AuthMethod method = o.auth() == Options.Auth.PAP ? AuthMethod.PAP : AuthMethod.MSCHAPV2;
        ppp = new PppClient(scheduler, channel.alloc(), l2tp::sendPpp, this, method, o.user(number), o.password(number),
                o.mru(), random);
        ppp.start();
    }

    @Override
    public void pppFrame(ByteBuf frame) {
        if (ppp == null) frame.release();
        else ppp.receive(frame);
    }

    // ---- PPP ----

    @Override
    public void lcpUp() {
        stage(Stage.PPP_AUTH);
    }

    @Override
    public void authenticated() {
        stage(Stage.IPCP);
    }

    @Override
    public void networkUp(Inet4Address localAddress, Inet4Address peer, List<Inet4Address> dns) {
        if (done) return;
        stage(Stage.SESSION);
        address = localAddress;
        up();
        Options o = run.options();
        target = o.pingTarget().orElse(peer);
        if (o.pingEnabled() && target != null) every(o.pingInterval(), () -> ping(IcmpEcho.MIN_SIZE + 28));
        if (o.streamPps() > 0 && target != null) {
            every(STREAM_TICK, () -> {
                streamCredit += o.streamPps() * STREAM_TICK.toNanos() / 1e9;
                for (; streamCredit >= 1; streamCredit--) ping(o.streamSize());
            });
        }
        if (!o.lcpEchoInterval().isZero()) every(o.lcpEchoInterval(), ppp::sendEcho);
        // as Windows does right after IPCP; sent again (as a client retransmits) until the answer comes, at most 3 times
        if (o.dhcpInform()) retried(() -> dhcpAnswered, () -> sendIp(DhcpInformClient.inform(channel.alloc(), address, dhcpXid, number)));
        o.tcpSyn().ifPresent(to -> retried(() -> synAnswered, () -> sendIp(TcpSyn.syn(channel.alloc(), address,
                SYN_PORT_BASE + (number & 0x3fff), (Inet4Address) to.getAddress(), to.getPort(), random.nextInt()))));
    }

    /** {@code send} now and after {@link #RETRY} twice more, until {@code answered}. */
    private void retried(java.util.function.BooleanSupplier answered, Runnable send) {
        send.run();
        for (int i = 1; i <= 2; i++) {
            timers.add(scheduler.schedule(RETRY.multipliedBy(i), () -> {
                if (!done && !answered.getAsBoolean()) send.run();
            }));
        }
    }

    /** An inner packet to the tunnel, captured first for --pcap. */
    private void sendIp(ByteBuf packet) {
        run.capture(packet);
        ppp.sendIp(packet);
    }

    /** The client came up: its setup time is recorded, and it hangs up after {@code --hold}. */
    private void up() {
        up = true;
        setupTimer.cancel();
        run.stats().setup.record((System.nanoTime() - started) / 1000);
        run.stats().connected.increment();
        run.stats().established.increment();
        run.up(this);
        Duration hold = run.options().hold();
        if (!hold.isZero()) timers.add(scheduler.schedule(hold, this::hangUp));
    }

    private void ping(int size) {
        if (done) return;
        sequence = (sequence + 1) & 0xffff;
        run.stats().pingsSent.increment();
        sendIp(IcmpEcho.request(channel.alloc(), address, target, number & 0xffff, sequence, size, System.nanoTime()));
    }

    @Override
    public void ipPacket(ByteBuf packet) {
        try {
            run.capture(packet);
            Options o = run.options();
            if (o.dhcpInform()) {
                var ack = DhcpInformClient.ack(packet);
                if (ack.isPresent()) {
                    if (ack.get().xid() == dhcpXid && !dhcpAnswered) {
                        dhcpAnswered = true;
                        run.stats().dhcpAcks.increment();
                        run.stats().dhcpRoutes = ack.get().routes().isEmpty() ? "-" : ack.get().routes();
                        run.stats().dhcpDomain = ack.get().domain().orElse("-");
                    }
                    return;
                }
            }
            if (o.tcpSyn().isPresent()) {
                var mss = TcpSyn.synAckMss(packet, o.tcpSyn().get().getPort());
                if (mss.isPresent()) {
                    if (!synAnswered) {
                        synAnswered = true;
                        run.stats().synAcks.increment();
                        run.stats().synAckMss = mss.getAsInt();
                    }
                    return;
                }
            }
            IcmpEcho.Reply r = IcmpEcho.reply(packet);
            if (r == null || r.identifier() != (number & 0xffff)) return;
            run.stats().pingsReceived.increment();
            run.stats().rtt.record((System.nanoTime() - r.sentNanos()) / 1000);
            if (!pingAnswered) {
                pingAnswered = true;
                run.stats().pingedClients.increment();
            }
        } finally {
            packet.release();
        }
    }

    // ---- the end ----

    @Override
    public void failed(Stage where, String reason) {
        if (done) return;
        LOG.debug("client={} local={} failed stage={} reason={}", number, local, stage.tag(), reason);
        // a layer that was up (IKE, the tunnel) reports SESSION; the client knows how far it got
        run.stats().failure(where == Stage.SESSION && !up ? stage : where, reason);
        end(false);
    }

    /** Hangs up as a client does: LCP Terminate-Request, CDN and StopCCN, IKE Deletes. Any thread. */
    void hangUp() {
        if (channel == null) return;
        channel.eventLoop().execute(() -> {
            if (done) return;
            if (up) run.stats().hungUp.increment();
            end(true);
        });
    }

    private void end(boolean polite) {
        done = true;
        if (setupTimer != null) setupTimer.cancel();
        timers.forEach(Scheduler.Timeout::cancel);
        if (polite) {
            if (ppp != null) ppp.close();
            if (l2tp != null) l2tp.close();
        }
        if (ike != null) ike.close(polite);
        if (espIn != null) espIn.wipe();
        if (espOut != null) espOut.wipe();
        if (up) run.stats().established.decrement();
        boolean wasUp = up;
        up = false;
        // the goodbyes are queued on the socket: close it once they are out
        scheduler.schedule(Duration.ofMillis(200), () -> channel.close());
        run.finished(this, wasUp);
    }

    /** Runs {@code task} every {@code period} until the client ends. */
    private void every(Duration period, Runnable task) {
        Periodic p = new Periodic(period, task);
        timers.add(p);
        p.arm();
    }

    private final class Periodic implements Scheduler.Timeout, Runnable {
        private final Duration period;
        private final Runnable task;
        private Scheduler.Timeout next;

        Periodic(Duration period, Runnable task) {
            this.period = period;
            this.task = task;
        }

        void arm() {
            next = scheduler.schedule(period, this);
        }

        @Override
        public void run() {
            if (done) return;
            task.run();
            if (!done) arm();
        }

        @Override
        public void cancel() {
            if (next != null) next.cancel();
        }
    }

    int number() {
        return number;
    }
}
