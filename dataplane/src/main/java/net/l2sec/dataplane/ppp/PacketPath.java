package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.ClientTraffic;
import net.l2sec.dataplane.session.DhcpInform;
import net.l2sec.dataplane.session.SessionLimits;
import net.l2sec.dataplane.session.TokenBucket;
import io.netty.buffer.ByteBuf;
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
 * <p>On the way, both directions, as for every kind of session ({@link ClientTraffic}): the MSS of TCP SYNs and
 * SYN-ACKs is clamped ({@link TcpMss}) to what the tunnel carries (20 octets less for IPv6's larger header), when
 * the session has a clamp; a DHCPINFORM from the client is answered on the link ({@link DhcpInform}) instead of
 * going to the egress; and a session with a bandwidth limit polices each direction (both IP versions) with a
 * {@link TokenBucket}.
 */
final class PacketPath implements IpSink {
    private final PppLink link;
    private final PppMeters meters;
    /** Policing, counting, DHCPINFORM, MSS clamping: what PPP shares with IKEv2 sessions. */
    private final ClientTraffic traffic;
    private boolean open;
    private int clientAddress;
    private boolean open6;
    private long prefix64;
    /** The peer's IPV6CP Interface-Identifier; 0 when it negotiated none (then any link-local source is its). */
    private long linkLocalIdentifier;
    private Ipv6Prefix delegated;
    private Consumer<ByteBuf> linkScope;

    PacketPath(PppLink link, IpEgress egress, Scheduler scheduler, PppMeters meters, SessionLimits limits) {
        this.link = link;
        this.meters = meters;
        this.traffic = new ClientTraffic(egress, scheduler, meters, limits, this);
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
        traffic.mssLimit(mssLimit);
        traffic.dhcp(dhcp);
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
        traffic.rateLimit(limit);
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
        traffic.fromClient(packet, true, clientAddress);
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
        traffic.fromClient(packet, false, clientAddress);
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
        packet = traffic.admitToClient(packet, !v6);
        if (packet == null) return;     // over the bandwidth limit: released and counted
        int bytes = packet.readableBytes();
        ByteBuf frame = PacketBuffers.prepend(packet, PppFrameCodec.HEADER_LENGTH);
        PppFrameCodec.setHeader(frame, frame.readerIndex(), (v6 ? PppProtocol.IPV6 : PppProtocol.IPV4).number());
        traffic.sentToClient(bytes);
        link.send(frame);
    }

    private void drop(ByteBuf packet, PppIpDropReason reason, String family) {
        meters.ipDropped(reason, family);
        packet.release();
    }

    /** Traffic so far, both directions and both IP versions, since the session began. */
    SessionCounters counters() {
        return traffic.counters();
    }
}
