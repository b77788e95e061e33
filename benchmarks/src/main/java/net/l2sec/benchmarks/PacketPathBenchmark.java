package net.l2sec.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.l2tp.DataMessage;
import net.l2sec.dataplane.l2tp.L2tpMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The whole server-side packet path for one established client, per direction, with 1400-octet inner IPv4
 * packets. One invocation is one packet; throughput per benchmark thread is packets per second per core.
 *
 * <p><b>Inbound</b> ({@link #inbound}): one UDP/4500 payload, as the socket hands it over (a pooled direct buffer),
 * goes into {@code UdpEncapsulationDemux.receive} and from there through {@code EspEndpoint} (SPI lookup, peer
 * check, anti-replay check, ICV, decryption, trailer and inner UDP checks, window update), {@code L2tpNetworkServer}
 * (decode, tunnel and session lookup), {@code PppSession} (frame decode, IPCP state, well-formedness and source
 * address check, counters) to the {@code IpEgress}, which here hands the packet to the JMH {@link Blackhole} and
 * releases it (the TUN write is not measured). The ESP packets (UDP 1701 -> 1701, L2TP data header with the Length
 * bit, {@code FF 03 00 21}, an IPv4 packet from the client's assigned address) are sealed before the measurement
 * by the client's own outbound SA into a ring of {@value #RING} packets with increasing sequence numbers; each
 * invocation passes the next one (retained, so the ring survives the path's release, and unmodified by it). The
 * anti-replay window would refuse the ring's second lap, so after the last packet of each lap the invocation
 * re-arms the SA the way a rekey replaces one ({@link EstablishedSession#rearm}: a second SA pair of the same IKE
 * SA comes up, the first is deleted and reinstalled with the same SPI and keys, the second goes). That is four SA
 * installs or deletes (JCE instances, key schedules) once every {@value #RING} packets, a few hundred
 * microseconds against tens of milliseconds of packets: under 1% of the measured time, and counted in it.
 *
 * <p><b>Outbound</b> ({@link #outbound}): IPv4 packets to the client's address, each in the kind of buffer the
 * server's TUN reader hands to the event loop (a pooled heap buffer of its own with {@code PacketBuffers}' headroom
 * and tailroom, which the path may write), go into {@code ClientRoutes.deliver} and from there through
 * {@code PppSession.sendIp} (PPP header), the L2TP session (data header), {@code EspEndpoint}'s transport (inner
 * UDP header, SA selection) and {@code SecurityAssociation.seal} (sequence number, CBC IV or GCM nonce, padding,
 * encryption, ICV) to the {@code DatagramSender}, which here hands the ESP packet to the Blackhole and releases it
 * (the socket write is not measured; the release, which returns the buffer to its pool, is). Every header is
 * written in front of the packet in its buffer and ESP encrypts in place, so the path itself copies nothing. One
 * invocation passes a batch of {@value #BATCH} packets ({@code @OperationsPerInvocation}, so the score is still
 * packets per second); before each invocation, untimed, the batch is refilled as the server's TUN reader fills it,
 * on a thread of its own ({@link TunReader}): a new pooled buffer per packet with the packet read into it. That is
 * TUN I/O, as the socket's receive buffer and its copy are inbound (there the ring stands for what the socket
 * delivered). So the path gets packets another core wrote, in buffers another thread's pool cache owns, as the
 * event loop does; the baseline seals the same kind of batch. An invocation takes a few hundred microseconds, so
 * the two clock reads around it weigh nothing.
 *
 * <p>Both directions check, after each iteration, that every invocation reached the far end (no packet was dropped:
 * a dropped packet would be a much cheaper path). The setup checks once that the packets arrive intact. The event
 * loop is the benchmark thread, a {@code FastThreadLocalThread} as Netty's event loops are ({@link EventLoopThreads}),
 * so the allocators' per-thread caches and the buffer object recycler work as they do in the server; metrics go
 * to a {@code SimpleMeterRegistry}; logging goes nowhere (no SLF4J
 * provider on the benchmark class path), as with logs at INFO, since the packet path logs nothing per packet.
 * {@link BareCryptoBenchmark} measures the JCE work alone for comparison.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = {EventLoopThreads.EXECUTOR, EventLoopThreads.EXECUTOR_CLASS})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PacketPathBenchmark {
    static final int RING = 8192;
    /** Outbound packets per invocation, as {@link TunReader} hands them over. */
    static final int BATCH = TunReader.BATCH;

    @Param({"AES128_CBC_SHA1", "AES128_GCM16"})
    public Transform transform;

    private EstablishedSession session;
    private ByteBuf[] ring;
    private int next;
    private ByteBuf toClient;
    private final ByteBuf[] batch = new ByteBuf[BATCH];
    private final TunReader tunReader = new TunReader();
    private long inboundCalls;
    private long outboundCalls;
    private long delivered;
    private long sent;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        EventLoopThreads.requireEventLoopThread();
        session = new EstablishedSession(transform).establish();
        int client = session.clientAddress;
        ring = new ByteBuf[RING];
        for (int i = 0; i < RING; i++) {
            ring[i] = direct(session.seal(session.dataMessage(0x0021,
                    EstablishedSession.ipPacket(client, EstablishedSession.REMOTE_HOST, i))));
        }
        toClient = PooledByteBufAllocator.DEFAULT.directBuffer(EstablishedSession.IP_PACKET_LENGTH)
                .writeBytes(EstablishedSession.ipPacket(EstablishedSession.REMOTE_HOST, client, -1));
        check(client);
        session.rearm();
        session.egress = packet -> {
            blackhole.consume(packet);
            packet.release();
            delivered++;
        };
        session.sender = (local, peer, payload) -> {
            blackhole.consume(payload);
            payload.release();
            sent++;
        };
    }

    /** One packet each way, checked octet for octet against what was sent. */
    private void check(int client) {
        ByteBuf in = ring[0].retainedDuplicate();
        session.demux.receive(EstablishedSession.CLIENT, EstablishedSession.LOCAL, in);
        List<ByteBuf> out = session.takeToNetwork();
        byte[] expected = EstablishedSession.ipPacket(client, EstablishedSession.REMOTE_HOST, 0);
        if (out.size() != 1 || !Arrays.equals(ByteBufUtil.getBytes(out.getFirst()), expected)) {
            out.forEach(ByteBuf::release);
            throw new IllegalStateException("inbound packet did not reach the egress intact");
        }
        out.forEach(ByteBuf::release);

        int length = toClient.readableBytes();
        session.routes.deliver(PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, length).writeBytes(toClient, 0, length));
        List<ByteBuf> esp = session.takeToClient();
        if (esp.size() != 1) {
            esp.forEach(ByteBuf::release);
            throw new IllegalStateException("outbound: " + esp.size() + " packets reached the sender instead of 1");
        }
        L2tpMessage m = session.open(esp.getFirst());
        if (!(m instanceof DataMessage d)) throw new IllegalStateException("outbound: not an L2TP data message");
        try {
            byte[] frame = ByteBufUtil.getBytes(d.payload());
            byte[] ip = ByteBufUtil.getBytes(toClient);
            if (frame.length != 4 + ip.length || frame[0] != (byte) 0xFF || frame[1] != 0x03 || frame[2] != 0
                    || frame[3] != 0x21 || !Arrays.equals(frame, 4, frame.length, ip, 0, ip.length)) {
                throw new IllegalStateException("outbound frame differs from the packet sent");
            }
        } finally {
            d.payload().release();
        }
    }

    private static ByteBuf direct(ByteBuf heap) {
        ByteBuf d = PooledByteBufAllocator.DEFAULT.directBuffer(heap.readableBytes()).writeBytes(heap);
        heap.release();
        return d;
    }

    @Benchmark
    public void inbound() {
        inboundCalls++;
        session.demux.receive(EstablishedSession.CLIENT, EstablishedSession.LOCAL, ring[next].retain());
        if (++next == RING) {
            next = 0;
            session.rearm();
        }
    }

    /** The TUN reader's work for the next invocation, untimed and on its own thread ({@link TunReader}). */
    @Setup(Level.Invocation)
    public void readFromTun(org.openjdk.jmh.infra.BenchmarkParams params) {
        if (!params.getBenchmark().endsWith(".outbound")) return;
        for (ByteBuf b : batch) {
            if (b != null) b.release(); // only after a failed invocation
        }
        tunReader.read(batch, toClient);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void outbound() {
        ByteBuf[] b = batch;
        for (int i = 0; i < BATCH; i++) {
            ByteBuf packet = b[i];
            b[i] = null;
            outboundCalls++;
            session.routes.deliver(packet);
        }
    }

    @TearDown(Level.Iteration)
    public void nothingDropped() {
        if (delivered != inboundCalls || sent != outboundCalls) {
            throw new IllegalStateException("packets dropped: inbound " + delivered + " of " + inboundCalls
                    + " delivered, outbound " + sent + " of " + outboundCalls + " sent");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf b : ring) b.release();
        for (ByteBuf b : batch) if (b != null) b.release();
        toClient.release();
        tunReader.close();
        session.close();
    }
}
