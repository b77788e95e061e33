package net.l2sec.dataplane.ppp;

import io.netty.buffer.ByteBuf;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ppp.auth.AuthHost;
import net.l2sec.dataplane.ppp.auth.AuthServer;
import net.l2sec.dataplane.ppp.auth.ChapServer;
import net.l2sec.dataplane.ppp.auth.EapServer;
import net.l2sec.dataplane.ppp.auth.PapServer;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
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

    private AuthServer server;
    private Scheduler.Timeout timer;
    private AuthMethod method;
    private AuthResult.Accept accept;
    private State state = State.DONE;
    /** Numbers the backend requests; a result for an older one is stale. */
    private int request;

    Authentication(SessionContext context, PppServices services, Actions actions) {
        this.context = context;
        this.settings = services.settings();
        this.authenticator = services.authenticator();
        this.scheduler = services.scheduler();
        this.meters = services.meters();
        this.random = services.random();
        this.actions = actions;
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
                reason.label(), reject.detail());
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
    public void verify(AuthMethod verified, Credentials credentials, Consumer<AuthResult> onResult) {
        int thisRequest = ++request;
        state = State.BACKEND;
        CompletionStage<AuthResult> stage;
        try {
            stage = authenticator.authenticate(new AuthRequest(context, verified, credentials));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((result, error) -> scheduler.execute(() -> {
            if (thisRequest != request || state != State.BACKEND) return;   // late: timed out, or the phase is over
            AuthResult r = normalize(verified, credentials, result, error);
            state = r instanceof AuthResult.Reject ? State.REJECTED : State.PEER;
            if (!(r instanceof AuthResult.Challenge)) record(verified, credentials.user(), r);
            onResult.accept(r);
        }));
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

    private void record(AuthMethod verified, String user, AuthResult result) {
        meters.auth(verified, result);
        switch (result) {
            case AuthResult.Accept a -> log.info("session={} auth ok method={} user={} rule={}", context.tag(),
                    verified.configName(), a.user(), a.authorization().rule());
            case AuthResult.Reject r -> log.info("session={} auth failed method={} user={} reason={} detail={}",
                    context.tag(), verified.configName(), user, r.reason().label(), r.detail());
            case AuthResult.Challenge c -> { }          // not a decision: never counted
        }
    }
}
