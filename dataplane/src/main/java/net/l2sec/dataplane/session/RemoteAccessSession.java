package net.l2sec.dataplane.session;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.dhcp.ClasslessRoutes;
import net.l2sec.dataplane.dhcp.InformResponder;
import net.l2sec.dataplane.ip.IpSink;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ipsec.TunnelEnd;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.dataplane.session.RemoteAccessSessions.Listener;
import net.l2sec.dataplane.session.RemoteAccessSessions.Opened;
import net.l2sec.dataplane.session.RemoteAccessSessions.Opening;
import net.l2sec.dataplane.session.RemoteAccessSessions.Refused;
import net.l2sec.dataplane.session.RemoteAccessSessions.Services;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.Ipv6Framing;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionProtocol;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IKEv2 remote-access client's session, for the life of its IKE SA: no L2TP, no PPP; its tunnel-mode ESP SAs
 * carry its IP packets (RFC 4303 section 3.1.2), which go straight to and from the TUN device. A session like a PPP
 * one for everything around it: the {@link SessionRegistry} (accounting, admin, Disconnect/CoA, the per-user and
 * per-rule limits), the address pools, Session-Timeout and Idle-Timeout, bandwidth limit, MSS clamping, DHCPINFORM.
 *
 * <p>From the client ({@link TunnelEnd}): IPv4 from its assigned address and IPv6 from its /64 pass, anything else
 * is dropped and counted (RFC 4301 section 5.2: what arrives on an SA must match its selectors, which are the
 * client's addresses); IPv6 to a link-local or multicast destination is dropped (a tunnel has no link); a
 * DHCPINFORM (Windows asks its routes that way) is answered back through the tunnel; the rest is policed, counted,
 * clamped and written to the egress. To the client ({@link IpSink}, what the TUN device routes to its address):
 * clamped, policed, then sealed by the IKE SA's newest SA ({@link TunnelSender}) and counted. Policing, counting,
 * DHCPINFORM and clamping are PPP's too ({@link ClientTraffic}).
 *
 * <p>States: {@link State#OPEN} from {@link RemoteAccessSessions#open} on; {@link State#ENDING} once the session
 * asked the responder to end it ({@link Listener#disconnectRequested}), packets still pass until the IKE SA is gone;
 * {@link State#CLOSED} after {@link #close}: routes removed, address and /64 back to their pools, the limits'
 * places given back, accounting's Stop. Confined to the IKE SA's event loop.
 */
public final class RemoteAccessSession implements ClientSession, IpSink, TunnelEnd {
    private static final Logger log = LoggerFactory.getLogger(RemoteAccessSession.class);

    public enum State { OPEN, ENDING, CLOSED }

    private final SessionContext context;
    private final Services services;
    private final Scheduler scheduler;
    private final RemoteAccessMeters meters;
    private final TunnelSender toClient;
    private final ClientTraffic traffic;
    private final Listener listener;
    private final AddressAssignment address;
    private final PrefixAssignment prefix;
    private final SessionLimits limits;
    private final long startedNanos;
    private SessionRegistry.Reservation reservation;
    private ActiveSession active;
    private State state = State.OPEN;
    private int clientAddress;
    private boolean ipv6;
    private long prefix64;
    /** The first operator's cause: what accounting reports whatever ends the session. */
    private EndCause disconnectCause;
    private EndCause cause;

    private RemoteAccessSession(SessionContext context, Services services, TunnelSender toClient, Listener listener) {
        this.context = context;
        this.services = services;
        this.scheduler = services.scheduler();
        this.meters = services.meters();
        this.toClient = toClient;
        this.listener = listener;
        RemoteAccessSettings settings = services.settings();
        this.address = new AddressAssignment(context.tag(), services.pools(), settings.defaultPool(), log);
        this.prefix = new PrefixAssignment(context.tag(), services.pools6(), settings.pool6(), log);
        this.limits = new SessionLimits(scheduler, this::limitReached);
        this.traffic = new ClientTraffic(services.egress(), scheduler, meters, limits, this);
        this.startedNanos = scheduler.nanoTime();
    }

    /** {@link RemoteAccessSessions#open}: every step taken, or none (what was taken is given back). */
    static Opening open(SessionContext context, AuthMethod method, AuthResult.Accept accept, boolean wantsIpv6,
                        TunnelSender toClient, Listener listener, Services services) {
        RemoteAccessSession s = new RemoteAccessSession(context, services, toClient, listener);
        Authorization z = accept.authorization();
        SessionRegistry registry = services.registry();
        SessionRegistry.Outcome taken = registry.reserve(accept.user(), z.maxSessions(), z.rule(), z.maxSessionsTotal());
        if (taken.left().isEmpty()) {
            return switch (taken.refusal().orElseThrow()) {
                case USER_LIMIT -> s.refuse(EndCause.SESSION_LIMIT, "rule=" + z.rule() + " allows "
                        + z.maxSessions().getAsInt() + " sessions, user " + LogText.quote(accept.user()) + " has "
                        + registry.sessionsOf(accept.user()));
                case RULE_LIMIT -> s.refuse(EndCause.RULE_SESSION_LIMIT, "rule=" + z.rule() + " allows "
                        + z.maxSessionsTotal().getAsInt() + " sessions in all (max-sessions-total), it holds "
                        + registry.sessionsOfRule(z.rule()));
            };
        }
        s.reservation = taken.left().get();
        Optional<EndCause> noAddress = s.address.assign(z);
        if (noAddress.isPresent()) return s.refuse(noAddress.get(), "no IPv4 address");
        s.clientAddress = s.address.address();
        if (!services.routes().register(s.clientAddress, s)) {
            return s.refuse(EndCause.ADDRESS_IN_USE, "address " + Ipv4.fromInt(s.clientAddress).getHostAddress()
                    + " already routed to another session");
        }
        if (wantsIpv6 && s.prefix.assign(z)) {
            if (services.routes().register6(s.prefix.prefix64(), s)) {
                s.ipv6 = true;
                s.prefix64 = s.prefix.prefix64();
            } else {
                log.warn("session={} /64 {} already routed to another session: IPv4 only", context.tag(), s.prefix.current().orElseThrow());
                s.prefix.release();
            }
        }
        return s.start(method, accept);
    }

    private Refused refuse(EndCause why, String detail) {
        state = State.CLOSED;
        if (clientAddress != 0) services.routes().unregister(clientAddress, this);
        address.release();
        prefix.release();
        if (reservation != null) reservation.release();
        meters.refused(why);
        services.refusals().refused(why, "session={} ikev2 session refused reason={}: {}", context.tag(), why.tag(), detail);
        return new Refused(why, detail);
    }

    private Opened start(AuthMethod method, AuthResult.Accept accept) {
        Authorization z = accept.authorization();
        RemoteAccessSettings settings = services.settings();
        limits.authorized(z);
        List<Inet4Address> dns = z.dns().isEmpty() ? settings.dns() : z.dns();
        int mssLimit = settings.mssLimit();
        traffic.mssLimit(mssLimit);
        int local = Ipv4.toInt(settings.localAddress());
        int mask = settings.subnetPrefixLength() == 0 ? 0 : -1 << (32 - settings.subnetPrefixLength());
        List<ClasslessRoutes.Route> dhcpRoutes = z.routes().stream()
                .map(r -> new ClasslessRoutes.Route(Ipv4.toInt(r.destination()), r.prefixLength(), local)).toList();
        traffic.dhcp(new DhcpInform(context.tag(), new InformResponder(new InformResponder.Answers(local, mask, dns, z.domain(),
                dhcpRoutes)), meters, services.refusals(), log));
        traffic.rateLimit(z.rateLimit());
        Inet4Address v4 = Ipv4.fromInt(clientAddress);
        Optional<Ipv6Prefix> prefix6 = ipv6 ? prefix.current() : Optional.empty();
        // the client's own address in its /64: the Framed-Interface-Id when RADIUS gives one, else ::1 (RFC 7296
        // section 3.15.3: the client may use any address of the prefix, which the anti-spoofing check allows)
        long interfaceId = z.ipv6().interfaceId().orElse(1L);
        Optional<Inet6Address> address6 = prefix6.map(p -> Ipv6.address(prefix64, interfaceId));
        Ipv6Framing framing = new Ipv6Framing(prefix6.map(p -> new Ipv6Framing.Prefix(p.address(), p.length())),
                java.util.OptionalLong.empty(), Optional.empty());
        active = new ActiveSession(context.acctSessionId(), context.tag(), accept.user(), method, context.peer(), v4,
                context.nasPort(), context.started(), z, context.client(), framing, SessionProtocol.IKEV2);
        meters.opened(ipv6);
        services.registry().started(this, active);
        List<Inet6Address> dns6 = ipv6 ? services.settings().dns6() : List.of();
        log.info("session={} ikev2 session up user={} rule={} address={} ipv6={} dns={} routes={} mss-clamp={} rate-limit={} client={}",
                context.tag(), LogText.quote(accept.user()), z.rule(), v4.getHostAddress(),
                prefix6.map(Ipv6Prefix::toString).orElse("-"), dns.stream().map(Inet4Address::getHostAddress).toList(),
                z.routes(), mssLimit == 0 ? "off" : mssLimit, z.rateLimit().map(Object::toString).orElse("none"),
                context.client().kind().label());
        return new Opened(this, v4, address6, prefix6, dns, dns6, settings.wins(), z.routes(), z.domain());
    }

    // ---- from the client: its SAs' inner packets ----

    @Override
    public void receive(ByteBuf packet) {
        int version = Ipv6.version(packet);
        boolean v6 = version == 6;
        if (state == State.CLOSED || (v6 && !ipv6)) {
            drop(packet, RemoteAccessDropReason.NOT_OPEN, v6);
            return;
        }
        if (v6) {
            if (!Ipv6.isWellFormed(packet)) {
                drop(packet, RemoteAccessDropReason.MALFORMED, true);
                return;
            }
            if (Ipv6.sourceHigh(packet) != prefix64) {
                drop(packet, RemoteAccessDropReason.SPOOFED_SOURCE, true);
                return;
            }
            long destination = Ipv6.destinationHigh(packet);
            if (Ipv6.isLinkLocal(destination) || Ipv6.isMulticast(destination)) {
                drop(packet, RemoteAccessDropReason.LINK_SCOPE, true);
                return;
            }
        } else {
            if (!Ipv4.isWellFormed(packet)) {
                drop(packet, RemoteAccessDropReason.MALFORMED, false);
                return;
            }
            // a DHCPINFORM comes from the client's address (RFC 2131 section 4.4.3: ciaddr is set)
            if (Ipv4.source(packet) != clientAddress) {
                drop(packet, RemoteAccessDropReason.SPOOFED_SOURCE, false);
                return;
            }
        }
        traffic.fromClient(packet, !v6, clientAddress);
    }

    // ---- to the client: what the TUN device routes to its addresses ----

    @Override
    public void sendIp(ByteBuf packet) {
        boolean v6 = Ipv6.version(packet) == 6;
        if (state == State.CLOSED) {
            drop(packet, RemoteAccessDropReason.NOT_OPEN, v6);
            return;
        }
        packet = traffic.admitToClient(packet, !v6);
        if (packet == null) return;             // over the bandwidth limit: released and counted
        int bytes = packet.readableBytes();
        if (!toClient.send(packet)) return;     // no SA now: released and counted by ESP (no_sa, lifetime)
        traffic.sentToClient(bytes);
    }

    private void drop(ByteBuf packet, RemoteAccessDropReason reason, boolean v6) {
        meters.dropped(reason, v6);
        packet.release();
    }

    // ---- the client moves ----

    /**
     * The IKE SA moved to {@code peer} (MOBIKE's UPDATE_SA_ADDRESSES, RFC 4555 section 3.5, or a NAT rebinding, RFC
     * 7296 section 2.23): the session's peer is the new address from now on, for the admin view and accounting
     * (Calling-Station-Id, Tunnel-Client-Endpoint of the Interim-Updates and the Stop). Nothing else keys on it.
     */
    public void peerMoved(java.net.InetSocketAddress peer) {
        if (state == State.CLOSED || active.peer().equals(peer)) return;
        java.net.InetSocketAddress from = active.peer();
        active = active.withPeer(peer);
        log.info("session={} ikev2 session peer moved from {} to {}", context.tag(), address(from), address(peer));
        services.registry().peerMoved(this, active, from);
    }

    private static String address(java.net.InetSocketAddress a) {
        return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
    }

    // ---- the end ----

    /** Session-Timeout or Idle-Timeout passed: the responder is asked to end the session. */
    private void limitReached(EndCause why) {
        requestEnd(why);
    }

    private void requestEnd(EndCause why) {
        if (state != State.OPEN) return;
        state = State.ENDING;
        cause = why;
        limits.disarm();
        log.info("session={} ikev2 session ending cause={}: deleting the IKE SA", context.tag(), why.text());
        listener.disconnectRequested(why);
    }

    /**
     * The IKE SA is gone (deleted by either side, expired, the peer dead): routes removed, address and /64 back to
     * their pools, the session's places in the limits given back, accounting's Stop with the first cause (an
     * operator's disconnect wins). Idempotent.
     */
    public void close(EndCause closeCause) {
        if (state == State.CLOSED) return;
        if (cause == null) cause = closeCause;
        state = State.CLOSED;
        limits.disarm();
        services.routes().unregister(clientAddress, this);
        if (ipv6) services.routes().unregister6(prefix64, this);
        address.release();
        prefix.release();
        reservation.release();
        meters.closed(ipv6);
        SessionCounters counters = counters();
        long seconds = Duration.ofNanos(scheduler.nanoTime() - startedNanos).toSeconds();
        log.info("session={} ikev2 session down cause={} duration={}s in={}B out={}B", context.tag(), cause.text(),
                seconds, counters.inputOctets(), counters.outputOctets());
        services.registry().stopped(this, active, counters, disconnectCause != null ? disconnectCause : cause);
    }

    // ---- ClientSession: the registry's view ----

    @Override
    public Optional<ActiveSession> active() {
        return state == State.CLOSED ? Optional.empty() : Optional.of(active);
    }

    @Override
    public SessionCounters counters() {
        return traffic.counters();
    }

    /** An operator's or a RADIUS Disconnect-Request: accounting will report {@code operatorCause}. */
    @Override
    public void disconnect(EndCause operatorCause) {
        if (state == State.CLOSED) return;
        if (disconnectCause == null) disconnectCause = operatorCause;
        requestEnd(operatorCause);
    }

    @Override
    public void reauthorize(Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        if (state != State.OPEN) return;
        limits.reauthorize(sessionTimeout, idleTimeout);
        log.info("session={} reauthorized session-timeout={} idle-timeout={}", context.tag(),
                limits.sessionTimeout().map(Duration::toString).orElse("-"),
                limits.idleTimeout().map(Duration::toString).orElse("-"));
        limits.arm();
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    public SessionContext context() {
        return context;
    }

    public State state() {
        return state;
    }

    /** The client's IPv4 address. */
    public Inet4Address clientAddress() {
        return Ipv4.fromInt(clientAddress);
    }

    /** The client's /64, when it has one. */
    public Optional<Ipv6Prefix> clientPrefix() {
        return ipv6 ? Optional.of(new Ipv6Prefix(prefix64, 64)) : Optional.empty();
    }

    /** Why the session ended or is ending. */
    public Optional<EndCause> cause() {
        return Optional.ofNullable(cause);
    }

    @Override
    public String toString() {
        return "ikev2 session " + context.tag();
    }
}
