package net.l2sec.dataplane.ppp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.PppLink;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.IpSink;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ppp.auth.AuthHost;
import net.l2sec.dataplane.ppp.auth.AuthServer;
import net.l2sec.dataplane.ppp.auth.ChapServer;
import net.l2sec.dataplane.ppp.auth.EapServer;
import net.l2sec.dataplane.ppp.auth.PapServer;
import net.l2sec.dataplane.ppp.cp.AutomatonState;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.DiscardRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoReply;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ProtocolReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.LayerActions;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppFrame;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.dataplane.ppp.ipcp.IpcpOptions;
import net.l2sec.dataplane.ppp.lcp.LcpOptions;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PPP session, server side (RFC 1661 section 3.2 phases): Link Establishment (LCP), Authentication (PAP,
 * CHAP, MS-CHAPv2 or EAP, we being the authenticator), Network-Layer Protocol (IPCP; we give the address), then
 * the IPv4 packet path between the peer and {@link IpEgress} / {@link ClientRoutes}.
 *
 * <p>LCP renegotiation (a Configure-Request, or a stray Configure-Ack/Nak/Reject or Terminate-Ack, while LCP is
 * Opened) returns the link to Link Establishment (RFC 1661 sections 3.2 and 4.1: tld). The network layer goes
 * down with it, as a new link establishment would take it: IPCP down, route removed, address back to the pool.
 * Once LCP opens again the peer authenticates again and a fresh IPCP negotiation allocates an address (the lowest
 * free one, so normally the same); nothing from the earlier authentication carries over except two clocks:
 * the session timeout counts from the first authentication and idle time from the last IP packet, so
 * renegotiating extends neither.
 *
 * <p>Confined to the session's event loop (the {@link Scheduler}); the only foreign-thread entry is the
 * completion of the {@link Authenticator}'s stage, which hops back through {@link Scheduler#execute}.
 */
public final class PppSession implements PppEndpoint, IpSink {
    private static final Logger log = LoggerFactory.getLogger(PppSession.class);
    private static final int MSCHAPV2_AUTHENTICATOR_RESPONSE_LENGTH = 20;

    /** RFC 1661 section 3.2. */
    public enum Phase { ESTABLISH, AUTHENTICATE, NETWORK, TERMINATE, DEAD }

    private final SessionContext context;
    private final PppLink link;
    private final PppSettings settings;
    private final Authenticator authenticator;
    private final Function<String, Optional<Ipv4Pool>> pools;
    private final ClientRoutes routes;
    private final IpEgress egress;
    private final Scheduler scheduler;
    private final PppMeters meters;
    private final RandomGenerator random;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final NegotiationAutomaton.Limits limits;
    private final long startedNanos;
    private final PppSessionRegistry registry;

    private final LcpOptions lcpOptions;
    private final NegotiationAutomaton lcp;
    private NegotiationAutomaton ipcp;
    private Phase phase = Phase.ESTABLISH;
    private boolean lcpEverOpened;
    private boolean ipcpEverOpened;

    private AuthServer authServer;
    private Scheduler.Timeout authTimer;
    private AuthMethod authMethod;
    private int authAttempt;
    private boolean authPending;
    private boolean authRejected;
    private AuthResult.Accept accept;

    private Ipv4Pool pool;
    private int clientAddress;
    private boolean addressAllocated;
    private boolean ipcpUp;

    private Scheduler.Timeout echoTimer;
    private int echoOutstanding;
    private Scheduler.Timeout sessionTimer;
    private Scheduler.Timeout idleTimer;
    private long firstAuthorizedNanos = -1;
    private long lastActivityNanos;

    private long packetsFromClient;
    private long bytesFromClient;
    private long packetsToClient;
    private long bytesToClient;

    private EndCause cause;
    private boolean ended;
    private ActiveSession active;
    /** An operator's disconnect: what accounting reports, even if the session was already ending otherwise. */
    private EndCause disconnectCause;
    private Optional<Duration> sessionLimit = Optional.empty();
    private Optional<Duration> idleLimit = Optional.empty();
    private boolean limitsChanged;

