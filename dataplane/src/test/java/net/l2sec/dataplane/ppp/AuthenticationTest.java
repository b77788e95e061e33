package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.SessionRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import org.junit.jupiter.api.Test;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The Authentication phase on its own, with PAP as the protocol: what it reports, counts and drops. */
class AuthenticationTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<CompletableFuture<AuthResult>> backend = new ArrayList<>();
    final List<String> reported = new ArrayList<>();
    final List<byte[]> sent = new ArrayList<>();
    final Authenticator authenticator = new Authenticator() {
        @Override
        public CompletionStage<AuthResult> authenticate(AuthRequest request) {
            var f = new CompletableFuture<AuthResult>();
            backend.add(f);
            return f;
        }
    };
    final SessionRegistry sessions = new SessionRegistry();
    final PppServices services = new PppServices(PppHarness.settings(AuthMethod.PAP), authenticator, name -> Optional.empty(),
            new ClientRoutes(registry), p -> p.release(), scheduler, new PppMeters(registry), new PppHarness.ScriptedRandom(),
            sessions, new AuthThrottle(scheduler, PppSettings.Throttle.defaults()),
            new RefusalLog(org.slf4j.LoggerFactory.getLogger(PppSession.class), scheduler), name -> Optional.empty());
    final Authentication authentication = new Authentication(
            new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 1701), 1, 1, Instant.EPOCH),
            services,
            new Authentication.Actions() {
                @Override
                public void send(PppProtocol protocol, byte[] packet) {
                    sent.add(packet);
                }

                @Override
                public void authenticated(AuthResult.Accept accept) {
                    reported.add("authenticated " + accept.user());
                }

                @Override
                public void authenticationFailed(EndCause cause) {
                    reported.add("failed " + cause);
                }
            });

    /** Another session's Authentication on the same services: tunnel {@code tunnel} from {@code peer}. */
    Authentication another(int tunnel, String peer) {
        return new Authentication(new SessionContext("t" + tunnel + "/s1", new InetSocketAddress(peer, 1701), tunnel, 1,
                Instant.EPOCH), services, new Authentication.Actions() {
                    @Override
                    public void send(PppProtocol protocol, byte[] packet) {}

                    @Override
                    public void authenticated(AuthResult.Accept accept) {
                        reported.add("authenticated " + accept.user());
                    }

                    @Override
                    public void authenticationFailed(EndCause cause) {
                        reported.add("failed " + cause);
                    }
                });
    }

    /** One PAP attempt for {@code user} on {@code a}; the backend answers {@code answer} if it is asked. */
    AuthResult attempt(Authentication a, String user, AuthResult answer) {
        List<AuthResult> results = new ArrayList<>();
        int asked = backend.size();
        a.start(AuthMethod.PAP);
        a.verify(AuthMethod.PAP, user.getBytes(), new net.l2sec.spi.auth.PapCredentials(user, "pw".getBytes()), results::add);
        if (backend.size() > asked) backend.getLast().complete(answer);
        scheduler.runPending();
        a.stop();
        assertThat(results).hasSize(1);
        return results.getFirst();
    }

    static final AuthResult WRONG = new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password");

    static RejectReason reason(AuthResult r) {
        return r instanceof AuthResult.Reject j ? j.reason() : null;
    }

    /** Hands {@code packet} of {@code protocol} to the phase, which must not consume it: the caller releases it. */
    void receive(PppProtocol protocol, byte[] packet) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        authentication.receive(protocol, b);
        assertThat(b.refCnt()).isEqualTo(1);
        b.release();
    }

    void papRequest() {
        receive(PppProtocol.PAP, PapCodec.encode(new PapPacket.AuthenticateRequest(1, "u".getBytes(), "p".getBytes())));
    }

    double rejects(String method, String reason) {
        var c = registry.find("l2sec.ppp.auth").tags("method", method, "result", "reject", "reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aPeerThatNeverAuthenticatesTimesOutAsPeerProtocol() {
        authentication.start(AuthMethod.PAP);
        assertThat(authentication.everStarted()).isTrue();
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(reported).containsExactly("failed AUTH_TIMEOUT");
        assertThat(rejects("pap", "peer_protocol")).isEqualTo(1);
    }

    @Test
    void aSilentBackendTimesOutAsBackendTimeoutAndItsLateAnswerIsDropped() {
        authentication.start(AuthMethod.PAP);
        papRequest();
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(reported).containsExactly("failed AUTH_TIMEOUT");
        assertThat(rejects("pap", "backend_timeout")).isEqualTo(1);
        backend.getFirst().complete(PppHarness.accept("u"));
        scheduler.runPending();
        assertThat(reported).containsExactly("failed AUTH_TIMEOUT");
        assertThat(authentication.accept()).isEmpty();
    }

    @Test
    void aResultAfterStopIsDropped() {
        authentication.start(AuthMethod.PAP);
        papRequest();
        authentication.stop();
        backend.getFirst().complete(PppHarness.accept("u"));
        scheduler.runPending();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(reported).isEmpty();
        assertThat(sent).isEmpty();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void acceptIsReportedOnceAndTheTimerStops() {
        authentication.start(AuthMethod.PAP);
        papRequest();
        backend.getFirst().complete(PppHarness.accept("u"));
        scheduler.runPending();
        assertThat(reported).containsExactly("authenticated u");
        assertThat(authentication.accept()).map(AuthResult.Accept::user).contains("u");
        assertThat(authentication.method()).contains(AuthMethod.PAP);
        assertThat(scheduler.activeTimers()).isZero();
        papRequest();                                            // a retransmission gets the same Ack, nothing more
        assertThat(sent).hasSize(2);
        assertThat(reported).hasSize(1);
    }

    @Test
    void aFailedBackendIsABackendError() {
        authentication.start(AuthMethod.PAP);
        papRequest();
        backend.getFirst().completeExceptionally(new IllegalStateException("down"));
        scheduler.runPending();
        assertThat(reported).containsExactly("failed AUTH_FAILED");
        assertThat(rejects("pap", "backend_error")).isEqualTo(1);
    }

    @Test
    void onlyTheRunningProtocolsPacketsReachIt() {
        receive(PppProtocol.PAP, new byte[] {1});                    // before the phase
        authentication.start(AuthMethod.PAP);
        receive(PppProtocol.CHAP, PapCodec.encode(new PapPacket.AuthenticateRequest(1, "u".getBytes(), "p".getBytes())));
        assertThat(backend).isEmpty();
        assertThat(registry.find("l2sec.ppp.packets.dropped").counters()).isEmpty();
    }

    /** RFC 2759 section 8.7: an MS-CHAPv2 accept must carry the 20-octet AuthenticatorResponse. */
    @Test
    void anMsChapV2AcceptWithoutAuthenticatorResponseIsRejected() {
        authentication.start(AuthMethod.PAP);
        List<AuthResult> results = new ArrayList<>();
        authentication.verify(AuthMethod.MSCHAPV2, "u".getBytes(), new MsChapV2Credentials("u", new byte[16], new byte[16],
                new byte[24]), results::add);
        backend.getFirst().complete(new AuthResult.Accept("u", Optional.of(new byte[19]), Authorization.defaults("r")));
        scheduler.runPending();
        assertThat(results).singleElement().isInstanceOfSatisfying(AuthResult.Reject.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.BACKEND_ERROR));
        assertThat(rejects("mschapv2", "backend_error")).isEqualTo(1);
    }

    @Test
    void aChallengeOutsideEapPassThroughIsRejected() {
        authentication.start(AuthMethod.PAP);
        papRequest();
        backend.getFirst().complete(new AuthResult.Challenge(new byte[] {1, 1, 0, 4}, new byte[0]));
        scheduler.runPending();
        assertThat(reported).containsExactly("failed AUTH_FAILED");
        assertThat(rejects("pap", "backend_error")).isEqualTo(1);
    }

    // ---- throttling (ppp.auth-throttle; defaults: 3 per tunnel, 5 per name, within 10 minutes, held 10 minutes) ----

    @Test
    void failuresOnOneTunnelHoldItDownWithoutAskingTheBackend() {
        Authentication a = another(7, "198.51.100.1");
        for (String user : List.of("u1", "u2", "u3")) assertThat(reason(attempt(a, user, WRONG))).isEqualTo(RejectReason.BAD_CREDENTIALS);
        int asked = backend.size();
        assertThat(reason(attempt(a, "u4", PppHarness.accept("u4")))).isEqualTo(RejectReason.THROTTLED);
        assertThat(backend).as("the backend is not asked").hasSize(asked);
        assertThat(rejects("pap", "throttled")).isEqualTo(1);
        // another tunnel, even from the same address, is not held
        assertThat(attempt(another(8, "198.51.100.1"), "u4", PppHarness.accept("u4"))).isInstanceOf(AuthResult.Accept.class);
        // the hold-down ends 10 minutes after the failure that began it; refusals meanwhile did not extend it
        scheduler.advance(Duration.ofMinutes(9));
        assertThat(reason(attempt(a, "u5", PppHarness.accept("u5")))).isEqualTo(RejectReason.THROTTLED);
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(attempt(a, "u5", PppHarness.accept("u5"))).isInstanceOf(AuthResult.Accept.class);
    }

    @Test
    void failuresForOneNameHoldItDownOnEveryTunnel() {
        for (int t = 1; t <= 5; t++) assertThat(reason(attempt(another(t, "203.0.113." + t), "alice", WRONG))).isEqualTo(RejectReason.BAD_CREDENTIALS);
        int asked = backend.size();
        assertThat(reason(attempt(another(6, "203.0.113.6"), "ALICE", PppHarness.accept("alice")))).isEqualTo(RejectReason.THROTTLED);
        assertThat(backend).hasSize(asked);
        assertThat(attempt(another(7, "203.0.113.6"), "bob", PppHarness.accept("bob"))).as("other names go on").isInstanceOf(AuthResult.Accept.class);
        scheduler.advance(Duration.ofMinutes(10));
        assertThat(attempt(another(8, "203.0.113.6"), "alice", PppHarness.accept("alice"))).isInstanceOf(AuthResult.Accept.class);
    }

    /** A guesser elsewhere cannot keep a user out who comes back from where they authenticated before. */
    @Test
    void aNamesHoldDownSparesTheAddressesItAuthenticatedFrom() {
        assertThat(attempt(another(1, "192.0.2.50"), "alice", PppHarness.accept("alice"))).isInstanceOf(AuthResult.Accept.class);
        for (int t = 2; t <= 6; t++) attempt(another(t, "203.0.113." + t), "alice", WRONG);
        assertThat(reason(attempt(another(7, "203.0.113.99"), "alice", PppHarness.accept("alice")))).isEqualTo(RejectReason.THROTTLED);
        assertThat(attempt(another(8, "192.0.2.50"), "alice", PppHarness.accept("alice"))).as("from alice's own address")
                .isInstanceOf(AuthResult.Accept.class);
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        for (int t = 1; t <= 4; t++) attempt(another(t, "203.0.113." + t), "alice", WRONG);
        scheduler.advance(Duration.ofMinutes(10));
        attempt(another(5, "203.0.113.5"), "alice", WRONG);
        assertThat(attempt(another(6, "203.0.113.6"), "alice", PppHarness.accept("alice"))).isInstanceOf(AuthResult.Accept.class);
    }

    /** An invalid name may be anyone's: it counts against the tunnel that sent it, never against a name. */
    @Test
    void anInvalidNameIsRefusedBeforeTheBackendAndCountsAgainstTheTunnel() {
        Authentication a = another(9, "198.51.100.9");
        for (int i = 0; i < 3; i++) assertThat(reason(attempt(a, "alice\n", PppHarness.accept("alice")))).isEqualTo(RejectReason.INVALID_USER_NAME);
        assertThat(backend).isEmpty();
        assertThat(reason(attempt(a, "alice", PppHarness.accept("alice")))).isEqualTo(RejectReason.THROTTLED);
        assertThat(attempt(another(10, "198.51.100.9"), "alice", PppHarness.accept("alice"))).isInstanceOf(AuthResult.Accept.class);
    }

    @Test
    void refusalsAreCountedEachTimeAndLoggedAtMostOncePerInterval() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(PppSession.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            Authentication a = another(11, "198.51.100.11");
            for (int i = 0; i < 3; i++) attempt(a, "u" + i, WRONG);
            for (int i = 0; i < 50; i++) attempt(a, "x", PppHarness.accept("x"));
            assertThat(rejects("pap", "throttled")).isEqualTo(50);
            assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains("reason=throttled")).hasSize(1);
            assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains("auth throttled scope=tunnel")).hasSize(1);
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void aThrottleWithoutHoldDownNeverRefuses() {
        services.throttle().settings(new PppSettings.Throttle(Duration.ofMinutes(10), 1, 1, Duration.ZERO));
        Authentication a = another(12, "198.51.100.12");
        for (int i = 0; i < 10; i++) assertThat(reason(attempt(a, "alice", WRONG))).isEqualTo(RejectReason.BAD_CREDENTIALS);
    }
}
