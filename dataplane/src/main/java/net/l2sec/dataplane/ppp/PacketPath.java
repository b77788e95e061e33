package net.l2sec.dataplane.ppp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Optional;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.IpSink;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.TcpMss;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.time.Scheduler;

/**
 * A session's IPv4 packets (PPP protocol {@code 0021}), open while IPCP is Opened (RFC 1661 section 3.4: no
 * network-layer packets before). From the client: a well-formed packet from the address it was given goes to the
 * {@link IpEgress}, anything else is dropped and counted. To the client (it is the {@link IpSink} its address is
 * routed to): the PPP header is prepended and the frame goes to the {@link PppLink}. Both directions are counted
 * for accounting (RFC 2866 section 5.3: input is what the client sent) and for the idle timeout.
 *
 * <p>On the way, both directions: the MSS of TCP SYNs and SYN-ACKs is clamped ({@link TcpMss}) to what the tunnel
 * carries, when the session has a clamp; and a DHCPINFORM from the client is answered on the link
 * ({@link DhcpInform}) instead of going to the egress; and a session with a bandwidth limit polices each direction
 * with a {@link TokenBucket}.
 */
final class PacketPath implements IpSink {
    private final PppLink link;
    private final IpEgress egress;
    private final Scheduler scheduler;
    private final PppMeters meters;
    private final SessionLimits limits;
    private boolean open;
    private int clientAddress;
    /** The largest MSS a SYN may carry, 0 for no clamping. */
    private int mssLimit;
    /** Answers DHCPINFORM; null: DHCP goes the way of any packet. */
    private DhcpInform dhcp;
    /** The session's bandwidth limit per direction; null: none. */
    private TokenBucket upstream;
    private TokenBucket downstream;
    private long packetsFromClient;
    private long bytesFromClient;
    private long packetsToClient;
    private long bytesToClient;

    PacketPath(PppLink link, IpEgress egress, Scheduler scheduler, PppMeters meters, SessionLimits limits) {
        this.link = link;
        this.egress = egress;
        this.scheduler = scheduler;
        this.meters = meters;
        this.limits = limits;
    }

    /** IPCP opened: packets from {@code address} (and only from it) pass; no clamping, no DHCP. */
    void open(int address) {
        open(address, 0, null);
    }

    /**
     * IPCP opened: packets from {@code address} (and only from it) pass, TCP SYNs in both directions get an MSS of
     * at most {@code mssLimit} (0: left as they are), and {@code dhcp} (null: none) answers DHCPINFORM.
     */
    void open(int address, int mssLimit, DhcpInform dhcp) {
        clientAddress = address;
        this.mssLimit = mssLimit;
        this.dhcp = dhcp;
        open = true;
    }

    void close() {
        open = false;
    }

    /**
     * The session's bandwidth limit from now on (empty: none): a token bucket per direction, on the loop's clock.
     * A packet over the limit is dropped and counted ({@code l2sec.ppp.ip.rate_limited}), not queued.
     */
    void rateLimit(Optional<RateLimit> limit) {
        upstream = limit.filter(l -> l.upBitsPerSecond() > 0).map(l -> new TokenBucket(l.upBitsPerSecond(), scheduler::nanoTime)).orElse(null);
        downstream = limit.filter(l -> l.downBitsPerSecond() > 0).map(l -> new TokenBucket(l.downBitsPerSecond(), scheduler::nanoTime)).orElse(null);
    }

    boolean isOpen() {
        return open;
    }

    /** One IPv4 packet from the client; ownership passes here. */
    void fromClient(ByteBuf packet) {
        if (!open) {
            drop(packet, PppIpDropReason.NOT_OPEN);
            return;
        }
        if (!Ipv4.isWellFormed(packet)) {
            drop(packet, PppIpDropReason.MALFORMED);
            return;
        }
        if (Ipv4.source(packet) != clientAddress) {
            drop(packet, PppIpDropReason.SPOOFED_SOURCE);
            return;
        }
        int bytes = packet.readableBytes();
        if (upstream != null && !upstream.take(bytes)) {
            meters.rateLimitedFromClient();
            packet.release();
            return;
        }
        packetsFromClient++;
        bytesFromClient += bytes;
        meters.fromClient(bytes);
        limits.activity(scheduler.coarseNanoTime());
        if (dhcp != null && dhcp.claims(packet)) {
            ByteBuf reply = dhcp.answer(packet, clientAddress, ByteBufAllocator.DEFAULT);
            packet.release();
            if (reply != null) sendIp(reply);
            return;
        }
        if (mssLimit > 0 && TcpMss.mssOffset(packet) >= 0) {
            packet = ownedForWriting(packet);
            if (TcpMss.clamp(packet, mssLimit)) meters.mssClampedFromClient();
        }
        egress.write(packet);
    }

    @Override
    public void sendIp(ByteBuf packet) {
        if (!open) {
            drop(packet, PppIpDropReason.NOT_OPEN);
            return;
        }
        if (mssLimit > 0 && Ipv4.isWellFormed(packet) && TcpMss.mssOffset(packet) >= 0) {
            packet = ownedForWriting(packet);
            if (TcpMss.clamp(packet, mssLimit)) meters.mssClampedToClient();
        }
        int bytes = packet.readableBytes();
        if (downstream != null && !downstream.take(bytes)) {
            meters.rateLimitedToClient();
            packet.release();
            return;
        }
        ByteBuf frame = PacketBuffers.prepend(packet, PppFrameCodec.HEADER_LENGTH);
        PppFrameCodec.setHeader(frame, frame.readerIndex(), PppProtocol.IPV4.number());
        packetsToClient++;
        bytesToClient += bytes;
        meters.toClient(bytes);
        limits.activity(scheduler.coarseNanoTime());
        link.send(frame);
    }

    /**
     * {@code packet}, or a copy of it when someone else may see its bytes (shared, or read-only): the clamp writes
     * into the packet, which the {@link IpSink} contract allows only for a buffer the caller gave up whole.
     */
    private static ByteBuf ownedForWriting(ByteBuf packet) {
        boolean mine = !packet.isReadOnly() && packet.refCnt() == 1;
        for (ByteBuf b = packet.unwrap(); mine && b != null; b = b.unwrap()) mine = b.refCnt() == 1 && !b.isReadOnly();
        if (mine) return packet;
        ByteBuf copy = PacketBuffers.allocate(ByteBufAllocator.DEFAULT, packet.readableBytes()).writeBytes(packet);
        packet.release();
        return copy;
    }

    private void drop(ByteBuf packet, PppIpDropReason reason) {
        meters.ipDropped(reason);
        packet.release();
    }

    /** Traffic so far, both directions, since the session began. */
    SessionCounters counters() {
        return new SessionCounters(bytesFromClient, bytesToClient, packetsFromClient, packetsToClient);
    }
}