    PppSession(SessionContext context, PppLink link, PppServices services) {
        this.context = context;
        this.link = link;
        this.settings = services.settings();
        this.authenticator = services.authenticator();
        this.pools = services.pools();
        this.routes = services.routes();
        this.egress = services.egress();
        this.scheduler = services.scheduler();
        this.meters = services.meters();
        this.random = services.random();
        this.registry = services.registry();
        this.limits = new NegotiationAutomaton.Limits(settings.restartTimer(), settings.maxConfigure(),
                settings.maxTerminate(), settings.maxFailure());
        this.startedNanos = scheduler.nanoTime();
        this.lcpOptions = new LcpOptions(settings.mru(), settings.authMethods(), random, meters::loopback);
        this.lcp = new NegotiationAutomaton(lcpOptions, new LcpActions(), scheduler, limits, random.nextInt(256));
    }

    /** Begins Link Establishment: the lower layer is up (ICCN done) and we want the link open. */
    void start() {
        lcp.open();
        lcp.up();
    }

    // ---- from the lower layer ----

    @Override
    public void receive(ByteBuf buffer) {
        if (ended) {
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
            fromClient(frame.information());      // ownership passes on
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
        Optional<PppProtocol> protocol = PppProtocol.of(frame.protocol());
        switch (protocol.orElse(PppProtocol.IPV6)) {
            case LCP -> {
                ControlPacket packet = decode(info, PppProtocol.LCP);
                if (packet != null) receiveLcp(packet);
            }
            case PAP, CHAP, EAP -> {
                // auth packets outside the Authentication phase, or of another protocol, are discarded
                if (authServer != null && authServer.protocol() == protocol.get()
                        && (phase == Phase.AUTHENTICATE || phase == Phase.NETWORK)) {
                    authServer.receive(info);
                }
            }
            case IPCP -> {
                if (phase != Phase.NETWORK || ipcp == null) return;   // RFC 1661 section 3.4: not yet, discard
                ControlPacket packet = decode(info, PppProtocol.IPCP);
                if (packet != null) ipcp.receive(packet);
            }
            default -> protocolReject(frame);      // IPV6CP, CCP and everything else we do not speak
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

    /** RFC 1661 section 5.7: only when LCP is Opened; the rejected information is cut to the peer's MRU. */
    private void protocolReject(PppFrame frame) {
        if (!lcp.isOpened()) return;
        ByteBuf info = frame.information();
        int max = Math.max(0, lcpOptions.peerMru() - ControlPacketCodec.HEADER_LENGTH - 2);
        byte[] rejected = new byte[Math.min(info.readableBytes(), max)];
        info.getBytes(info.readerIndex(), rejected);
        sendLcp(new ProtocolReject(lcp.takeIdentifier(), frame.protocol(), rejected));
    }

    private void receiveLcp(ControlPacket packet) {
        switch (packet) {
            case EchoRequest e -> {
                if (!lcp.isOpened()) return;
                if (e.magicNumber() != 0 && e.magicNumber() == lcpOptions.magicNumber()) {
                    meters.loopback();
                    return;
                }
                sendLcp(new EchoReply(e.identifier(), lcpOptions.magicNumber(), e.data()));
            }
            case EchoReply r -> {
                if (!lcp.isOpened()) return;
                // section 5.8: our own Magic-Number coming back is our Echo-Request looped back, not an answer
                if (r.magicNumber() != 0 && r.magicNumber() == lcpOptions.magicNumber()) {
                    meters.loopback();
                    return;
                }
                echoOutstanding = 0;
            }
            case DiscardRequest d -> { }
            case ProtocolReject r -> {
                if (!lcp.isOpened()) return;
                // losing IPCP leaves the session without purpose (RXJ- for IPCP); anything else is RXJ+
                if (r.rejectedProtocol() == PppProtocol.IPCP.number() && ipcp != null) ipcp.rxjMinus();
            }
            default -> {
                if (packet instanceof TerminateRequest && lcp.isOpened() && cause == null) cause = EndCause.PEER_TERMINATE;
                lcp.receive(packet);
                if (lcpOptions.noCommonAuthMethod() && !ended) {
                    meters.auth(lcpOptions.authMethod(), new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, "no common method"));
                    terminate(EndCause.NO_COMMON_AUTH_METHOD);
                }
            }
        }
    }

    @Override
    public void lowerLayerDown(EndCause lowerCause) {
        if (ended) return;
        if (cause == null) cause = lowerCause;
        end(cause, false);
    }

    /** Ends the session on our initiative: LCP Terminate, then the lower layer. The first cause stays. */
    public void close(EndCause closeCause) {
        terminate(closeCause);
    }

    /**
     * An operator's disconnect ({@code SessionControl.disconnect}): {@link #close}, and accounting reports
     * {@code operatorCause} even when the session was already ending for another cause.
     */
    void disconnect(EndCause operatorCause) {
        if (ended) return;
        if (disconnectCause == null) disconnectCause = operatorCause;
        terminate(operatorCause);
    }

    /**
     * RFC 5176 Change of Authorization: new session and idle limits, counted as before (session time from the
     * first authorization, idle time from the last packet). Survives LCP renegotiation.
     */
    public void reauthorize(Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        if (ended) return;
        limitsChanged = true;
        sessionTimeout.ifPresent(t -> sessionLimit = Optional.of(t));
        idleTimeout.ifPresent(t -> idleLimit = Optional.of(t));
        log.info("session={} reauthorized session-timeout={} idle-timeout={}", context.tag(),
                sessionLimit.map(Duration::toString).orElse("-"), idleLimit.map(Duration::toString).orElse("-"));
        if (phase == Phase.NETWORK) armLimits();
    }

    // ---- LCP ----

    private final class LcpActions implements LayerActions {
        @Override
        public void send(ControlPacket packet) {
            sendLcp(packet);
        }

        @Override
        public void thisLayerUp() {
            lcpEverOpened = true;
            phase = Phase.AUTHENTICATE;
            startEcho();
            startAuthentication(lcpOptions.authMethod());
        }

        /** Renegotiation (the automaton went back to Req-Sent) or termination: either way the upper layers go. */
        @Override
        public void thisLayerDown() {
            phase = lcp.state() == AutomatonState.REQ_SENT ? Phase.ESTABLISH : Phase.TERMINATE;
            cancel(echoTimer);
            cancel(authTimer);
            if (authServer != null) authServer.stop();
            authServer = null;
            authAttempt++;                 // a backend result still on its way is stale
            authPending = false;
            networkDown();
        }

        @Override
        public void thisLayerFinished() {
            EndCause c = cause != null ? cause : lcpEverOpened ? EndCause.PEER_TERMINATE : EndCause.LCP_TIMEOUT;
            end(c, true);
        }
    }

    private void sendLcp(ControlPacket packet) {
        send(PppProtocol.LCP, ControlPacketCodec.encode(packet));
    }

    private void send(PppProtocol protocol, byte[] packet) {
        if (ended) return;
        link.send(PppFrameCodec.encode(alloc, protocol.number(), packet));
    }

    /** Ends PPP from our side: LCP Close (Terminate-Request), the session ends when LCP finishes. */
    private void terminate(EndCause terminateCause) {
        if (ended) return;
        if (cause == null) cause = terminateCause;
        lcp.close();
        AutomatonState s = lcp.state();
        if (s == AutomatonState.INITIAL || s == AutomatonState.CLOSED || s == AutomatonState.STOPPED) end(cause, true);
    }

    private void startEcho() {
        if (settings.echoInterval().isZero() || settings.echoInterval().isNegative()) return;
        echoOutstanding = 0;
        echoTimer = scheduler.schedule(settings.echoInterval(), this::echoTick);
    }

    /** RFC 1661 section 5.8 Echo-Request as keepalive: too many unanswered means the peer is gone. */
    private void echoTick() {
        echoTimer = null;
        if (ended || !lcp.isOpened()) return;
        if (echoOutstanding >= settings.echoFailures()) {
            terminate(EndCause.ECHO_TIMEOUT);
            return;
        }
        echoOutstanding++;
        sendLcp(new EchoRequest(lcp.takeIdentifier(), lcpOptions.magicNumber(), new byte[0]));
        echoTimer = scheduler.schedule(settings.echoInterval(), this::echoTick);
    }

    // ---- authentication ----

    private void startAuthentication(AuthMethod method) {
        authMethod = method;
        authRejected = false;
        AuthHost host = new Host();
        authServer = switch (method) {
            case PAP -> new PapServer(host);
            case CHAP_MD5, MSCHAPV2 -> new ChapServer(host, method, settings.restartTimer(), settings.maxConfigure());
            case EAP_MSCHAPV2, EAP_MD5 -> new EapServer(host, settings.authMethods(), settings.restartTimer(), settings.maxConfigure(),
                    authenticator.relaysEap());
        };
        authTimer = scheduler.schedule(settings.authTimeout(), this::authTimeout);
        authServer.start();
    }

    private void authTimeout() {
        authTimer = null;
        if (ended || phase != Phase.AUTHENTICATE) return;
        authServer.stop();
        if (authRejected) {            // decided and counted; the peer only never acknowledged (EAP-MSCHAPv2 Failure)
            terminate(EndCause.AUTH_FAILED);
            return;
        }
        RejectReason reason = authPending ? RejectReason.BACKEND_TIMEOUT : RejectReason.PEER_PROTOCOL;
        authPending = false;
        authAttempt++;                 // a result arriving now is stale
        var reject = new AuthResult.Reject(reason, "authentication phase exceeded " + settings.authTimeout());
        meters.auth(authMethod, reject);
        log.info("session={} auth failed method={} user=- reason={} detail={}", context.tag(), authMethod.configName(),
                reason.label(), reject.detail());
        terminate(EndCause.AUTH_TIMEOUT);
    }

    private final class Host implements AuthHost {
        @Override
        public void send(PppProtocol protocol, byte[] packet) {
            PppSession.this.send(protocol, packet);
        }

        @Override
        public void verify(AuthMethod method, Credentials credentials, Consumer<AuthResult> onResult) {
            int attempt = ++authAttempt;
            authPending = true;
            CompletionStage<AuthResult> stage;
            try {
                stage = authenticator.authenticate(new AuthRequest(context, method, credentials));
            } catch (RuntimeException e) {
                stage = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((result, error) -> scheduler.execute(() -> {
                if (ended || attempt != authAttempt || !authPending) return;   // late: session over or timed out
                authPending = false;
                AuthResult r = normalize(method, credentials, result, error);
                authRejected = r instanceof AuthResult.Reject;
                if (!(r instanceof AuthResult.Challenge)) record(method, credentials.user(), r);
                onResult.accept(r);
            }));
        }

        @Override
        public void authenticated(AuthMethod method, AuthResult.Accept result) {
            if (ended) return;
            cancel(authTimer);
            authMethod = method;
            accept = result;
            startNetwork();
        }

        @Override
        public void authenticationFailed(AuthMethod method) {
            if (ended) return;
            cancel(authTimer);
            terminate(EndCause.AUTH_FAILED);
        }

        @Override
        public void noCommonMethod(AuthMethod method) {
            if (ended) return;
            cancel(authTimer);
            meters.auth(method, new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, "peer refused every EAP method"));
            terminate(EndCause.NO_COMMON_AUTH_METHOD);
        }

        @Override
        public void malformed(PppProtocol protocol) {
            meters.packetDropped(PppDropReason.malformed(protocol));
        }

        @Override
        public Scheduler scheduler() {
            return scheduler;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }
    }

    private static AuthResult normalize(AuthMethod method, Credentials credentials, AuthResult result, Throwable error) {
        if (error != null) return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "backend failed: " + error.getClass().getSimpleName());
        if (result == null) return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "backend returned nothing");
        boolean relayed = credentials instanceof net.l2sec.spi.auth.EapCredentials;
        if (result instanceof AuthResult.Challenge && !relayed) {
            return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "backend sent an EAP challenge for " + method.configName());
        }
        if (relayed) return result;      // the backend ran EAP-MSCHAPv2 itself: no authenticator response for us
        if (result instanceof AuthResult.Accept a && (method == AuthMethod.MSCHAPV2 || method == AuthMethod.EAP_MSCHAPV2)
                && a.authenticatorResponse().filter(s -> s.length == MSCHAPV2_AUTHENTICATOR_RESPONSE_LENGTH).isEmpty()) {
            return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "accept without MS-CHAPv2 authenticator response");
        }
        return result;
    }

    private void record(AuthMethod method, String user, AuthResult result) {
        meters.auth(method, result);
        switch (result) {
            case AuthResult.Accept a -> log.info("session={} auth ok method={} user={} rule={}", context.tag(),
                    method.configName(), a.user(), a.authorization().rule());
            case AuthResult.Reject r -> log.info("session={} auth failed method={} user={} reason={} detail={}",
                    context.tag(), method.configName(), user, r.reason().label(), r.detail());
            case AuthResult.Challenge c -> { }          // not a decision: never counted
        }
    }

    // ---- network phase: IPCP ----

    private void startNetwork() {
        phase = Phase.NETWORK;
        var authorization = accept.authorization();
        String poolName = authorization.pool().orElse(settings.defaultPool());
        Optional<Ipv4Pool> found = pools.apply(poolName);
        if (found.isEmpty()) {
            log.warn("session={} no address pool named {}", context.tag(), poolName);
            terminate(EndCause.NO_POOL);
            return;
        }
        if (authorization.address().isPresent()) {
            // RADIUS Framed-IP-Address: from the pool when it lies in it (so no one else gets it), else as is
            int fixed = Ipv4.toInt(authorization.address().get());
            if (found.get().contains(fixed)) {
                if (!found.get().allocate(fixed)) {
                    log.warn("session={} assigned address {} already in use", context.tag(), authorization.address().get().getHostAddress());
                    terminate(EndCause.ADDRESS_IN_USE);
                    return;
                }
                pool = found.get();
            } else {
                pool = null;
            }
            clientAddress = fixed;
        } else {
            Optional<Integer> address = found.get().allocate();
            if (address.isEmpty()) {
                log.warn("session={} address pool {} exhausted", context.tag(), poolName);
                terminate(EndCause.POOL_EXHAUSTED);
                return;
            }
            pool = found.get();
            clientAddress = address.get();
        }
        addressAllocated = true;
        log.info("session={} address assigned {} pool={}", context.tag(), Ipv4.fromInt(clientAddress).getHostAddress(),
                pool != null ? poolName : "-");

        // session time counts from the first authentication, idle time from the last IP packet: LCP
        // renegotiation resets neither
        long now = scheduler.nanoTime();
        if (firstAuthorizedNanos < 0) {
            firstAuthorizedNanos = now;
            lastActivityNanos = now;
        }
        if (!limitsChanged) {
            sessionLimit = authorization.sessionTimeout();
            idleLimit = authorization.idleTimeout();
        }
        armLimits();

        List<java.net.Inet4Address> dns = authorization.dns().isEmpty() ? settings.dns() : authorization.dns();
        var options = new IpcpOptions(Ipv4.toInt(settings.localAddress()), clientAddress, dns, settings.wins());
        ipcp = new NegotiationAutomaton(options, new IpcpActions(dns), scheduler, limits, random.nextInt(256));
        ipcpEverOpened = false;
        ipcp.open();
        ipcp.up();
    }

    private void armLimits() {
        cancel(sessionTimer);
        cancel(idleTimer);
        sessionTimer = null;
        idleTimer = null;
        long now = scheduler.nanoTime();
        sessionLimit.ifPresent(t -> sessionTimer = scheduler.schedule(
                remaining(t, firstAuthorizedNanos, now), () -> terminate(EndCause.SESSION_TIMEOUT)));
        idleLimit.ifPresent(t -> idleTimer = scheduler.schedule(
                remaining(t, lastActivityNanos, now), () -> idleCheck(t)));
    }

    private static Duration remaining(Duration limit, long sinceNanos, long nowNanos) {
        return Duration.ofNanos(Math.max(0, limit.toNanos() - (nowNanos - sinceNanos)));
    }

    private void idleCheck(Duration idle) {
        idleTimer = null;
        if (ended) return;
        long idleFor = scheduler.nanoTime() - lastActivityNanos;
        if (idleFor >= idle.toNanos()) {
            terminate(EndCause.IDLE_TIMEOUT);
        } else {
            idleTimer = scheduler.schedule(Duration.ofNanos(idle.toNanos() - idleFor), () -> idleCheck(idle));
        }
    }

    private final class IpcpActions implements LayerActions {
        private final List<java.net.Inet4Address> dns;

        IpcpActions(List<java.net.Inet4Address> dns) {
            this.dns = dns;
        }

        @Override
        public void send(ControlPacket packet) {
            PppSession.this.send(PppProtocol.IPCP, ControlPacketCodec.encode(packet));
        }

        @Override
        public void thisLayerUp() {
            if (!routes.register(clientAddress, PppSession.this)) {
                log.warn("session={} address {} already routed to another session", context.tag(),
                        Ipv4.fromInt(clientAddress).getHostAddress());
                terminate(EndCause.ADDRESS_IN_USE);
                return;
            }
            ipcpUp = true;
            ipcpEverOpened = true;
            meters.ipcpUp();
            if (active == null) {
                active = new ActiveSession(context.acctSessionId(), context.tag(), accept.user(), authMethod, context.peer(),
                        Ipv4.fromInt(clientAddress), context.nasPort(),
                        context.started().plusNanos(firstAuthorizedNanos - startedNanos), accept.authorization());
                registry.started(PppSession.this, active);
            }
            log.info("session={} ipcp up address={} dns={}", context.tag(), Ipv4.fromInt(clientAddress).getHostAddress(),
                    dns.stream().map(java.net.Inet4Address::getHostAddress).toList());
        }

        @Override
        public void thisLayerDown() {
            ipcpDown();
        }

        @Override
        public void thisLayerFinished() {
            if (!ended && phase == Phase.NETWORK) terminate(ipcpEverOpened ? EndCause.IPCP_CLOSED : EndCause.IPCP_TIMEOUT);
        }
    }

    private void ipcpDown() {
        if (!ipcpUp) return;
        ipcpUp = false;
        routes.unregister(clientAddress, this);
        meters.ipcpDown();
    }

    /**
     * The network layer goes down with LCP (RFC 1661 section 4.4: tld is the NCPs' Down event): IPCP, the route,
     * the address and the timers that belong to an authorized session.
     */
    private void networkDown() {
        cancel(sessionTimer);
        cancel(idleTimer);
        sessionTimer = null;
        idleTimer = null;
        if (ipcp != null) {
            ipcp.down();                   // Opened: tld, the route goes
            ipcp.shutdown();
            ipcp = null;
        }
        ipcpDown();
        if (addressAllocated) {
            if (pool != null) pool.release(clientAddress);
            addressAllocated = false;
        }
    }

    // ---- packet path ----

    private void fromClient(ByteBuf packet) {
        if (!ipcpUp) {
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
        packetsFromClient++;
        bytesFromClient += bytes;
        meters.fromClient(bytes);
        lastActivityNanos = scheduler.coarseNanoTime();
        egress.write(packet);
    }

    @Override
    public void sendIp(ByteBuf packet) {
        if (ended || !ipcpUp) {
            drop(packet, PppIpDropReason.NOT_OPEN);
            return;
        }
        int bytes = packet.readableBytes();
        ByteBuf frame = PacketBuffers.prepend(packet, PppFrameCodec.HEADER_LENGTH);
        PppFrameCodec.setHeader(frame, frame.readerIndex(), PppProtocol.IPV4.number());
        packetsToClient++;
        bytesToClient += bytes;
        meters.toClient(bytes);
        lastActivityNanos = scheduler.coarseNanoTime();
        link.send(frame);
    }

    private void drop(ByteBuf packet, PppIpDropReason reason) {
        meters.ipDropped(reason);
        packet.release();
    }

    // ---- the end ----

    private void end(EndCause endCause, boolean closeLink) {
        if (ended) return;
        ended = true;
        phase = Phase.DEAD;
        cancel(echoTimer);
        cancel(authTimer);
        if (authServer != null) authServer.stop();
        lcp.shutdown();
        networkDown();
        if (endCause.isFailure()) meters.sessionFailed(endCause);
        long seconds = Duration.ofNanos(scheduler.nanoTime() - startedNanos).toSeconds();
        log.info("session={} ppp down cause={} duration={}s in={}B out={}B", context.tag(), endCause.text(), seconds,
                bytesFromClient, bytesToClient);
        if (active != null) registry.stopped(this, active, counters(), disconnectCause != null ? disconnectCause : endCause);
        if (closeLink) link.close(endCause);
    }

    private static void cancel(Scheduler.Timeout t) {
        if (t != null) t.cancel();
    }

    // ---- what accounting and tests read ----

    public SessionContext context() {
        return context;
    }

    public Phase phase() {
        return phase;
    }

    public boolean isEnded() {
        return ended;
    }

    /** Why the session ended (or is ending); empty while it runs normally. */
    public Optional<EndCause> cause() {
        return Optional.ofNullable(cause);
    }

    /** The negotiated authentication method, once LCP opened. */
    public Optional<AuthMethod> authMethod() {
        return Optional.ofNullable(authMethod);
    }

    /** The backend's accept, once authentication succeeded. */
    public Optional<AuthResult.Accept> accept() {
        return Optional.ofNullable(accept);
    }

    /** The client's address while it is allocated. */
    public Optional<java.net.Inet4Address> clientAddress() {
        return addressAllocated ? Optional.of(Ipv4.fromInt(clientAddress)) : Optional.empty();
    }

    public boolean isIpcpOpened() {
        return ipcpUp;
    }

    /** The session as accounting sees it, once established (IPCP opened the first time). */
    public Optional<ActiveSession> active() {
        return Optional.ofNullable(active);
    }

    /** Traffic so far: input is what we received from the client (RFC 2866 section 5.3). */
    public SessionCounters counters() {
        return new SessionCounters(bytesFromClient, bytesToClient, packetsFromClient, packetsToClient);
    }

    public long packetsFromClient() {
        return packetsFromClient;
    }

    public long bytesFromClient() {
        return bytesFromClient;
    }

    public long packetsToClient() {
        return packetsToClient;
    }

    public long bytesToClient() {
        return bytesToClient;
    }
}
