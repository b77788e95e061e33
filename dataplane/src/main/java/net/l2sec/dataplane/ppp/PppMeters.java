package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.ClientTraffic;
import net.l2sec.dataplane.session.DhcpInform;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.dataplane.LoopCounter;
import net.l2sec.dataplane.dhcp.DhcpDropReason;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.session.EndCause;

/**
 * The PPP layer's meters, shared by all sessions of a concentrator. Tags are bounded: methods, reasons and
 * directions, never user names or addresses.
 */
public final class PppMeters implements DhcpInform.Meters, ClientTraffic.Meters {
    private final MeterRegistry registry;
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final AtomicInteger activeIpv6 = new AtomicInteger();
    private final Counter loopback;
    /** Per packet, on the event loop. */
    private final LoopCounter packetsFromClient;
    private final LoopCounter packetsToClient;
    private final LoopCounter bytesFromClient;
    private final LoopCounter bytesToClient;
    private final LoopCounter rateLimitedFromClient;
    private final LoopCounter rateLimitedToClient;
    private final Counter dhcpReplies;
    private final Map<DhcpDropReason, Counter> dhcpDropped = new EnumMap<>(DhcpDropReason.class);
    private final Counter mssClampedFromClient;
    private final Counter mssClampedToClient;

    public PppMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("l2sec.ppp.sessions.active", activeSessions, AtomicInteger::get)
                .description("PPP sessions with IPCP opened").register(registry);
        Gauge.builder("l2sec.ppp.sessions.ipv6.active", activeIpv6, AtomicInteger::get)
                .description("PPP sessions with IPV6CP opened and a /64 routed to them").register(registry);
        this.loopback = Counter.builder("l2sec.ppp.lcp.loopback")
                .description("LCP Configure-Requests, Echo-Requests and Echo-Replies carrying our own Magic-Number (looped-back link suspected)")
                .register(registry);
        this.packetsFromClient = ipCounter("l2sec.ppp.ip.packets", "from_client", "IPv4 and IPv6 packets through PPP sessions");
        this.packetsToClient = ipCounter("l2sec.ppp.ip.packets", "to_client", "IPv4 and IPv6 packets through PPP sessions");
        this.bytesFromClient = ipCounter("l2sec.ppp.ip.bytes", "from_client", "IPv4 and IPv6 bytes through PPP sessions");
        this.bytesToClient = ipCounter("l2sec.ppp.ip.bytes", "to_client", "IPv4 and IPv6 bytes through PPP sessions");
        this.rateLimitedFromClient = ipCounter("l2sec.ppp.ip.rate_limited", "from_client",
                "IPv4 packets dropped by a session's bandwidth limit (rate-limit, WISPr-Bandwidth-Max-Up/Down)");
        this.rateLimitedToClient = ipCounter("l2sec.ppp.ip.rate_limited", "to_client",
                "IPv4 packets dropped by a session's bandwidth limit (rate-limit, WISPr-Bandwidth-Max-Up/Down)");
        // exported at 0 from the start, as the dashboard's DHCPINFORM panel queries them
        this.dhcpReplies = Counter.builder("l2sec.ppp.dhcp.replies")
                .description("DHCPACKs sent in answer to clients' DHCPINFORM (routes, domain, DNS)").register(registry);
        for (DhcpDropReason r : DhcpDropReason.values()) {
            dhcpDropped.put(r, Counter.builder("l2sec.ppp.dhcp.dropped").tag("reason", r.tag())
                    .description("DHCP messages from clients left unanswered").register(registry));
        }
        this.mssClampedFromClient = mssCounter("from_client");
        this.mssClampedToClient = mssCounter("to_client");
    }

    private Counter mssCounter(String direction) {
        return Counter.builder("l2sec.ppp.mss.clamped").tag("direction", direction)
                .description("TCP SYN and SYN-ACK segments whose MSS option was lowered to what the tunnel carries")
                .register(registry);
    }

    private LoopCounter ipCounter(String name, String direction, String description) {
        return LoopCounter.register(name, description, registry, "direction", direction);
    }

    void auth(AuthMethod method, AuthResult result) {
        String outcome = result instanceof AuthResult.Accept ? "accept" : "reject";
        String reason = result instanceof AuthResult.Reject r ? r.reason().label() : "none";
        Counter.builder("l2sec.ppp.auth").tag("method", method.configName()).tag("result", outcome).tag("reason", reason)
                .description("PPP authentication decisions").register(registry).increment();
    }

    void sessionFailed(EndCause cause) {
        Counter.builder("l2sec.ppp.sessions.failed").tag("reason", cause.tag())
                .description("PPP sessions that ended before or instead of carrying traffic normally")
                .register(registry).increment();
    }

    void packetDropped(PppDropReason reason) {
        Counter.builder("l2sec.ppp.packets.dropped").tag("reason", reason.tag())
                .description("PPP frames and control packets discarded as malformed").register(registry).increment();
    }

    void ipDropped(PppIpDropReason reason, String family) {
        Counter.builder("l2sec.ppp.ip.dropped").tag("reason", reason.tag()).tag("family", family)
                .description("IPv4 and IPv6 packets dropped by PPP sessions").register(registry).increment();
    }

    /** A Router Advertisement sent: {@code solicited} answers a Router Solicitation. */
    void routerAdvertisement(boolean solicited) {
        Counter.builder("l2sec.ppp.nd.router.advertisements").tag("kind", solicited ? "solicited" : "unsolicited")
                .description("Router Advertisements sent to clients (RFC 4861), answering a Router Solicitation or not")
                .register(registry).increment();
    }

    void ipv6cpUp() {
        activeIpv6.incrementAndGet();
    }

    void ipv6cpDown() {
        activeIpv6.decrementAndGet();
    }

    @Override
    public void dhcpReplied() {
        dhcpReplies.increment();
    }

    @Override
    public void dhcpDropped(DhcpDropReason reason) {
        dhcpDropped.get(reason).increment();
    }

    /** A packet from the client over its session's upstream limit. Per packet, on the event loop. */
    @Override
    public void rateLimitedFromClient() {
        rateLimitedFromClient.increment();
    }

    /** A packet to the client over its session's downstream limit. */
    @Override
    public void rateLimitedToClient() {
        rateLimitedToClient.increment();
    }

    /** The client's SYN or SYN-ACK had its MSS lowered. */
    @Override
    public void mssClampedFromClient() {
        mssClampedFromClient.increment();
    }

    /** A SYN or SYN-ACK to the client had its MSS lowered. */
    @Override
    public void mssClampedToClient() {
        mssClampedToClient.increment();
    }

    void loopback() {
        loopback.increment();
    }

    @Override
    public void fromClient(int bytes) {
        packetsFromClient.increment();
        bytesFromClient.add(bytes);
    }

    @Override
    public void toClient(int bytes) {
        packetsToClient.increment();
        bytesToClient.add(bytes);
    }

    void ipcpUp() {
        activeSessions.incrementAndGet();
    }

    void ipcpDown() {
        activeSessions.decrementAndGet();
    }
}
