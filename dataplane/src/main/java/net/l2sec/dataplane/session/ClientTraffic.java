package net.l2sec.dataplane.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Optional;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.IpSink;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.TcpMss;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.time.Scheduler;

/**
 * The per-packet work a session does for its client's IP packets, whatever carries them (PPP over L2TP, an IKEv2
 * client's tunnel-mode ESP): the part after each carrier's own checks (open, well-formed, a source that is the
 * client's) and before its own framing.
 *
 * <p>From the client ({@link #fromClient}): policed by the session's bandwidth limit, counted for accounting
 * (RFC 2866 section 5.3: input is what the client sent) and the idle timeout, a DHCPINFORM answered back to the
 * client ({@link DhcpInform}), the MSS of a TCP SYN clamped ({@link TcpMss}), then to the {@link IpEgress}. To the
 * client ({@link #admitToClient}, then {@link #sentToClient} once the carrier sent it): clamped, policed, counted.
 * A packet over the limit is dropped and counted, not queued. Confined to the session's event loop.
 */
public final class ClientTraffic {
    /** What the traffic counts; each carrier's meters under its own names. */
    public interface Meters {
        void fromClient(int octets);

        void toClient(int octets);

        void rateLimitedFromClient();

        void rateLimitedToClient();

        void mssClampedFromClient();

        void mssClampedToClient();
    }

    private final IpEgress egress;
    private final Scheduler scheduler;
    private final Meters meters;
    private final SessionLimits limits;
    /** Where a DHCPINFORM's answer goes: the carrier's way to the client. */
    private final IpSink toClient;
    /** The largest MSS an IPv4 SYN may carry, 0 for no clamping. */
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

    public ClientTraffic(IpEgress egress, Scheduler scheduler, Meters meters, SessionLimits limits, IpSink toClient) {
        this.egress = egress;
        this.scheduler = scheduler;
        this.meters = meters;
        this.limits = limits;
        this.toClient = toClient;
    }

    /** TCP SYNs in both directions get an MSS of at most {@code mssLimit} (IPv4; 0: left as they are). */
    public void mssLimit(int mssLimit) {
        this.mssLimit = mssLimit;
    }

    /** {@code dhcp} answers DHCPINFORM from now on (null: none). */
    public void dhcp(DhcpInform dhcp) {
        this.dhcp = dhcp;
    }

    /** The session's bandwidth limit from now on (empty: none): a token bucket per direction, on the loop's clock. */
    public void rateLimit(Optional<RateLimit> limit) {
        upstream = limit.filter(l -> l.upBitsPerSecond() > 0).map(l -> new TokenBucket(l.upBitsPerSecond(), scheduler::nanoTime)).orElse(null);
        downstream = limit.filter(l -> l.downBitsPerSecond() > 0).map(l -> new TokenBucket(l.downBitsPerSecond(), scheduler::nanoTime)).orElse(null);
    }

    /**
     * A packet from the client that passed its carrier's checks: policed, counted, then DHCPINFORM (IPv4), MSS and
     * the egress. {@code clientAddress} is where a DHCP answer goes. Ownership passes here.
     */
    public void fromClient(ByteBuf packet, boolean ipv4, int clientAddress) {
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
        if (ipv4 && dhcp != null && dhcp.claims(packet)) {
            ByteBuf reply = dhcp.answer(packet, clientAddress, ByteBufAllocator.DEFAULT);
            packet.release();
            if (reply != null) toClient.sendIp(reply);
            return;
        }
        if (mssLimit > 0 && TcpMss.mssOffset(packet) >= 0) {
            packet = ownedForWriting(packet);
            if (TcpMss.clamp(packet, mssLimit(ipv4))) meters.mssClampedFromClient();
        }
        egress.write(packet);
    }

    /**
     * A packet to the client (IPv4 or IPv6 as {@code ipv4} says; whatever the TUN device routed to the session):
     * clamped when it is a well-formed TCP SYN, then policed. The packet to send (a copy when the clamp could not
     * write into the given one), or null when the limit dropped it (released and counted). The carrier frames and
     * sends it and then calls {@link #sentToClient} with the octets of the IP packet.
     */
    public ByteBuf admitToClient(ByteBuf packet, boolean ipv4) {
        if (mssLimit > 0 && (ipv4 ? Ipv4.isWellFormed(packet) : Ipv6.isWellFormed(packet)) && TcpMss.mssOffset(packet) >= 0) {
            packet = ownedForWriting(packet);
            if (TcpMss.clamp(packet, mssLimit(ipv4))) meters.mssClampedToClient();
        }
        if (downstream != null && !downstream.take(packet.readableBytes())) {
            meters.rateLimitedToClient();
            packet.release();
            return null;
        }
        return packet;
    }

    /** {@code octets} (the IP packet's) went to the client: counted for accounting and the idle timeout. */
    public void sentToClient(int octets) {
        packetsToClient++;
        bytesToClient += octets;
        meters.toClient(octets);
        limits.activity(scheduler.coarseNanoTime());
    }

    /** The MSS limit for an IPv4 or an IPv6 segment: IPv6's headers take 20 octets more of the same MTU. */
    private int mssLimit(boolean ipv4) {
        return ipv4 ? mssLimit : mssLimit - (TcpMss.HEADERS_IPV6 - TcpMss.HEADERS);
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

    /** Traffic so far, both directions and both IP versions, since the session began. */
    public SessionCounters counters() {
        return new SessionCounters(bytesFromClient, bytesToClient, packetsFromClient, packetsToClient);
    }
}
