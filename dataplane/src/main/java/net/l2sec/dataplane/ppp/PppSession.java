package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.AddressAssignment;
import net.l2sec.dataplane.session.PrefixAssignment;
import net.l2sec.dataplane.session.ClientSession;
import net.l2sec.dataplane.session.SessionLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.ip.IpSink;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ppp.cp.AutomatonState;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.DiscardRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoReply;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.Identification;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ProtocolReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.LayerActions;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppFrame;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.dataplane.ppp.lcp.LcpOptions;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv6Framing;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PPP session, server side, and its phases (RFC 1661 section 3.2): Link Establishment (LCP, with
 * {@link LinkMaintenance} once Opened), Authentication ({@link Authentication}: PAP, CHAP, MS-CHAPv2 or EAP, we being the
 * authenticator), Network-Layer Protocol ({@link AddressAssignment} gives the address, {@link NetworkLayer} runs
 * IPCP, {@link SessionLimits} the authorization's timers; with an IPv6 pool, {@link PrefixAssignment} gives a /64
 * and {@link Ipv6NetworkLayer} runs IPV6CP and router advertisements), then the {@link PacketPath} between the peer
 * and the egress / client routes; Termination; Dead. This class makes the phase transitions and dispatches frames; the
 * objects above do the work of their phase.
 *
 * <p>LCP renegotiation (a Configure-Request, or a stray Configure-Ack/Nak/Reject or Terminate-Ack, while LCP is
 * Opened) returns the link to Link Establishment (RFC 1661 sections 3.2 and 4.1: tld). The network layer goes
 * down with it, as a new link establishment would take it: IPCP down, route removed. Once LCP opens again the peer
 * authenticates again, and must do so as the same user ({@link Authentication}: another name ends the session,
 * {@code identity_changed}); a fresh IPCP negotiation then gives it the address it had, which the session keeps
 * until it ends, so the session's record (user, address; what accounting and the admin interface show) stays
 * true. The new authorization's timeouts apply; its address or pool, if they differ, do not move the session. Two
 * clocks carry over: the session timeout counts from the first authentication and idle time from the last IP
 * packet, so renegotiating extends neither.
 *
 * <p>A session ends for one {@link EndCause}, the first one that arises; it is logged, counted when it is a
 * failure, reported to accounting (for an operator's disconnect, the operator's cause) and handed to the link.
 *
 * <p>Confined to the session's event loop (the {@link Scheduler}); the only foreign-thread entry is the
 * completion of the {@link Authenticator}'s stage, which hops back through {@link Scheduler#execute}.
 */
public final class PppSession implements PppEndpoint, IpSink, ClientSession {
    private static final Logger log = LoggerFactory.getLogger(PppSession.class);

    /** RFC 1661 section 3.2. */
    public enum Phase { ESTABLISH, AUTHENTICATE, NETWORK, TERMINATE, DEAD }

    private final SessionContext context;
    private final PppLink link;
    private final PppServices services;
    private final Scheduler scheduler;
    private final PppMeters meters;
    private final NegotiationAutomaton.Limits negotiation;
    private final long startedNanos;
    private final LcpOptions lcpOptions;
    private final NegotiationAutomaton lcp;
    private final LinkMaintenance maintenance;
    private final Authentication authentication;
    private final AddressAssignment address;
    private final PrefixAssignment prefix;
    /** Whether this session offers IPv6 (a pool was configured when it started); else IPV6CP is Protocol-Rejected. */
    private final boolean ipv6;
    private final SessionLimits limits;
    private final PacketPath path;
    private final Accounting accounting;
    private final PeerIdentification identification;
    private final Transitions transitions = new Transitions();

    private Phase phase = Phase.ESTABLISH;
    /** The IPv4 network layer of the Network phase; null outside it. */
    private NetworkLayer network;
    /** The IPv6 network layer of the Network phase; null outside it, or when the session has no /64. */
    private Ipv6NetworkLayer network6;
    /** RFC 4818: the prefix delegated to the session by its first authorization, kept as its /64 is; null for none. */
    private Ipv6Prefix delegatedPrefix;
    /** Why the session ends, once it is ending. */
    private EndCause cause;

