package net.l2sec.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.dataplane.esp.EspEndpoint;
import net.l2sec.dataplane.esp.SecurityAssociation;
import net.l2sec.dataplane.esp.SecurityAssociation.Direction;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;
import net.l2sec.dataplane.l2tp.Avp;
import net.l2sec.dataplane.l2tp.AvpType;
import net.l2sec.dataplane.l2tp.ControlMessage;
import net.l2sec.dataplane.l2tp.DataMessage;
import net.l2sec.dataplane.l2tp.L2tpCodec;
import net.l2sec.dataplane.l2tp.L2tpDecodeException;
import net.l2sec.dataplane.l2tp.L2tpMessage;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.l2tp.MessageType;
import net.l2sec.dataplane.ppp.PppSession;
import net.l2sec.dataplane.ppp.PppSessionFactory;
import net.l2sec.dataplane.ppp.PppSettings;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppFrame;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;

/**
 * The server side of the packet path, wired as the concentrator wires it (UDP/4500 demux, ESP endpoint, LNS, PPP
 * sessions, client routes), with one client brought up to the network phase the way a real one gets there: an SA
 * pair installed as Quick Mode would, SCCRQ/SCCRP/SCCCN, ICRQ/ICRP/ICCN, LCP, PAP, IPCP, every message sealed by
 * the client's own SAs and answered through the server's. The benchmark thread is the event loop
 * ({@link BenchmarkLoop}). Where IP packets leave (the TUN side) and where ESP packets leave (the UDP/4500 socket)
 * are set by the benchmark with {@link #egress} and {@link #sender}.
 */
