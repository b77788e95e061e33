package net.l2sec.dataplane.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.dataplane.LoopCounter;
import net.l2sec.dataplane.dhcp.DhcpDropReason;
import net.l2sec.spi.session.EndCause;

/**
 * The meters of IKEv2 clients' sessions ({@code l2sec.ikev2.*}), shared by the sessions of one worker loop. Tags are
 * bounded: directions, families and reasons, never users or addresses. Every drop and refusal reason is exported at
 * 0 from the start.
 */
public final class RemoteAccessMeters implements DhcpInform.Meters, ClientTraffic.Meters {
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger activeIpv6 = new AtomicInteger();
    /** Per packet, on the event loop. */
    private final LoopCounter packetsFromClient;
    private final LoopCounter packetsToClient;
    private final LoopCounter bytesFromClient;
    private final LoopCounter bytesToClient;
    private final LoopCounter rateLimitedFromClient;
    private final LoopCounter rateLimitedToClient;
    private final Counter mssClampedFromClient;
    private final Counter mssClampedToClient;
    private final Counter dhcpReplies;
    private final Map<DhcpDropReason, Counter> dhcpDropped = new EnumMap<>(DhcpDropReason.class);
    private final Map<RemoteAccessDropReason, Counter> dropped4 = new EnumMap<>(RemoteAccessDropReason.class);
    private final Map<RemoteAccessDropReason, Counter> dropped6 = new EnumMap<>(RemoteAccessDropReason.class);
    private final Map<EndCause, Counter> refused = new EnumMap<>(EndCause.class);

    public RemoteAccessMeters(MeterRegistry registry) {
        Gauge.builder("l2sec.ikev2.sessions.active", active, AtomicInteger::get)
                .description("IKEv2 clients' sessions open (address assigned, routed to the client)").register(registry);
        Gauge.builder("l2sec.ikev2.sessions.ipv6.active", activeIpv6, AtomicInteger::get)
                .description("IKEv2 clients' sessions with a /64 routed to them").register(registry);
        packetsFromClient = LoopCounter.register("l2sec.ikev2.ip.packets", "IPv4 and IPv6 packets through IKEv2 sessions",
                registry, "direction", "from_client");
        packetsToClient = LoopCounter.register("l2sec.ikev2.ip.packets", "IPv4 and IPv6 packets through IKEv2 sessions",
                registry, "direction", "to_client");
        bytesFromClient = LoopCounter.register("l2sec.ikev2.ip.bytes", "IPv4 and IPv6 octets through IKEv2 sessions",
                registry, "direction", "from_client");
        bytesToClient = LoopCounter.register("l2sec.ikev2.ip.bytes", "IPv4 and IPv6 octets through IKEv2 sessions",
                registry, "direction", "to_client");
        rateLimitedFromClient = LoopCounter.register("l2sec.ikev2.ip.rate_limited",
                "IP packets dropped by an IKEv2 session's bandwidth limit", registry, "direction", "from_client");
        rateLimitedToClient = LoopCounter.register("l2sec.ikev2.ip.rate_limited",
                "IP packets dropped by an IKEv2 session's bandwidth limit", registry, "direction", "to_client");
        mssClampedFromClient = mss(registry, "from_client");
        mssClampedToClient = mss(registry, "to_client");
        dhcpReplies = Counter.builder("l2sec.ikev2.dhcp.replies")
                .description("DHCPACKs sent through IKEv2 tunnels in answer to DHCPINFORM (routes, domain, DNS)").register(registry);
        for (DhcpDropReason r : DhcpDropReason.values()) {
            dhcpDropped.put(r, Counter.builder("l2sec.ikev2.dhcp.dropped").tag("reason", r.tag())
                    .description("DHCP messages from IKEv2 clients left unanswered").register(registry));
        }
        for (RemoteAccessDropReason r : RemoteAccessDropReason.values()) {
            dropped4.put(r, dropped(registry, r, "ipv4"));
            dropped6.put(r, dropped(registry, r, "ipv6"));
        }
        for (EndCause c : EndCause.values()) {
            if (!c.isFailure()) continue;
            refused.put(c, Counter.builder("l2sec.ikev2.sessions.refused").tag("reason", c.tag())
                    .description("IKEv2 clients authenticated but refused a session (limits, pools)").register(registry));
        }
    }

    private static Counter mss(MeterRegistry registry, String direction) {
        return Counter.builder("l2sec.ikev2.mss.clamped").tag("direction", direction)
                .description("TCP SYN and SYN-ACK segments through IKEv2 sessions whose MSS option was lowered")
                .register(registry);
    }

    private static Counter dropped(MeterRegistry registry, RemoteAccessDropReason reason, String family) {
        return Counter.builder("l2sec.ikev2.ip.dropped").tag("reason", reason.tag()).tag("family", family)
                .description("IPv4 and IPv6 packets dropped by IKEv2 sessions").register(registry);
    }

    void opened(boolean ipv6) {
        active.incrementAndGet();
        if (ipv6) activeIpv6.incrementAndGet();
    }

    void closed(boolean ipv6) {
        active.decrementAndGet();
        if (ipv6) activeIpv6.decrementAndGet();
    }

    void refused(EndCause cause) {
        Counter c = refused.get(cause);
        if (c != null) c.increment();
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

    @Override
    public void rateLimitedFromClient() {
        rateLimitedFromClient.increment();
    }

    @Override
    public void rateLimitedToClient() {
        rateLimitedToClient.increment();
    }

    @Override
    public void mssClampedFromClient() {
        mssClampedFromClient.increment();
    }

    @Override
    public void mssClampedToClient() {
        mssClampedToClient.increment();
    }

    void dropped(RemoteAccessDropReason reason, boolean ipv6) {
        (ipv6 ? dropped6 : dropped4).get(reason).increment();
    }

    @Override
    public void dhcpReplied() {
        dhcpReplies.increment();
    }

    @Override
    public void dhcpDropped(DhcpDropReason reason) {
        dhcpDropped.get(reason).increment();
    }
}
