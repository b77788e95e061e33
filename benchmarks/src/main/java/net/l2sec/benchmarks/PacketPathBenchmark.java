package net.l2sec.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.l2tp.DataMessage;
import net.l2sec.dataplane.l2tp.L2tpMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
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
 * <p><b>Outbound</b> ({@link #outbound}): one IPv4 packet to the client's address (a pooled direct buffer,
 * retained per invocation) goes into {@code ClientRoutes.deliver} and from there through {@code PppSession.sendIp}
 * (PPP header), the L2TP session (data header), {@code EspEndpoint}'s transport (inner UDP header, SA selection)
 * and {@code SecurityAssociation.seal} (sequence number, CBC IV or GCM nonce, padding, encryption, ICV) to the
 * {@code DatagramSender}, which here hands the ESP packet to the Blackhole and releases it (the socket write is not
 * measured). Because the buffer is retained (shared), the path may not write into it: PPP copies the packet once
 * into a pooled buffer with headroom and tailroom ({@code PacketBuffers}), and every later header, the encryption
 * and the trailer happen in that buffer. That one copy is the one the TUN reader makes in the server (it reads into
 * such a buffer, which the path then writes in place), so each invocation measures exactly one copy of the packet.
 *
 * <p>Both directions check, after each iteration, that every invocation reached the far end (no packet was dropped:
 * a dropped packet would be a much cheaper path). The setup checks once that the packets arrive intact. The event
 * loop is the benchmark thread; Netty's allocators give it the per-thread caches they give event-loop threads
 * (which JMH's plain thread would otherwise not get: {@link EstablishedSession#EVENT_LOOP_ALLOCATION_CACHE}); metrics go to a {@code SimpleMeterRegistry}; logging goes nowhere (no SLF4J
 * provider on the benchmark class path), as with logs at INFO, since the packet path logs nothing per packet.
 * {@link BareCryptoBenchmark} measures the JCE work alone for comparison.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = {EstablishedSession.EVENT_LOOP_ALLOCATION_CACHE, EstablishedSession.EVENT_LOOP_MAGAZINES})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PacketPathBenchmark {
    static final int RING = 8192;

    @Param({"AES128_CBC_SHA1", "AES128_GCM16"})
    public Transform transform;

    private EstablishedSession session;
    private ByteBuf[] ring;
    private int next;
    private ByteBuf toClient;
    private long inboundCalls;
    private long outboundCalls;
    private long delivered;
    private long sent;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
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

        session.routes.deliver(toClient.retain());
        if (toClient.refCnt() != 1 || toClient.readerIndex() != 0) throw new IllegalStateException("TUN buffer changed");
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

    @Benchmark
    public void outbound() {
        outboundCalls++;
        session.routes.deliver(toClient.retain());
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
        toClient.release();
        session.close();
    }
}
