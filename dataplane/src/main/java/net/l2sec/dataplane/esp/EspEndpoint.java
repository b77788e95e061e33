package net.l2sec.dataplane.esp;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.esp.SecurityAssociation.Direction;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.ipsec.EspDatagramSink;
import net.l2sec.dataplane.ipsec.TunnelEnd;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.l2tp.L2tpTransport;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transport-mode ESP in UDP (RFC 4303, RFC 3948) between the UDP/4500 socket and the LNS: the SA database IKE
 * fills ({@link ChildSaTable}) and the sink for ESP packets ({@link EspDatagramSink}). Runs on one event loop.
 *
 * <p>Inbound: SPI lookup, source address check (the SA's peer IP; the port may change), anti-replay, ICV,
 * decryption, trailer, then the inner UDP header, which must be addressed to port 1701. The L2TP datagram goes to
 * L2TP with the peer's {@link L2tpTransport}: one object per peer (per NAT mapping, so several clients behind one
 * NAT address are independent) that survives rekeys and sends through the peer's newest outbound SA. L2TP accepts
 * datagrams for a tunnel only through the transport that created it, so L2TP from a peer is accepted only through
 * that peer's SAs.
 *
 * <p>NAT rebinding: when an authenticated packet arrives from the SA's peer IP on a new port, the peer's port is
 * updated and replies go there (RFC 3948 section 5.2 leaves this to the implementation; only authenticated
 * packets move it, so a spoofed packet cannot redirect traffic). Our packets to a peer leave from the local address
 * and port its SA was negotiated on, or the one its latest authenticated packet arrived on. L2TP keeps seeing the address the peer had when
 * its first SA was installed, so its tunnels stay bound.
 *
 * <p>When a peer's last SA is deleted, its L2TP tunnels are closed first (the StopCCN still goes out encrypted).
 *
 * <p>Tunnel mode (RFC 4303 section 3.1.2), for the SAs an IKEv2 SA installs ({@link #installTunnel}): the ESP
 * payload is a whole IP packet, Next Header 4 (IPv4) or 41 (IPv6). Inbound, after the same checks as transport mode,
 * the inner header must be of the version the Next Header names and fit the payload (anything behind the IP length,
 * TFC padding of RFC 4303 section 2.7, is cut off); the packet goes to the pair's {@link TunnelEnd}. A dummy packet
 * (Next Header 59, RFC 4303 section 2.6) is discarded and counted, nothing else. Outbound, the IKE SA's
 * {@link TunnelSender} seals the packet with its newest pair. The pairs of one IKE SA share one {@code Tunnel}: its
 * peer's address, which NAT rebinding and MOBIKE ({@link #movePeer}) move. Tunnel SAs never reach L2TP, and
 * transport SAs never a {@link TunnelEnd}.
 */
public final class EspEndpoint implements ChildSaTable, EspDatagramSink {
    private static final Logger log = LoggerFactory.getLogger(EspEndpoint.class);
    public static final int L2TP_PORT = 1701;
    /** Anti-replay window unless configured otherwise (RFC 4303 section 3.4.3: at least 32, 64 recommended). */
    public static final int DEFAULT_REPLAY_WINDOW = ReplayWindow.DEFAULT_SIZE;
    static final int UDP_HEADER_LENGTH = 8;
    /** Soft time lifetime, as a fraction of the hard one: from then on a rekey is due. */
    static final double SOFT_LIFETIME = 0.9;
    private static final long DROP_LOG_INTERVAL = Duration.ofSeconds(1).toNanos();
    private static final int DROP_LOGS_PER_INTERVAL = 10;

    /** What ESP needs from L2TP; {@link #of(L2tpNetworkServer)} adapts the LNS. */
    public interface UpperLayer {
        /** One L2TP datagram from {@code peer} through {@code transport}; ownership passes. */
        void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport);

        /** The transport is going away: end the tunnels created through it. */
        void closeTunnels(L2tpTransport transport, String cause);

        static UpperLayer of(L2tpNetworkServer server) {
            return new UpperLayer() {
                @Override
                public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
                    server.receive(peer, datagram, transport);
                }

                @Override
                public void closeTunnels(L2tpTransport transport, String cause) {
                    server.closeTunnels(transport, cause);
                }
            };
        }
    }

    /**
     * Told when an SA needs attention from IKE; optional (the wiring connects it to IKE, which ESP does not know).
     * Called on the event loop.
     */
    public interface SaEvents {
        /** Soft lifetime (time or bytes) reached or sequence numbers exhausted: IKE should rekey. Once per pair. */
        void rekeyNeeded(String ikeSaTag, int inboundSpi, String why);

        /** The pair reached its hard lifetime and is deleted: IKE may send a Delete for it. */
        void expired(String ikeSaTag, int inboundSpi);
    }

    private static final SaEvents NO_EVENTS = new SaEvents() {
        @Override
        public void rekeyNeeded(String ikeSaTag, int inboundSpi, String why) {
        }

        @Override
        public void expired(String ikeSaTag, int inboundSpi) {
        }
    };

    private final UpperLayer l2tp;
    private final DatagramSender sender;
    private final Scheduler scheduler;
    private final int replayWindow;
    private final EspMetrics metrics;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    /** Primitive keys: the per-packet SPI lookup boxes nothing. */
    private final IntObjectMap<ChildSa> byInboundSpi = new IntObjectHashMap<>();
    /** The same pairs by the tag of the IKE SA that keyed them: its Delete and a new pair's peer are found without a scan. */
    private final Map<String, List<ChildSa>> byIkeSa = new HashMap<>();
    /** Peers by their current outer address and port. */
    private final Map<InetSocketAddress, Peer> peers = new HashMap<>();
    /** Tunnel-mode peers by the tag of their IKE SA; present while the IKE SA has a tunnel pair installed. */
    private final Map<String, Tunnel> tunnels = new HashMap<>();
    private SaEvents events = NO_EVENTS;
    private long dropLogWindow;
    private int dropLogs;

    public EspEndpoint(UpperLayer l2tp, DatagramSender sender, Scheduler scheduler, MeterRegistry registry,
                       int replayWindow) {
        new ReplayWindow(replayWindow); // validates the size now rather than at the first install
        this.l2tp = l2tp;
        this.sender = sender;
        this.scheduler = scheduler;
        this.replayWindow = replayWindow;
        this.metrics = new EspMetrics(registry, byInboundSpi::size);
    }

    public EspEndpoint(L2tpNetworkServer l2tp, DatagramSender sender, Scheduler scheduler, MeterRegistry registry,
                       int replayWindow) {
        this(UpperLayer.of(l2tp), sender, scheduler, registry, replayWindow);
    }

    /** Where rekey and expiry notices go (by default nowhere: they are still logged and counted). */
    public void saEvents(SaEvents events) {
        this.events = events;
    }

    /** A pair of SAs from one Quick Mode (transport) or one CREATE_CHILD_SA / IKE_AUTH (tunnel). */
    private static final class ChildSa {
        final String ikeSaTag;
        final SecurityAssociation in;
        final SecurityAssociation out;
        final Remote peer;
        /** Tunnel mode: where the inner packets go; null for a transport-mode pair. */
        final TunnelEnd end;
        final List<Scheduler.Timeout> timers = new ArrayList<>(2);
        long lastInbound;
        boolean inboundSeen;
        boolean rekeyReported;

        ChildSa(String ikeSaTag, SecurityAssociation in, SecurityAssociation out, Remote peer, TunnelEnd end) {
            this.ikeSaTag = ikeSaTag;
            this.in = in;
            this.out = out;
            this.peer = peer;
            this.end = end;
        }

        String spis() {
            return "spi-in=" + hex(in.spi()) + " spi-out=" + hex(out.spi());
        }
    }

    /** Where a group of pairs reaches its peer: its outer address now, our address it uses, the pairs, newest last. */
    private abstract static class Remote {
        InetSocketAddress current;
        InetSocketAddress local;
        final List<ChildSa> sas = new ArrayList<>(2);
    }

    /** One remote IPsec peer (one NAT mapping): its SAs, newest last, and the transport L2TP uses to reach it. */
    private final class Peer extends Remote implements L2tpTransport {
        /** The address L2TP knows the peer by: its outer address when its first SA was installed. */
        final InetSocketAddress l2tpAddress;
        int peerL2tpPort;

        Peer(InetSocketAddress address) {
            this.l2tpAddress = address;
            this.current = address;
        }

        /** L2TP's datagram to this peer: UDP 1701 -> peerL2tpPort inside the newest outbound SA. */
        @Override
        public void send(InetSocketAddress ignored, ByteBuf datagram) {
            ChildSa sa = sas.isEmpty() ? null : sas.getLast();
            if (sa == null) {
                datagram.release();
                if (drop(EspDropReason.NO_SA)) logDrop(EspDropReason.NO_SA, current, "l2tp datagram, no SA");
                return;
            }
            int length = datagram.readableBytes();
            // in front of the datagram in its own buffer when it has the room (PacketBuffers), else one copy
            ByteBuf segment = PacketBuffers.prepend(datagram, UDP_HEADER_LENGTH);
            int at = segment.readerIndex();
            // checksum 0: allowed for UDP over IPv4 and accepted by transport-mode NAT-T receivers (RFC 3948 3.1.2)
            segment.setShort(at, L2TP_PORT).setShort(at + 2, peerL2tpPort).setShort(at + 4, UDP_HEADER_LENGTH + length)
                    .setShort(at + 6, 0);
            ByteBuf packet = sa.out.seal(segment, SecurityAssociation.NEXT_HEADER_UDP);
            if (packet == null) {
                sealFailed(sa);
                return;
            }
            metrics.sent(UDP_HEADER_LENGTH + length);
            if (sa.out.takeSoftLimit()) rekeyNeeded(sa, "soft byte lifetime");
            sender.send(local, current, packet);
        }

        @Override
        public String toString() {
            return "esp peer " + address(current);
        }
    }

    /** The tunnel-mode pairs of one IKE SA and where their peer is. */
    private static final class Tunnel extends Remote {
        final String ikeSaTag;

        Tunnel(String ikeSaTag, InetSocketAddress peer, InetSocketAddress local) {
            this.ikeSaTag = ikeSaTag;
            this.current = peer;
            this.local = local;
        }
    }

    /** An outbound seal refused (sequence numbers or lifetime used up): counted, and the pair rekeyed or expired. */
    private void sealFailed(ChildSa sa) {
        EspDropReason why = sa.out.lastDrop();
        if (drop(why)) logDrop(why, sa.peer.current, "outbound " + sa.spis());
        if (why == EspDropReason.SEQ_EXHAUSTED) rekeyNeeded(sa, "sequence numbers exhausted");
        if (why == EspDropReason.LIFETIME) scheduler.execute(() -> expire(sa, "byte lifetime expired"));
    }

    // --- ChildSaTable --------------------------------------------------------------------------------------------

    @Override
    public void install(ChildSaSpec spec) {
        try {
            SecurityAssociation[] pair = newPair(spec);
            Peer peer = peerFor(spec);
            peer.local = spec.local();
            peer.peerL2tpPort = spec.peerL2tpPort();
            ChildSa sa = new ChildSa(spec.ikeSaTag(), pair[0], pair[1], peer, null);
            add(sa, spec);
            log.info("{} esp sa up {} {} peer={}", spec.ikeSaTag(), sa.spis(), pair[0].transformName(), address(spec.peer()));
        } finally {
            spec.wipe();
        }
    }

    @Override
    public void installTunnel(ChildSaSpec spec, TunnelEnd end) {
        try {
            if (end == null) throw new IllegalArgumentException("no tunnel end");
            SecurityAssociation[] pair = newPair(spec);
            Tunnel tunnel = tunnels.get(spec.ikeSaTag());
            if (tunnel == null) {
                tunnel = new Tunnel(spec.ikeSaTag(), spec.peer(), spec.local());
                tunnels.put(spec.ikeSaTag(), tunnel);
            } else {
                if (!spec.peer().equals(tunnel.current)) rebind(tunnel, spec.peer()); // IKE saw the new NAT port first
                tunnel.local = spec.local();
            }
            ChildSa sa = new ChildSa(spec.ikeSaTag(), pair[0], pair[1], tunnel, end);
            add(sa, spec);
            log.info("{} esp sa up {} {} tunnel mode peer={}", spec.ikeSaTag(), sa.spis(), pair[0].transformName(),
                    address(spec.peer()));
        } finally {
            spec.wipe();
        }
    }

    /** Inbound and outbound SA of the spec; neither is kept when either cannot be built. */
    private SecurityAssociation[] newPair(ChildSaSpec spec) {
        if (byInboundSpi.containsKey(spec.inboundSpi())) {
            throw new IllegalArgumentException("inbound SPI " + hex(spec.inboundSpi()) + " already installed");
        }
        SecurityAssociation in = new SecurityAssociation(Direction.INBOUND, spec.inboundSpi(), spec.cipher(),
                spec.keyBits(), spec.integrity(), spec.inboundKeymat(), spec.lifetimeBytes(), replayWindow, alloc);
        try {
            SecurityAssociation out = new SecurityAssociation(Direction.OUTBOUND, spec.outboundSpi(), spec.cipher(),
                    spec.keyBits(), spec.integrity(), spec.outboundKeymat(), spec.lifetimeBytes(), replayWindow, alloc);
            return new SecurityAssociation[] {in, out};
        } catch (RuntimeException e) {
            in.wipe();
            throw e;
        }
    }

    /** Records an installed pair and starts its lifetime timers. */
    private void add(ChildSa sa, ChildSaSpec spec) {
        sa.peer.sas.add(sa);
        byInboundSpi.put(spec.inboundSpi(), sa);
        byIkeSa.computeIfAbsent(spec.ikeSaTag(), t -> new ArrayList<>(2)).add(sa);
        Duration lifetime = spec.lifetime();
        if (lifetime != null && lifetime.isPositive()) {
            sa.timers.add(scheduler.schedule(Duration.ofNanos((long) (lifetime.toNanos() * SOFT_LIFETIME)),
                    () -> rekeyNeeded(sa, "soft lifetime")));
            sa.timers.add(scheduler.schedule(lifetime, () -> expire(sa, "hard lifetime expired")));
        }
    }

    @Override
    public TunnelSender tunnelSender(String ikeSaTag) {
        if (ikeSaTag == null) throw new IllegalArgumentException("ikeSaTag");
        return packet -> sendTunnel(ikeSaTag, packet);
    }

    /**
     * One IP packet to the client of {@code ikeSaTag}: sealed with Next Header 4 or 41 by the newest outbound pair,
     * in the packet's own buffer when it has the room ({@link PacketBuffers}).
     */
    private boolean sendTunnel(String ikeSaTag, ByteBuf packet) {
        Tunnel tunnel = tunnels.get(ikeSaTag);
        if (tunnel == null) {
            packet.release();
            if (drop(EspDropReason.NO_SA)) log.debug("{} esp packet dropped reason={} ip packet, no tunnel SA", ikeSaTag, EspDropReason.NO_SA.tag());
            return false;
        }
        ChildSa sa = tunnel.sas.getLast();
        int length = packet.readableBytes();
        int version = Ipv6.version(packet);
        int nextHeader = version == 4 ? SecurityAssociation.NEXT_HEADER_IPV4
                : version == 6 ? SecurityAssociation.NEXT_HEADER_IPV6 : -1;
        if (nextHeader < 0) {
            packet.release();
            if (drop(EspDropReason.NOT_IP)) logDrop(EspDropReason.NOT_IP, tunnel.current, "outbound, ip version " + version);
            return false;
        }
        ByteBuf esp = sa.out.seal(packet, nextHeader);
        if (esp == null) {
            sealFailed(sa);
            return false;
        }
        metrics.sent(length);
        if (sa.out.takeSoftLimit()) rekeyNeeded(sa, "soft byte lifetime");
        sender.send(tunnel.local, tunnel.current, esp);
        return true;
    }

    @Override
    public void movePeer(String ikeSaTag, InetSocketAddress peer, InetSocketAddress local) {
        List<ChildSa> of = byIkeSa.get(ikeSaTag);
        if (of == null || of.isEmpty()) {
            log.info("{} esp: no SA to move to {}", ikeSaTag, address(peer));
            return;
        }
        Remote remote = of.getFirst().peer;
        log.info("{} esp peer {} moves to {} local={} (MOBIKE)", ikeSaTag, address(remote.current), address(peer), address(local));
        if (!peer.equals(remote.current)) rebind(remote, peer);
        remote.local = local;
    }

    /**
     * The peer at the spec's address, else the peer of another pair of the same IKE SA (IKE saw the peer's new NAT
     * port before ESP did: the peer moves there), else a new one.
     */
    private Peer peerFor(ChildSaSpec spec) {
        Peer peer = peers.get(spec.peer());
        if (peer != null) return peer;
        List<ChildSa> sameIkeSa = byIkeSa.get(spec.ikeSaTag());
        if (sameIkeSa != null && !sameIkeSa.isEmpty() && sameIkeSa.getFirst().peer instanceof Peer moved) {
            rebind(moved, spec.peer());
            return moved;
        }
        peer = new Peer(spec.peer());
        peers.put(spec.peer(), peer);
        return peer;
    }

    @Override
    public void remove(int inboundSpi, String cause) {
        ChildSa sa = byInboundSpi.get(inboundSpi);
        if (sa == null) {
            log.debug("esp sa spi-in={} not installed, nothing to remove ({})", hex(inboundSpi), cause);
            return;
        }
        delete(sa, cause);
    }

    @Override
    public void removeAll(String ikeSaTag, String cause) {
        List<ChildSa> of = byIkeSa.get(ikeSaTag);
        if (of == null) return;
        for (ChildSa sa : List.copyOf(of)) delete(sa, cause);
    }

    @Override
    public boolean inboundSince(int inboundSpi, long sinceNanos) {
        ChildSa sa = byInboundSpi.get(inboundSpi);
        return sa != null && sa.inboundSeen && sa.lastInbound - sinceNanos >= 0;
    }

    /** For tests: the outbound SA of the pair whose inbound SPI is given. */
    SecurityAssociation outbound(int inboundSpi) {
        ChildSa sa = byInboundSpi.get(inboundSpi);
        return sa == null ? null : sa.out;
    }

    /** Installed SA pairs. */
    public int activePairs() {
        return byInboundSpi.size();
    }

    private void delete(ChildSa sa, String cause) {
        if (byInboundSpi.get(sa.in.spi()) != sa) return; // already gone
        Remote peer = sa.peer;
        if (peer.sas.size() == 1 && peer instanceof Peer p) l2tp.closeTunnels(p, "ipsec sa deleted: " + cause); // StopCCN through this SA
        byInboundSpi.remove(sa.in.spi());
        List<ChildSa> sameIkeSa = byIkeSa.get(sa.ikeSaTag);
        if (sameIkeSa != null && sameIkeSa.remove(sa) && sameIkeSa.isEmpty()) byIkeSa.remove(sa.ikeSaTag);
        peer.sas.remove(sa);
        if (peer.sas.isEmpty()) {
            switch (peer) {
                case Peer p -> peers.remove(p.current, p);
                case Tunnel t -> tunnels.remove(t.ikeSaTag, t);
                default -> { }
            }
        }
        for (Scheduler.Timeout t : sa.timers) t.cancel();
        sa.in.wipe();
        sa.out.wipe();
        log.info("{} esp sa down {} peer={} cause={}", sa.ikeSaTag, sa.spis(), address(peer.current), cause);
    }

    private void rekeyNeeded(ChildSa sa, String why) {
        if (sa.rekeyReported) return;
        sa.rekeyReported = true;
        metrics.rekeyNeeded();
        log.info("{} esp sa {} needs rekey: {}", sa.ikeSaTag, sa.spis(), why);
        events.rekeyNeeded(sa.ikeSaTag, sa.in.spi(), why);
    }

    private void expire(ChildSa sa, String why) {
        if (byInboundSpi.get(sa.in.spi()) != sa) return;
        delete(sa, why);
        events.expired(sa.ikeSaTag, sa.in.spi());
    }

    // --- EspDatagramSink -----------------------------------------------------------------------------------------

    @Override
    public void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf packet) {
        try {
            if (packet.readableBytes() < 8) {
                if (drop(EspDropReason.MALFORMED)) logDrop(EspDropReason.MALFORMED, peer, packet.readableBytes() + " octets");
                return;
            }
            int spi = packet.getInt(packet.readerIndex());
            ChildSa sa = byInboundSpi.get(spi);
            if (sa == null) {
                if (drop(EspDropReason.UNKNOWN_SPI)) logDrop(EspDropReason.UNKNOWN_SPI, peer, "spi=" + hex(spi));
                return;
            }
            if (!peer.getAddress().equals(sa.peer.current.getAddress())) {
                if (drop(EspDropReason.WRONG_PEER)) {
                    logDrop(EspDropReason.WRONG_PEER, peer, sa.spis() + " belongs to " + address(sa.peer.current));
                }
                return;
            }
            ByteBuf segment = sa.end == null ? sa.in.open(packet) : sa.in.openPayload(packet);
            if (segment == null) {
                EspDropReason why = sa.in.lastDrop();
                if (drop(why)) logDrop(why, peer, sa.spis() + " seq=" + packet.getUnsignedInt(packet.readerIndex() + 4));
                if (why == EspDropReason.LIFETIME) scheduler.execute(() -> expire(sa, "byte lifetime expired"));
                return;
            }
            sa.lastInbound = scheduler.coarseNanoTime();
            sa.inboundSeen = true;
            if (!peer.equals(sa.peer.current)) rebind(sa.peer, peer);
            if (local != sa.peer.local && !local.equals(sa.peer.local)) readdress(sa.peer, local);
            if (sa.in.takeSoftLimit()) rekeyNeeded(sa, "soft byte lifetime");
            if (sa.end == null) {
                deliver((Peer) sa.peer, segment);
            } else {
                deliverInner(sa, segment, sa.in.lastNextHeader());
            }
        } finally {
            packet.release();
        }
    }

    /**
     * The inner UDP header (RFC 768): length within the segment, destination port 1701; the rest to L2TP. The UDP
     * checksum is not verified: in transport mode behind a NAT it covers addresses the NAT changed (RFC 3948
     * section 3.1.2), and the ICV already protects the segment.
     */
    private void deliver(Peer peer, ByteBuf segment) {
        int length = segment.readableBytes();
        int udpLength = length < UDP_HEADER_LENGTH ? -1 : segment.getUnsignedShort(segment.readerIndex() + 4);
        if (udpLength < UDP_HEADER_LENGTH || udpLength > length) {
            segment.release();
            if (drop(EspDropReason.MALFORMED)) {
                logDrop(EspDropReason.MALFORMED, peer.current, "inner udp length " + udpLength + " of " + length);
            }
            return;
        }
        int destination = segment.getUnsignedShort(segment.readerIndex() + 2);
        if (destination != L2TP_PORT) {
            segment.release();
            if (drop(EspDropReason.NOT_L2TP)) logDrop(EspDropReason.NOT_L2TP, peer.current, "inner udp to port " + destination);
            return;
        }
        metrics.received(udpLength);
        segment.writerIndex(segment.readerIndex() + udpLength).skipBytes(UDP_HEADER_LENGTH);
        l2tp.receive(peer.l2tpAddress, segment, peer);
    }

    /**
     * Tunnel mode (RFC 4303 section 3.1.2): the decrypted payload is an IP packet of the version the Next Header
     * names; a dummy packet (Next Header 59, section 2.6) is discarded. The packet is cut to its IP length (TFC
     * padding, section 2.7, may follow it) and goes to the pair's end.
     */
    private void deliverInner(ChildSa sa, ByteBuf payload, int nextHeader) {
        int ipLength = switch (nextHeader) {
            case SecurityAssociation.NEXT_HEADER_IPV4 -> Ipv4.isWellFormed(payload)
                    ? payload.getUnsignedShort(payload.readerIndex() + 2) : -1;
            case SecurityAssociation.NEXT_HEADER_IPV6 -> Ipv6.isWellFormed(payload)
                    ? Ipv6.HEADER + Ipv6.payloadLength(payload) : -1;
            default -> -2;
        };
        if (ipLength < 0) {
            int length = payload.readableBytes();
            payload.release();
            EspDropReason why = nextHeader == SecurityAssociation.NEXT_HEADER_NONE ? EspDropReason.DUMMY
                    : ipLength == -2 ? EspDropReason.NOT_IP : EspDropReason.INNER_MALFORMED;
            if (drop(why) && why != EspDropReason.DUMMY) {
                logDrop(why, sa.peer.current, sa.spis() + " next header " + nextHeader + ", " + length + " octets");
            }
            return;
        }
        payload.writerIndex(payload.readerIndex() + ipLength);
        metrics.received(ipLength);
        sa.end.receive(payload);
    }

    private void rebind(Remote remote, InetSocketAddress to) {
        log.info("esp peer {} moved to {} (NAT rebinding)", address(remote.current), address(to));
        if (remote instanceof Peer peer) {
            peers.remove(peer.current, peer);
            peer.current = to;
            peers.putIfAbsent(to, peer);
        } else {
            remote.current = to;
        }
    }

    /** The peer now sends to another of our addresses (authenticated): our packets to it leave from there too. */
    private void readdress(Remote peer, InetSocketAddress local) {
        log.info("esp peer {} now reaches us at {} (was {})", address(peer.current), address(local), address(peer.local));
        peer.local = local;
    }

    /**
     * Counts a dropped packet; true when it should also be logged (DEBUG, at most {@value #DROP_LOGS_PER_INTERVAL}
     * a second). Callers build the log line only then, so a flood of bad packets allocates nothing.
     */
    private boolean drop(EspDropReason reason) {
        metrics.dropped(reason);
        if (!log.isDebugEnabled()) return false;
        long now = scheduler.nanoTime();
        if (now - dropLogWindow >= DROP_LOG_INTERVAL) {
            dropLogWindow = now;
            dropLogs = 0;
        }
        return dropLogs++ < DROP_LOGS_PER_INTERVAL;
    }

    private static void logDrop(EspDropReason reason, InetSocketAddress peer, String what) {
        log.debug("peer={} esp packet dropped reason={} {}", address(peer), reason.tag(), what);
    }

    static String hex(int spi) {
        return String.format("%08x", spi);
    }

    static String address(InetSocketAddress a) {
        return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
    }
}