    PppSession(SessionContext context, PppLink link, PppServices services) {
        this.context = context;
        this.link = link;
        this.services = services;
        this.scheduler = services.scheduler();
        this.meters = services.meters();
        PppSettings settings = services.settings();
        this.negotiation = new NegotiationAutomaton.Limits(settings.restartTimer(), settings.maxConfigure(),
                settings.maxTerminate(), settings.maxFailure());
        this.startedNanos = scheduler.nanoTime();
        this.lcpOptions = new LcpOptions(settings.mru(), settings.authMethods(), services.random(), meters::loopback);
        this.lcp = new NegotiationAutomaton(lcpOptions, new LcpActions(), scheduler, negotiation, services.random().nextInt(256));
        this.maintenance = new LinkMaintenance(lcp, lcpOptions, this::sendLcp, scheduler, settings.echoInterval(),
                settings.echoFailures(), meters, transitions);
        this.authentication = new Authentication(context, services, transitions);
        this.address = new AddressAssignment(context.tag(), services.pools(), settings.defaultPool(), log);
        this.ipv6 = settings.ipv6().enabled();
        this.prefix = new PrefixAssignment(context.tag(), services.pools6(), settings.ipv6().pool(), log);
        this.limits = new SessionLimits(scheduler, this::terminate);
        this.path = new PacketPath(link, services.egress(), scheduler, meters, limits);
        this.accounting = new Accounting(this, context, services.registry(), startedNanos);
        this.identification = new PeerIdentification(context.tag());
    }

    /** Begins Link Establishment: the lower layer is up (ICCN done) and we want the link open. */
    void start() {
        lcp.open();
        lcp.up();
    }

    // ---- from the lower layer ----

    @Override
    public void receive(ByteBuf buffer) {
        if (phase == Phase.DEAD) {
            buffer.release();
            return;
        }
        PppFrame frame;
        try {
            frame = PppFrameCodec.decode(buffer);
        } catch (MalformedPacketException e) {
            meters.packetDropped(PppDropReason.MALFORMED_FRAME);
            buffer.release();
            return;
        }
        if (frame.protocol() == PppProtocol.IPV4.number()) {
            path.fromClient(frame.information());      // ownership passes on
            return;
        }
        if (frame.protocol() == PppProtocol.IPV6.number() && ipv6) {
            path.fromClient6(frame.information());     // ownership passes on; dropped and counted until IPV6CP is Opened
            return;
        }
        try {
            dispatch(frame);
        } finally {
            buffer.release();
        }
    }

    private void dispatch(PppFrame frame) {
        ByteBuf info = frame.information();
        PppProtocol protocol = PppProtocol.of(frame.protocol()).orElse(null);
        switch (protocol) {
            case LCP -> {
                ControlPacket packet = decode(info, PppProtocol.LCP);
                if (packet != null) receiveLcp(packet);
            }
            case PAP, CHAP, EAP -> {
                // auth packets outside the Authentication phase, or of another protocol, are discarded
                if (phase == Phase.AUTHENTICATE || phase == Phase.NETWORK) authentication.receive(protocol, info);
            }
            case IPCP -> {
                if (phase != Phase.NETWORK || network == null) return;   // RFC 1661 section 3.4: not yet, discard
                ControlPacket packet = decode(info, PppProtocol.IPCP);
                if (packet != null) network.receive(packet);
            }
            case IPV6CP -> {
                if (network6 != null) {
                    ControlPacket packet = decode(info, PppProtocol.IPV6CP);
                    if (packet != null) network6.receive(packet);
                } else if (ipv6 && phase != Phase.NETWORK) {
                    return;                                        // RFC 1661 section 3.4: not yet, discard
                } else {
                    maintenance.protocolReject(frame.protocol(), info);   // no IPv6 pool, or none left for us
                }
            }
            case null, default -> maintenance.protocolReject(frame.protocol(), info);   // CCP, IPv6 without IPV6CP, ...
        }
    }

    private ControlPacket decode(ByteBuf info, PppProtocol protocol) {
        try {
            return ControlPacketCodec.decode(info, protocol == PppProtocol.LCP);
        } catch (MalformedPacketException e) {
            meters.packetDropped(PppDropReason.malformed(protocol));
            return null;
        }
    }