final class EstablishedSession {
    static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 4500);
    static final InetSocketAddress LOCAL = new InetSocketAddress("192.0.2.1", 4500);
    static final String IKE_SA = "ike=bench";
    static final int INBOUND_SPI = 0x4000_0001;
    static final int OUTBOUND_SPI = 0x5000_0001;
    /** A second pair of the same IKE SA, installed only while {@link #rearm} swaps the first one. */
    static final int REARM_SPI = 0x4000_0002;
    static final int IP_PACKET_LENGTH = 1400;
    /** A host on the network side the client talks to. */
    static final int REMOTE_HOST = (10 << 24) | 53;

    private final Transform transform;
    private final byte[] inboundKeymat;
    private final byte[] outboundKeymat;
    final BenchmarkLoop loop = new BenchmarkLoop();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ClientRoutes routes = new ClientRoutes(registry);
    final L2tpNetworkServer lns;
    final EspEndpoint esp;
    final UdpEncapsulationDemux demux;
    /** The client's SAs: it seals with our inbound keys and opens with our outbound ones. */
    final SecurityAssociation clientOut;
    final SecurityAssociation clientIn;
    /** Where the server's IP packets and ESP packets go; during setup, to the scripted client. */
    IpEgress egress;
    DatagramSender sender;

    private final ArrayDeque<ByteBuf> toClient = new ArrayDeque<>();
    private final List<ByteBuf> toNetwork = new ArrayList<>();
    private PppSession session;
    private int ns;
    private int nr;
    private int serverTunnel;
    private int serverSession;
    private int pppIdentifier = 1;
    int clientAddress;

    EstablishedSession(Transform transform) {
        this.transform = transform;
        Random random = new Random(transform.ordinal());
        inboundKeymat = new byte[transform.keymatLength()];
        outboundKeymat = new byte[transform.keymatLength()];
        random.nextBytes(inboundKeymat);
        random.nextBytes(outboundKeymat);
        egress = toNetwork::add;
        sender = (local, peer, payload) -> toClient.add(payload);

        Ipv4Pool pool = new Ipv4Pool("default", ip("10.99.0.10"), ip("10.99.0.250"));
        PppSettings ppp = new PppSettings(List.of(AuthMethod.PAP), 1400, ip("10.99.0.1"), List.of(ip("10.0.0.53")),
                List.of(), "default", Duration.ZERO, 3, Duration.ofSeconds(3), 10, 2, 5, Duration.ofSeconds(30));
        PppSessionFactory factory = new PppSessionFactory(ppp, request -> CompletableFuture.completedFuture(
                request.credentials() instanceof PapCredentials c && new String(c.password(), StandardCharsets.UTF_8).equals("bench")
                        ? new AuthResult.Accept("bench", Optional.empty(), Authorization.defaults("bench"))
                        : new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "not the benchmark user")),
                name -> name.equals(pool.name()) ? Optional.of(pool) : Optional.empty(), routes,
                packet -> egress.write(packet), loop, registry);
        lns = new L2tpNetworkServer(L2tpSettings.defaults(), (context, link) -> session = factory.openSession(context, link),
                loop, registry);
        esp = new EspEndpoint(lns, (local, peer, payload) -> sender.send(local, peer, payload), loop, registry,
                EspEndpoint.DEFAULT_REPLAY_WINDOW);
        demux = new UdpEncapsulationDemux((peer, local, message) -> message.release(), esp, registry);
        clientOut = new SecurityAssociation(Direction.OUTBOUND, INBOUND_SPI, transform.cipher, transform.keyBits,
                transform.integrity, inboundKeymat.clone(), 0, 0, PooledByteBufAllocator.DEFAULT);
        clientIn = new SecurityAssociation(Direction.INBOUND, OUTBOUND_SPI, transform.cipher, transform.keyBits,
                transform.integrity, outboundKeymat.clone(), 0, EspEndpoint.DEFAULT_REPLAY_WINDOW,
                PooledByteBufAllocator.DEFAULT);
        esp.install(spec(INBOUND_SPI));
    }

    private ChildSaSpec spec(int inboundSpi) {
        return new ChildSaSpec(IKE_SA, CLIENT, LOCAL, inboundSpi, OUTBOUND_SPI, transform.cipher, transform.keyBits,
                transform.integrity, inboundKeymat.clone(), outboundKeymat.clone(), Duration.ofHours(1), 0, 1701);
    }

    /**
     * Gives the SA with {@link #INBOUND_SPI} a fresh anti-replay window by replacing it as a rekey would: a second
     * pair of the same IKE SA comes up (so the peer keeps its L2TP tunnel), the first is deleted and reinstalled
     * with the same SPI and keys, then the second is deleted. Packets sealed by {@link #clientOut} earlier are
     * accepted again from sequence number 1.
     */
    void rearm() {
        esp.install(spec(REARM_SPI));
        esp.remove(INBOUND_SPI, "benchmark rearm");
        esp.install(spec(INBOUND_SPI));
        esp.remove(REARM_SPI, "benchmark rearm");
    }

    /** Tunnel, call, LCP, PAP and IPCP; on return the session forwards IPv4 both ways. */
    EstablishedSession establish() {
        control(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100),
                Avp.ofString(AvpType.HOST_NAME, "bench-client"), Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 42), Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, 8)));
        serverTunnel = expect(MessageType.SCCRP).find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        control(MessageType.SCCCN, serverTunnel, 0, List.of());
        control(MessageType.ICRQ, serverTunnel, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 7),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1), Avp.ofInt(AvpType.BEARER_TYPE, 0)));
        serverSession = expect(MessageType.ICRP).find(AvpType.ASSIGNED_SESSION_ID).shortValue();
        control(MessageType.ICCN, serverTunnel, serverSession, List.of(Avp.ofInt(AvpType.FRAMING_TYPE, 1),
                Avp.ofInt(AvpType.TX_CONNECT_SPEED, 100_000_000)));
        if (session == null) throw new IllegalStateException("ICCN did not start PPP");

        ppp(0xC021, new ControlPacket.ConfigureRequest(pppIdentifier++, List.of(
                ConfigOption.ofInt(1, 1400, 2), ConfigOption.ofInt(5, 0x11223344L, 4))));
        answerPpp();
        ppp(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(1, "bench".getBytes(StandardCharsets.US_ASCII),
                "bench".getBytes(StandardCharsets.US_ASCII))));
        answerPpp();
        ppp(0x8021, new ControlPacket.ConfigureRequest(pppIdentifier++, List.of(ConfigOption.ofInt(3, 0, 4))));
        answerPpp();
        answerPpp();
        if (!session.isIpcpOpened()) throw new IllegalStateException("IPCP did not open: " + session.phase());
        clientAddress = Ipv4.toInt(session.clientAddress().orElseThrow());
        toNetwork.forEach(ByteBuf::release);
        toNetwork.clear();
        toClient.forEach(ByteBuf::release); // the last acknowledgements
        toClient.clear();
        return this;
    }

    // --- the client's side --------------------------------------------------------------------------------------

    /** One L2TP datagram from the client: UDP 1701 -> 1701, sealed, into the UDP/4500 demux on the event loop. */
    private void fromClient(ByteBuf l2tp) {
        ByteBuf packet = seal(l2tp);
        loop.execute(() -> demux.receive(CLIENT, LOCAL, packet));
    }

    /** UDP header around {@code l2tp} (released), sealed by the client's outbound SA. */
    ByteBuf seal(ByteBuf l2tp) {
        ByteBuf segment = PooledByteBufAllocator.DEFAULT.heapBuffer(8 + l2tp.readableBytes());
        segment.writeShort(1701).writeShort(1701).writeShort(8 + l2tp.readableBytes()).writeShort(0).writeBytes(l2tp);
        l2tp.release();
        ByteBuf packet = clientOut.seal(segment, SecurityAssociation.NEXT_HEADER_UDP);
        if (packet == null) throw new IllegalStateException("client cannot seal: " + clientOut.lastDrop());
        return packet;
    }

    private void control(MessageType type, int tunnel, int sessionId, List<Avp> avps) {
        ControlMessage m = ControlMessage.of(type, tunnel, sessionId, avps).withSequence(ns, nr);
        ns = (ns + 1) & 0xffff;
        fromClient(L2tpCodec.encode(ByteBufAllocator.DEFAULT, m));
    }

    private ControlMessage expect(MessageType type) {
        for (ByteBuf packet; (packet = toClient.poll()) != null; ) {
            if (open(packet) instanceof ControlMessage c && !c.isZlb() && c.type() == type) return c;
        }
        throw new IllegalStateException("the LNS sent no " + type);
    }

    /** L2TP data message carrying one PPP frame ({@code FF 03}, protocol, information). */
    ByteBuf dataMessage(int protocol, byte[] information) {
        ByteBuf b = ByteBufAllocator.DEFAULT.heapBuffer();
        b.writeShort(0x4002).writeShort(8 + 4 + information.length).writeShort(serverTunnel).writeShort(serverSession);
        PppFrameCodec.writeHeader(b, protocol);
        return b.writeBytes(information);
    }

    private void ppp(int protocol, ControlPacket packet) {
        ppp(protocol, ControlPacketCodec.encode(packet));
    }

    private void ppp(int protocol, byte[] information) {
        fromClient(dataMessage(protocol, information));
    }

    /**
     * Answers what the server sent, as pppd would: every Configure-Request is acked as is, a Nak of our IPCP request
     * is taken (that is how the address arrives); anything else (acks, PAP's answer) needs no answer.
     */
    private void answerPpp() {
        List<PppFrame> frames = new ArrayList<>();
        List<ByteBuf> buffers = new ArrayList<>();
        for (ByteBuf packet; (packet = toClient.poll()) != null; ) {
            if (open(packet) instanceof DataMessage d) {
                buffers.add(d.payload());
                try {
                    frames.add(PppFrameCodec.decode(d.payload()));
                } catch (MalformedPacketException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        try {
            for (PppFrame f : frames) {
                int protocol = f.protocol();
                if (protocol == 0xC023) {
                    if (!(PapCodec.decode(f.information()) instanceof PapPacket.AuthenticateAck)) {
                        throw new IllegalStateException("PAP refused");
                    }
                    continue;
                }
                if (protocol != 0xC021 && protocol != 0x8021) continue;
                switch (ControlPacketCodec.decode(f.information(), protocol == 0xC021)) {
                    case ControlPacket.ConfigureRequest r -> ppp(protocol, new ControlPacket.ConfigureAck(r.identifier(), r.options()));
                    case ControlPacket.ConfigureNak n -> ppp(protocol, new ControlPacket.ConfigureRequest(pppIdentifier++, n.options()));
                    default -> { }
                }
            }
        } catch (MalformedPacketException e) {
            throw new IllegalStateException(e);
        } finally {
            buffers.forEach(ByteBuf::release);
        }
    }

    /**
     * Opens one of the server's ESP packets (released) and decodes the L2TP datagram in it; a data message's payload
     * is a retained slice the caller releases.
     */
    L2tpMessage open(ByteBuf packet) {
        ByteBuf segment = clientIn.open(packet);
        packet.release();
        if (segment == null) throw new IllegalStateException("client cannot open: " + clientIn.lastDrop());
        try {
            L2tpMessage m = L2tpCodec.decode(segment.skipBytes(8));
            if (m instanceof ControlMessage c && !c.isZlb() && c.ns() == nr) nr = (nr + 1) & 0xffff;
            return m;
        } catch (L2tpDecodeException e) {
            throw new IllegalStateException(e);
        } finally {
            segment.release();
        }
    }

    // --- packets ------------------------------------------------------------------------------------------------

    /** A well-formed IPv4/UDP packet of {@link #IP_PACKET_LENGTH} octets; payload octets from {@code seed}. */
    static byte[] ipPacket(int source, int destination, long seed) {
        byte[] p = new byte[IP_PACKET_LENGTH];
        new Random(seed).nextBytes(p);
        ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(p).writerIndex(0);
        b.writeByte(0x45).writeByte(0).writeShort(IP_PACKET_LENGTH).writeShort((int) seed).writeShort(0x4000)
                .writeByte(64).writeByte(17).writeShort(0).writeInt(source).writeInt(destination);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += b.getUnsignedShort(i);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        b.setShort(10, ~sum);
        b.writeShort(40000).writeShort(5001).writeShort(IP_PACKET_LENGTH - 20).writeShort(0);
        return p;
    }

    /** Draws what the server sent to the client so far, for checks; the caller releases the buffers. */
    List<ByteBuf> takeToClient() {
        List<ByteBuf> all = new ArrayList<>(toClient);
        toClient.clear();
        return all;
    }

    List<ByteBuf> takeToNetwork() {
        List<ByteBuf> all = new ArrayList<>(toNetwork);
        toNetwork.clear();
        return all;
    }

    void close() {
        lns.close();
        toClient.forEach(ByteBuf::release);
        toClient.clear();
        toNetwork.forEach(ByteBuf::release);
        toNetwork.clear();
        clientIn.wipe();
        clientOut.wipe();
    }

    private static Inet4Address ip(String dotted) {
        return Ipv4.fromInt(java.util.Arrays.stream(dotted.split("\\.")).mapToInt(Integer::parseInt)
                .reduce(0, (a, o) -> (a << 8) | o));
    }
}
