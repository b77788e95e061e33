package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.DhcpInform;
import net.l2sec.dataplane.session.SessionLimits;
import net.l2sec.dataplane.session.TokenBucket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Optional;
import java.util.function.Consumer;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.IpSink;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.TcpMss;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.time.Scheduler;

/**
 * A session's IP packets: IPv4 (PPP protocol {@code 0021}), open while IPCP is Opened, and IPv6 ({@code 0057}),
 * open while IPV6CP is (RFC 1661 section 3.4: no network-layer packets before). From the client: a well-formed
 * packet from an address it was given goes to the {@link IpEgress}, anything else is dropped and counted. For IPv6
 * the client's sources are its /64 (SLAAC, any interface identifier: privacy addresses too), its delegated prefix
 * and, for what stays on the link, its link-local address; IPv6 to a link-scope destination goes to the session's
 * link handler (Router Solicitations), never to the egress. To the client (it is the {@link IpSink} its address and
 * prefixes are routed to): the PPP header of the packet's IP version is prepended and the frame goes to the
 * {@link PppLink}. Both directions and both IP versions are counted for accounting (RFC 2866 section 5.3: input is
 * what the client sent) and for the idle timeout.
 *
 * <p>On the way, both directions: the MSS of TCP SYNs and SYN-ACKs is clamped ({@link TcpMss}) to what the tunnel
 * carries (20 octets less for IPv6's larger header), when the session has a clamp; a DHCPINFORM from the client is answered on the link
 * ({@link DhcpInform}) instead of going to the egress; and a session with a bandwidth limit polices each direction
 * (both IP versions) with a {@link TokenBucket}.
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
    private boolean open6;
    private long prefix64;
    /** The peer's IPV6CP Interface-Identifier; 0 when it negotiated none (then any link-local source is its). */
    private long linkLocalIdentifier;
    private Ipv6Prefix delegated;
    private Consumer<ByteBuf> linkScope;
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

    /**
     * IPV6CP opened: IPv6 from the /64 {@code prefix64} (upper 64 bits) or {@code delegated} (null: none) passes;
     * link-scope packets from fe80::{@code linkLocalIdentifier} go to {@code linkScope}, which owns them.
     */
    void open6(long prefix64, long linkLocalIdentifier, Ipv6Prefix delegated, Consumer<ByteBuf> linkScope) {
        this.prefix64 = prefix64;
        this.linkLocalIdentifier = linkLocalIdentifier;
        this.delegated = delegated;
        this.linkScope = linkScope;
        open6 = true;
    }

    void close6() {
        open6 = false;
        linkScope = null;
    }

    boolean isOpen6() {
        return open6;
    }

    /** One IPv4 packet from the client; ownership passes here. */
    void fromClient(ByteBuf packet) {
        if (!open) {
            drop(packet, PppIpDropReason.NOT_OPEN, "ipv4");
            return;
        }
        if (!Ipv4.isWellFormed(packet)) {
            drop(packet, PppIpDropReason.MALFORMED, "ipv4");
            return;
        }
        if (Ipv4.source(packet) != clientAddress) {
            drop(packet, PppIpDropReason.SPOOFED_SOURCE, "ipv4");
            return;
        }
        forward(packet, true);
    }

    /** One IPv6 packet from the client; ownership passes here. */
    void fromClient6(ByteBuf packet) {
        if (!open6) {
            drop(packet, PppIpDropReason.NOT_OPEN, "ipv6");
            return;
        }
        if (!Ipv6.isWellFormed(packet)) {
            drop(packet, PppIpDropReason.MALFORMED, "ipv6");
            return;
        }
        long sourceHigh = Ipv6.sourceHigh(packet);
        long destinationHigh = Ipv6.destinationHigh(packet);
        boolean linkLocalSource = sourceHigh == Ipv6.LINK_LOCAL_PREFIX
                && (linkLocalIdentifier == 0 || Ipv6.sourceLow(packet) == linkLocalIdentifier);
        boolean unspecifiedSource = sourceHigh == 0 && Ipv6.sourceLow(packet) == 0;   // DAD, RFC 4862 section 5.4
        boolean ownSource = sourceHigh == prefix64 || (delegated != null && delegated.contains(sourceHigh));
        if (!linkLocalSource && !ownSource && !unspecifiedSource) {
            drop(packet, PppIpDropReason.SPOOFED_SOURCE, "ipv6");
            return;
        }
        if (Ipv6.isLinkLocal(destinationHigh) || Ipv6.isMulticast(destinationHigh)) {
            linkScope.accept(packet);       // Router Solicitations are answered, the rest is counted and dropped
            return;
        }
        if (!ownSource) {
            drop(packet, PppIpDropReason.LINK_SCOPE, "ipv6");   // RFC 4291 section 2.5.6: never forwarded
            return;
        }
        forward(packet, false);
    }

    /** A packet from the client that passed its checks: policed, counted, then DHCP, MSS (IPv4) and the egress. */
    private void forward(ByteBuf packet, boolean ipv4) {
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
            if (reply != null) sendIp(reply);
            return;
        }
        if (mssLimit > 0 && TcpMss.mssOffset(packet) >= 0) {
            packet = ownedForWriting(packet);
            if (TcpMss.clamp(packet, mssLimit(ipv4))) meters.mssClampedFromClient();
        }
        egress.write(packet);
    }

    /** A packet from the session's own link handler was not for it (counted as {@code reason}) and is dropped. */
    void dropLinkScope(ByteBuf packet, PppIpDropReason reason) {
        drop(packet, reason, "ipv6");
    }

    @Override
    public void sendIp(ByteBuf packet) {
        boolean v6 = Ipv6.version(packet) == 6;
        if (v6 ? !open6 : !open) {
            drop(packet, PppIpDropReason.NOT_OPEN, v6 ? "ipv6" : "ipv4");
            return;
        }
        if (mssLimit > 0 && (v6 ? Ipv6.isWellFormed(packet) : Ipv4.isWellFormed(packet)) && TcpMss.mssOffset(packet) >= 0) {
            packet = ownedForWriting(packet);
            if (TcpMss.clamp(packet, mssLimit(!v6))) meters.mssClampedToClient();
        }
        int bytes = packet.readableBytes();
        if (downstream != null && !downstream.take(bytes)) {
            meters.rateLimitedToClient();
            packet.release();
            return;
        }
        ByteBuf frame = PacketBuffers.prepend(packet, PppFrameCodec.HEADER_LENGTH);
        PppFrameCodec.setHeader(frame, frame.readerIndex(), (v6 ? PppProtocol.IPV6 : PppProtocol.IPV4).number());
        packetsToClient++;
        bytesToClient += bytes;
        meters.toClient(bytes);
        limits.activity(scheduler.coarseNanoTime());
        link.send(frame);
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

    private void drop(ByteBuf packet, PppIpDropReason reason, String family) {
        meters.ipDropped(reason, family);
        packet.release();
    }

    /** Traffic so far, both directions and both IP versions, since the session began. */
    SessionCounters counters() {
        return new SessionCounters(bytesFromClient, bytesToClient, packetsFromClient, packetsToClient);
    }
}
