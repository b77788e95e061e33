package net.l2sec.dataplane.ppp;

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
    final Authentication authentication = new Authentication(
            new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 1701), 1, 1, Instant.EPOCH),
            new PppServices(PppHarness.settings(AuthMethod.PAP), authenticator, name -> Optional.empty(),
                    new ClientRoutes(registry), p -> p.release(), scheduler, new PppMeters(registry), new PppHarness.ScriptedRandom(),
                    new PppSessionRegistry(scheduler)),
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
        authentication.verify(AuthMethod.MSCHAPV2, new MsChapV2Credentials("u", new byte[16], new byte[16], new byte[24]),
                results::add);
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
}