    private void receiveLcp(ControlPacket packet) {
        switch (packet) {
            case EchoRequest _, EchoReply _, DiscardRequest _, ProtocolReject _ -> maintenance.receive(packet);
            case Identification i -> {
                if (!identification.receive(i, lcpOptions.magicNumber())) meters.loopback();
            }
            default -> {
                if (packet instanceof TerminateRequest && lcp.isOpened() && cause == null) cause = EndCause.PEER_TERMINATE;
                lcp.receive(packet);
                if (lcpOptions.noCommonAuthMethod() && phase != Phase.DEAD) {
                    meters.auth(lcpOptions.authMethod(), new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, "no common method"));
                    terminate(EndCause.NO_COMMON_AUTH_METHOD);
                }
            }
        }
    }

    @Override
    public void lowerLayerDown(EndCause lowerCause) {
        if (phase == Phase.DEAD) return;
        if (cause == null) cause = lowerCause;
        end(false);
    }

    // ---- from our side ----

    /** Ends the session on our initiative: LCP Terminate, then the lower layer. The first cause stays. */
    public void close(EndCause closeCause) {
        terminate(closeCause);
    }

    /**
     * An operator's disconnect ({@code SessionControl.disconnect}): {@link #close}, and accounting reports
     * {@code operatorCause} even when the session was already ending for another cause.
     */
    @Override
    public void disconnect(EndCause operatorCause) {
        if (phase == Phase.DEAD) return;
        accounting.disconnected(operatorCause);
        terminate(operatorCause);
    }

    /**
     * RFC 5176 Change of Authorization: new session and idle limits, counted as before (session time from the
     * first authorization, idle time from the last packet). Survives LCP renegotiation.
     */
    @Override
    public void reauthorize(Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        if (phase == Phase.DEAD) return;
        limits.reauthorize(sessionTimeout, idleTimeout);
        log.info("session={} reauthorized session-timeout={} idle-timeout={}", context.tag(),
                limits.sessionTimeout().map(Duration::toString).orElse("-"),
                limits.idleTimeout().map(Duration::toString).orElse("-"));
        if (phase == Phase.NETWORK) limits.arm();
    }

    @Override
    public void sendIp(ByteBuf packet) {
        path.sendIp(packet);
    }

    /** What the phases' objects report, and the transitions it causes. */
    private final class Transitions implements LinkMaintenance.Actions, Authentication.Actions, NetworkLayer.Actions {
        @Override
        public void peerGone() {
            terminate(EndCause.ECHO_TIMEOUT);
        }

        /**
         * Losing IPCP leaves the session without purpose (RXJ- for IPCP); a rejected IPV6CP stops IPv6 only (RXJ-
         * for IPV6CP, IPv4 goes on); any other rejection is RXJ+.
         */
        @Override
        public void protocolRejected(int protocol) {
            if (protocol == PppProtocol.IPCP.number() && network != null) network.rejected();
            if (protocol == PppProtocol.IPV6CP.number() && network6 != null) network6.rejected();
        }

        @Override
        public void send(PppProtocol protocol, byte[] packet) {
            PppSession.this.send(protocol, packet);
        }

        @Override
        public void authenticated(AuthResult.Accept accept) {
            startNetwork(accept.authorization());
        }

        @Override
        public void authenticationFailed(EndCause failure) {
            terminate(failure);
        }

        @Override
        public void ipcpOpened() {
            accounting.ipcpOpened(authentication.method().orElseThrow(), authentication.accept().orElseThrow(),
                    Ipv4.fromInt(address.address()), limits.authorizedNanos(), client(), ipv6Framing());
        }

        @Override
        public ClientIdentity client() {
            return PppSession.this.client();
        }

        @Override
        public void ipcpFailed(EndCause failure) {
            if (phase == Phase.NETWORK) terminate(failure);
        }
    }

    // ---- Link Establishment: LCP ----

    private final class LcpActions implements LayerActions {
        @Override
        public void send(ControlPacket packet) {
            sendLcp(packet);
        }

        @Override
        public void thisLayerUp() {
            phase = Phase.AUTHENTICATE;
            maintenance.start();
            authentication.start(lcpOptions.authMethod());
        }

        /** Renegotiation (the automaton went back to Req-Sent) or termination: either way the upper layers go. */
        @Override
        public void thisLayerDown() {
            phase = lcp.state() == AutomatonState.REQ_SENT ? Phase.ESTABLISH : Phase.TERMINATE;
            maintenance.stop();
            authentication.stop();
            networkDown(false);
        }

        @Override
        public void thisLayerFinished() {
            if (cause == null) cause = authentication.everStarted() ? EndCause.PEER_TERMINATE : EndCause.LCP_TIMEOUT;
            end(true);
        }
    }

    private void sendLcp(ControlPacket packet) {
        send(PppProtocol.LCP, ControlPacketCodec.encode(packet));
    }

    private void send(PppProtocol protocol, byte[] packet) {
        if (phase == Phase.DEAD) return;
        link.send(PppFrameCodec.encode(ByteBufAllocator.DEFAULT, protocol.number(), packet));
    }

    /** Ends PPP from our side: LCP Close (Terminate-Request), the session ends when LCP finishes. */
    private void terminate(EndCause terminateCause) {
        if (phase == Phase.DEAD) return;
        if (cause == null) cause = terminateCause;
        lcp.close();
        AutomatonState s = lcp.state();
        if (s == AutomatonState.INITIAL || s == AutomatonState.CLOSED || s == AutomatonState.STOPPED) end(true);
    }

    // ---- Network-Layer Protocol: address, limits, IPCP ----

    private void startNetwork(Authorization authorization) {
        phase = Phase.NETWORK;
        Optional<EndCause> noAddress = address.assign(authorization);
        if (noAddress.isPresent()) {
            terminate(noAddress.get());
            return;
        }
        limits.authorized(authorization);
        int mssLimit = services.settings().mssClamp().limit(services.settings().mru(), lcpOptions.peerMru(), link.mtu());
        network = new NetworkLayer(context.tag(), services, negotiation, authorization, address.address(), mssLimit, path,
                transitions);
        network.start();
        if (ipv6 && phase == Phase.NETWORK && prefix.assign(authorization)) {
            if (delegatedPrefix == null) delegatedPrefix = delegated(authorization);
            network6 = new Ipv6NetworkLayer(context.tag(), services, negotiation, prefix.prefix64(),
                    authorization.ipv6().interfaceId(), delegatedPrefix, path, transitions::send);
            network6.start();
        }
    }

    /** What accounting reports of the session's IPv6 (RFC 3162 Framed-IPv6-Prefix, RFC 4818 Delegated-IPv6-Prefix). */
    private Ipv6Framing ipv6Framing() {
        return new Ipv6Framing(prefix.current().map(p -> new Ipv6Framing.Prefix(p.address(), p.length())), OptionalLong.empty(),
                Optional.ofNullable(delegatedPrefix).map(p -> new Ipv6Framing.Prefix(p.address(), p.length())));
    }

    /** RFC 4818 Delegated-IPv6-Prefix, routed to the session when it is a /64 or shorter (routes here are by /64 at most). */
    private Ipv6Prefix delegated(Authorization authorization) {
        var d = authorization.ipv6().delegatedPrefix();
        if (d.isEmpty()) return null;
        if (d.get().length() > 64 || d.get().length() < 16) {
            log.warn("session={} Delegated-IPv6-Prefix {} not between /16 and /64: not routed", context.tag(), d.get());
            return null;
        }
        return Ipv6Prefix.of(d.get().address(), d.get().length());
    }

    /**
     * The network layer goes down with LCP (RFC 1661 section 4.4: tld is the NCPs' Down event): the timers that
     * belong to an authorized session, IPCP and the route; the address too when the session ends
     * ({@code releaseAddress}), else it stays the session's for the next Network phase.
     */
    private void networkDown(boolean releaseAddress) {
        limits.disarm();
        if (network != null) {
            network.stop();
            network = null;
        }
        if (network6 != null) {
            network6.stop();
            network6 = null;
        }
        if (releaseAddress) {
            address.release();
            prefix.release();
        }
    }

    // ---- Dead ----

    private void end(boolean closeLink) {
        if (phase == Phase.DEAD) return;
        phase = Phase.DEAD;
        maintenance.stop();
        authentication.close();
        lcp.shutdown();
        networkDown(true);
        if (cause.isFailure()) meters.sessionFailed(cause);
        SessionCounters counters = path.counters();
        long seconds = Duration.ofNanos(scheduler.nanoTime() - startedNanos).toSeconds();
        log.info("session={} ppp down cause={} duration={}s in={}B out={}B", context.tag(), cause.text(), seconds,
                counters.inputOctets(), counters.outputOctets());
        accounting.stopped(counters, cause);
        if (closeLink) link.close(cause);
    }

    // ---- what accounting and tests read ----

    public SessionContext context() {
        return context;
    }

    public Phase phase() {
        return phase;
    }

    /** What the client said about itself: the L2TP and IKE part from the context, the LCP Identification messages. */
    public ClientIdentity client() {
        return context.client().withLcpIdentification(identification.messages());
    }

    public boolean isEnded() {
        return phase == Phase.DEAD;
    }

    /** Why the session ended (or is ending); empty while it runs normally. */
    public Optional<EndCause> cause() {
        return Optional.ofNullable(cause);
    }

    /** The negotiated authentication method, once LCP opened. */
    public Optional<AuthMethod> authMethod() {
        return authentication.method();
    }

    /** The backend's accept, once authentication succeeded. */
    public Optional<AuthResult.Accept> accept() {
        return authentication.accept();
    }

    /** The client's address while it is allocated. */
    public Optional<Inet4Address> clientAddress() {
        return address.current();
    }

    public boolean isIpcpOpened() {
        return path.isOpen();
    }

    /** Whether IPV6CP is Opened and the session's /64 routed to it. */
    public boolean isIpv6cpOpened() {
        return path.isOpen6();
    }

    /** The client's /64 while it is assigned. */
    public Optional<Ipv6Prefix> clientPrefix() {
        return prefix.current();
    }

    /** The session as accounting sees it, once established (IPCP opened the first time). */
    @Override
    public Optional<ActiveSession> active() {
        return accounting.active();
    }

    /** The event loop this session belongs to. */
    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Traffic so far: input is what we received from the client (RFC 2866 section 5.3). */
    @Override
    public SessionCounters counters() {
        return path.counters();
    }
}
