package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.SessionRegistry;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.dataplane.ppp.auth.AuthHost;
import net.l2sec.dataplane.ppp.auth.AuthServer;
import net.l2sec.dataplane.ppp.auth.ChapServer;
import net.l2sec.dataplane.ppp.auth.EapServer;
import net.l2sec.dataplane.ppp.auth.PapServer;
import net.l2sec.dataplane.ppp.auth.UserName;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Authentication phase (RFC 1661 section 3.5), we being the authenticator: runs the protocol LCP negotiated
 * (PAP, CHAP with MD5 or MS-CHAPv2, EAP; {@code ppp.auth}) against the {@link Authenticator}, makes sure what the
 * backend answers fits that protocol, counts and logs each decision, and bounds the whole phase, backend included,
 * by {@link PppSettings#authTimeout()}. One instance per session; each LCP opening {@link #start starts} a phase.
 *
 * <p>The backend completes on any thread; its result hops back to the event loop and is dropped when the phase
 * is over by then (timed out, LCP renegotiated, session ended). After success the protocol keeps answering the
 * peer's retransmissions (RFC 1334 section 2.2.2, RFC 1994 section 4.2) until the phase is {@link #stop stopped}.
 *
 * <p>Rules that hold whatever the backend, each refusal counted with its {@link RejectReason} in
 * {@code l2sec.ppp.auth} and logged through the {@link RefusalLog}:
 * <ul>
 * <li>Before the backend is asked: the name the peer presents must be a {@link UserName}
 *     ({@link RejectReason#INVALID_USER_NAME}), and neither the tunnel nor the name may be held down by the
 *     {@link AuthThrottle} ({@link RejectReason#THROTTLED}). Wrong credentials, unknown users and invalid names
 *     count towards those hold-downs; a success exempts its address from the name's.</li>
 * <li>The session's user is the name the backend accepted ({@link AuthResult.Accept#user()}: RADIUS returns the
 *     Access-Accept's User-Name when there is one, else the name it was asked about; for EAP-MSCHAPv2 that is the
 *     Name the MS-CHAPv2 Response carries, which must equal the EAP Identity, {@code EapServer} sees to that).
 *     It must itself be a valid name, and a later authentication of the session (after an LCP renegotiation)
 *     must name the same user ({@link RejectReason#IDENTITY_CHANGED}): the session record keeps one identity.</li>
 * <li>The first accept counts the session against its user's {@code maxSessions} in the registry, or is refused
 *     ({@link RejectReason#SESSION_LIMIT}), and against its rule's {@code maxSessionsTotal} when it has one
 *     ({@link RejectReason#RULE_SESSION_LIMIT}); the counts are given back when the session ends ({@link #close}).</li>
 * </ul>
 */
final class Authentication implements AuthHost {
    /** The session's log lines, under the session's logger. */
    private static final Logger log = LoggerFactory.getLogger(PppSession.class);
    private static final int MSCHAPV2_AUTHENTICATOR_RESPONSE_LENGTH = 20;

    /** What the session hears from the phase. */
    interface Actions {
        /** One packet of the authentication protocol to the peer. */
        void send(PppProtocol protocol, byte[] packet);

        /** The peer authenticated and has been told. */
        void authenticated(AuthResult.Accept accept);

        /** The phase failed: {@link EndCause#AUTH_FAILED}, {@link EndCause#AUTH_TIMEOUT} or {@link EndCause#NO_COMMON_AUTH_METHOD}. */
        void authenticationFailed(EndCause cause);
    }

    /** What the phase waits for; a timeout's verdict depends on it. */
    private enum State {
        /** No decision is pending: before the phase, after it, or stopped. */
        DONE,
        /** The peer's next packet. */
        PEER,
        /** The backend's answer to the peer's credentials. */
        BACKEND,
        /** The backend rejected, the peer is told but has yet to acknowledge it (EAP-MSCHAPv2's Failure). */
        REJECTED
    }

    private final SessionContext context;
    private final PppSettings settings;
    private final Authenticator authenticator;
    private final Scheduler scheduler;
    private final PppMeters meters;
    private final RandomGenerator random;
    private final Actions actions;
    private final AuthThrottle throttle;
    private final AuthThrottle.Tunnel tunnel;
    private final SessionRegistry registry;
    private final RefusalLog refusals;

    private AuthServer server;
    private Scheduler.Timeout timer;
    private AuthMethod method;
    private AuthResult.Accept accept;
    private State state = State.DONE;
    /** Numbers the backend requests; a result for an older one is stale. */
    private int request;
    /** The user the first accept named; every later authentication of the session must name the same one. */
    private String authorizedUser;
    /** The session's place in its user's session count, from the first accept to the end. */
    private SessionRegistry.Reservation reservation;

    Authentication(SessionContext context, PppServices services, Actions actions) {
        this.context = context;
        this.settings = services.settings();
        this.authenticator = services.authenticator();
        this.scheduler = services.scheduler();
        this.meters = services.meters();
        this.random = services.random();
        this.actions = actions;
        this.throttle = services.throttle();
        this.tunnel = new AuthThrottle.Tunnel(context.localTunnelId(), context.peer());
        this.registry = services.registry();
        this.refusals = services.refusals();
    }

    /** LCP opened with {@code negotiated} as Authentication-Protocol: the phase begins. */
    void start(AuthMethod negotiated) {
        method = negotiated;
        state = State.PEER;
        server = switch (negotiated) {
            case PAP -> new PapServer(this);
            case CHAP_MD5, MSCHAPV2 -> new ChapServer(this, negotiated, settings.restartTimer(), settings.maxConfigure());
            case EAP_MSCHAPV2, EAP_MD5 -> new EapServer(this, settings.authMethods(), settings.restartTimer(),
                    settings.maxConfigure(), authenticator.relaysEap());
            case IKEV2_PSK, IKEV2_CERTIFICATE -> throw new IllegalArgumentException(negotiated + " is not a PPP method");
        };
        timer = scheduler.schedule(settings.authTimeout(), this::timeout);
        server.start();
    }

    /** A packet of {@code protocol} from the peer; discarded unless it is the running protocol's. Not consumed. */
    void receive(PppProtocol protocol, ByteBuf packet) {
        if (server != null && server.protocol() == protocol) server.receive(packet);
    }

    /** LCP went down or the session ends: no more packets, no more results. */
    void stop() {
        cancelTimer();
        if (server != null) server.stop();
        server = null;
        state = State.DONE;
        request++;                        // a backend result still on its way is stale
    }

    /** The session ends: {@link #stop}, and its place in its user's session count is given back. */
    void close() {
        stop();
        if (reservation != null) reservation.release();
        reservation = null;
    }

    /** True once LCP has opened (and so a phase began) at least once. */
    boolean everStarted() {
        return method != null;
    }

    /** The method of the latest phase: LCP's choice, or the EAP method the peer settled on. */
    Optional<AuthMethod> method() {
        return Optional.ofNullable(method);
    }

    /** The backend's latest accept; a later phase's failure does not take it back. */
    Optional<AuthResult.Accept> accept() {
        return Optional.ofNullable(accept);
    }

    private void timeout() {
        timer = null;
        if (state == State.DONE) return;
        server.stop();
        if (state == State.REJECTED) {      // decided and counted; the peer only never acknowledged
            state = State.DONE;
            actions.authenticationFailed(EndCause.AUTH_FAILED);
            return;
        }
        RejectReason reason = state == State.BACKEND ? RejectReason.BACKEND_TIMEOUT : RejectReason.PEER_PROTOCOL;
        state = State.DONE;
        request++;                        // a result arriving now is stale
        var reject = new AuthResult.Reject(reason, "authentication phase exceeded " + settings.authTimeout());
        meters.auth(method, reject);
        log.info("session={} auth failed method={} user=- reason={} detail={}", context.tag(), method.configName(),
                reason.label(), LogText.escape(reject.detail()));
        actions.authenticationFailed(EndCause.AUTH_TIMEOUT);
    }

    private void cancelTimer() {
        if (timer != null) timer.cancel();
        timer = null;
    }

    // ---- AuthHost: what the protocol asks of the phase ----

    @Override
    public void send(PppProtocol protocol, byte[] packet) {
        actions.send(protocol, packet);
    }

    @Override
    public void verify(AuthMethod verified, byte[] name, Credentials credentials, Consumer<AuthResult> onResult) {
        int thisRequest = ++request;
        state = State.BACKEND;
        Optional<AuthResult.Reject> refused = admit(name, credentials.user());
        if (refused.isPresent()) {
            decideLater(thisRequest, verified, credentials.user(), refused.get(), onResult);
            return;
        }
        CompletionStage<AuthResult> stage;
        try {
            stage = authenticator.authenticate(new AuthRequest(context, verified, credentials));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((result, error) -> scheduler.execute(() -> {
            if (thisRequest != request || state != State.BACKEND) return;   // late: timed out, or the phase is over
            AuthResult r = normalize(verified, credentials, result, error);
            if (r instanceof AuthResult.Accept a) {
                Optional<AuthResult.Reject> overruled = vouch(a);
                if (overruled.isPresent()) {
                    decide(verified, credentials.user(), overruled.get(), true, onResult);
                    return;
                }
            }
            decide(verified, credentials.user(), r, false, onResult);
        }));
    }

    @Override
    public void refuse(AuthMethod refused, byte[] name, RejectReason reason, String detail, Consumer<AuthResult> onResult) {
        int thisRequest = ++request;
        state = State.BACKEND;
        decideLater(thisRequest, refused, UserName.text(name), new AuthResult.Reject(reason, detail), onResult);
    }

    /** Our own refusal, handed over on a later turn of the loop as a backend's answer would be. */
    private void decideLater(int thisRequest, AuthMethod method, String user, AuthResult.Reject refusal,
                             Consumer<AuthResult> onResult) {
        scheduler.execute(() -> {
            if (thisRequest != request || state != State.BACKEND) return;
            decide(method, user, refusal, true, onResult);
        });
    }

    /** A decision (or an EAP pass-through challenge) for the protocol: counted, logged, throttled, then handed on. */
    private void decide(AuthMethod method, String user, AuthResult r, boolean ours, Consumer<AuthResult> onResult) {
        state = r instanceof AuthResult.Reject ? State.REJECTED : State.PEER;
        if (!(r instanceof AuthResult.Challenge)) record(method, user, r, ours);
        onResult.accept(r);
    }

    /** The checks before any backend is asked: a valid name, and no hold-down on the tunnel or the name. */
    private Optional<AuthResult.Reject> admit(byte[] name, String user) {
        Optional<String> problem = UserName.problem(name);
        if (problem.isPresent()) {
            return Optional.of(new AuthResult.Reject(RejectReason.INVALID_USER_NAME, "user name: " + problem.get()));
        }
        return throttle.heldDown(tunnel, user, context.peer().getAddress()).map(scope -> {
            PppSettings.Throttle t = throttle.settings();
            int failures = scope == AuthThrottle.Scope.TUNNEL ? t.tunnelFailures() : t.userFailures();
            return new AuthResult.Reject(RejectReason.THROTTLED, failures + " failures for this " + scope.word().replace('_', ' ')
                    + " within " + t.window() + ": refused for up to " + t.holdDown());
        });
    }

    /**
     * What the session makes of the backend's accept: refused when its user is not a valid name, is not the user of
     * an earlier authentication of this session, or holds all the sessions its authorization allows already.
     */
    private Optional<AuthResult.Reject> vouch(AuthResult.Accept a) {
        Optional<String> problem = UserName.problem(a.user());
        if (problem.isPresent()) {
            return Optional.of(new AuthResult.Reject(RejectReason.INVALID_USER_NAME, "the backend's user name: " + problem.get()));
        }
        if (authorizedUser != null && !key(authorizedUser).equals(key(a.user()))) {
            return Optional.of(new AuthResult.Reject(RejectReason.IDENTITY_CHANGED,
                    "the session is " + authorizedUser + "'s, re-authentication named " + a.user()));
        }
        if (reservation == null) {
            Authorization z = a.authorization();
            SessionRegistry.Outcome taken = registry.reserve(a.user(), z.maxSessions(), z.rule(), z.maxSessionsTotal());
            reservation = taken.left().orElse(null);
            if (reservation == null) {
                return Optional.of(switch (taken.refusal().orElseThrow()) {
                    case USER_LIMIT -> new AuthResult.Reject(RejectReason.SESSION_LIMIT, "rule=" + z.rule()
                            + " allows " + z.maxSessions().getAsInt() + " sessions, user has " + registry.sessionsOf(a.user()));
                    case RULE_LIMIT -> new AuthResult.Reject(RejectReason.RULE_SESSION_LIMIT, "rule=" + z.rule()
                            + " allows " + z.maxSessionsTotal().getAsInt() + " sessions in all (max-sessions-total), it holds "
                            + registry.sessionsOfRule(z.rule()));
                });
            }
        }
        if (authorizedUser == null) authorizedUser = a.user();
        return Optional.empty();
    }

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }

    @Override
    public void authenticated(AuthMethod authenticated, AuthResult.Accept result) {
        if (state == State.DONE) return;
        cancelTimer();
        state = State.DONE;
        method = authenticated;
        accept = result;
        actions.authenticated(result);
    }

    @Override
    public void authenticationFailed(AuthMethod failed) {
        if (state == State.DONE) return;
        cancelTimer();
        state = State.DONE;
        actions.authenticationFailed(EndCause.AUTH_FAILED);
    }

    @Override
    public void noCommonMethod(AuthMethod last) {
        if (state == State.DONE) return;
        cancelTimer();
        state = State.DONE;
        meters.auth(last, new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, "peer refused every EAP method"));
        actions.authenticationFailed(EndCause.NO_COMMON_AUTH_METHOD);
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

    // ---- the backend's answer ----

    /**
     * What the protocol may act on: a failed or empty answer, a Challenge outside EAP pass-through, and an
     * MS-CHAPv2 accept without its 20-octet AuthenticatorResponse (RFC 2759 section 8.7) become rejects.
     */
    private static AuthResult normalize(AuthMethod method, Credentials credentials, AuthResult result, Throwable error) {
        if (error != null) return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "backend failed: " + error.getClass().getSimpleName());
        if (result == null) return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "backend returned nothing");
        boolean relayed = credentials instanceof EapCredentials;
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

    /**
     * Counts and logs a decision, and tells the throttle: wrong credentials and unknown users count against the
     * tunnel and the name, an invalid name or a mismatched identity against the tunnel only (the name may be anyone's),
     * a success exempts its address from the name's hold-downs. Our own refusals are logged at most once per
     * interval and reason; the backend's decisions every time.
     */
    private void record(AuthMethod verified, String user, AuthResult result, boolean ours) {
        meters.auth(verified, result);
        switch (result) {
            case AuthResult.Accept a -> {
                log.info("session={} auth ok method={} user={} rule={}", context.tag(), verified.configName(),
                        LogText.quote(a.user()), LogText.quote(a.authorization().rule()));
                throttle.succeeded(user, context.peer().getAddress());
            }
            case AuthResult.Reject r -> {
                if (ours) {
                    refusals.refused(r.reason(), "session={} peer={} auth failed method={} user={} reason={} detail={}",
                            context.tag(), address(), verified.configName(), LogText.quote(user), r.reason().label(),
                            LogText.escape(r.detail()));
                } else {
                    log.info("session={} auth failed method={} user={} reason={} detail={}", context.tag(),
                            verified.configName(), LogText.quote(user), r.reason().label(), LogText.escape(r.detail()));
                }
                List<AuthThrottle.HoldDown> started = switch (r.reason()) {
                    case BAD_CREDENTIALS, UNKNOWN_USER -> throttle.failed(tunnel, Optional.of(user));
                    case INVALID_USER_NAME, IDENTITY_MISMATCH -> throttle.failed(tunnel, Optional.empty());
                    default -> List.of();
                };
                for (AuthThrottle.HoldDown h : started) {
                    refusals.refused(h.scope(), "session={} peer={} auth throttled scope={} user={} after {} failures within {}: "
                            + "refused for {}", context.tag(), address(), h.scope().word(),
                            h.scope() == AuthThrottle.Scope.USER_NAME ? LogText.quote(user) : "-", h.failures(),
                            throttle.settings().window(), throttle.settings().holdDown());
                }
            }
            case AuthResult.Challenge c -> { }          // not a decision: never counted
        }
    }

    private String address() {
        return context.peer().getAddress() != null ? context.peer().getAddress().getHostAddress() + ":" + context.peer().getPort()
                : context.peer().getHostString() + ":" + context.peer().getPort();
    }
}
