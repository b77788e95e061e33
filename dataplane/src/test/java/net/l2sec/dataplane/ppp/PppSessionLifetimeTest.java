package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppHarness.opt;
import static net.l2sec.dataplane.ppp.PppSessionTest.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a session's life goes on and ends: LCP renegotiation, authorization timers, and teardown. */
class PppSessionLifetimeTest {
    final PppHarness h = new PppHarness();

    @AfterEach
    void noLeaks() {
        h.releaseAll();
        assertThat(h.everSentReleased()).as("every frame sent to the link released").isTrue();
    }

    static AuthResult.Accept acceptWith(Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        return new AuthResult.Accept("User", Optional.empty(),
                new Authorization("r1", Optional.empty(), List.of(), sessionTimeout, idleTimeout));
    }

    /** PAP Authenticate-Request from the peer, answered with an Ack; the IPCP request that follows stays queued. */
    void pap(int identifier) throws Exception {
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(identifier, "User".getBytes(), "clientPass".getBytes())));
        List<PppHarness.Out> out = h.drain();
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()))).isInstanceOf(PapPacket.AuthenticateAck.class);
        h.pushBack(out.subList(1, out.size()));
    }

    void upWithPap(PppSettings settings) throws Exception {
        h.start(settings);
        h.openLcp();
        pap(5);
        h.openIpcp();
    }

    /** The peer sends a new LCP Configure-Request while Opened; returns our Configure-Request that follows. */
    ConfigureRequest peerRenegotiatesLcp() throws Exception {
        h.lcp(new ConfigureRequest(2, List.of(opt(1, "0500"), opt(5, "11223344"))));
        List<ControlPacket> lcp = h.drainControl(0xC021);
        assertThat(lcp).hasSize(2);
        assertThat(lcp.get(1)).isInstanceOf(ConfigureAck.class);   // tld, scr, sca (RFC 1661 section 4.1, Opened RCR+)
        return (ConfigureRequest) lcp.getFirst();
    }

    double activeSessions() {
        return h.registry.get("l2sec.ppp.sessions.active").gauge().value();
    }

    // ---- LCP renegotiation (RFC 1661 section 3.2: a Configure-Request returns the link to establishment) ----

    /** The session keeps its address through the renegotiation, so its record (and accounting's) stays true. */
    @Test
    void lcpRenegotiationTakesNetworkLayerDownThenReauthenticatesKeepingItsAddress() throws Exception {
        h.backend = PppSessionTest::localBackend;
        upWithPap(PppHarness.settings(AuthMethod.PAP));
        assertThat(h.pool.inUse()).isEqualTo(1);
        assertThat(h.routes.size()).isEqualTo(1);

        var ours = peerRenegotiatesLcp();
        assertThat(h.session.phase()).isEqualTo(PppSession.Phase.ESTABLISH);
        assertThat(h.session.isIpcpOpened()).isFalse();
        assertThat(h.routes.size()).isZero();
        assertThat(h.pool.inUse()).as("the address stays the session's, not the pool's").isEqualTo(1);
        assertThat(h.session.clientAddress()).contains(PppHarness.ip("10.99.0.10"));
        assertThat(activeSessions()).isZero();
        h.receive(0x0021, ipv4("10.99.0.10", "8.8.8.8"));
        assertThat(h.egress).isEmpty();

        h.lcp(new ConfigureAck(ours.identifier(), ours.options()));
        assertThat(h.session.phase()).isEqualTo(PppSession.Phase.AUTHENTICATE);
        h.ipcp(new ConfigureRequest(1, List.of(opt(3, "0a63000a"))));      // not in the network phase: discarded
        assertThat(h.drain()).isEmpty();
        pap(6);
        assertThat(h.authRequests).hasSize(2);
        h.openIpcp();
        assertThat(h.pool.inUse()).isEqualTo(1);
        assertThat(h.routes.size()).isEqualTo(1);
        assertThat(h.session.clientAddress()).contains(PppHarness.ip("10.99.0.10"));
        assertThat(activeSessions()).isEqualTo(1);

        h.session.lowerLayerDown(EndCause.PEER_REQUEST);
        h.assertTornDown(null);
    }

    /** The session's record names one user: re-authentication as another (with that user's valid password) ends it. */
    @Test
    void reauthenticationAsAnotherUserIsRefused() throws Exception {
        h.backend = r -> PppHarness.accept(r.credentials().user());
        upWithPap(PppHarness.settings(AuthMethod.PAP));
        assertThat(h.session.active()).map(a -> a.user()).contains("User");
        assertThat(h.sessions.sessionsOf("User")).isEqualTo(1);
        var ours = peerRenegotiatesLcp();
        h.lcp(new ConfigureAck(ours.identifier(), ours.options()));
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(6, "Mallory".getBytes(), "hers".getBytes())));
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(h.drain().getFirst().info()))).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(h.counter("l2sec.ppp.auth", "method", "pap", "result", "reject", "reason", "identity_changed")).isEqualTo(1);
        assertThat(h.sessions.sessionsOf("Mallory")).as("never counted for the other name").isZero();
        assertThat(h.session.active()).map(a -> a.user()).contains("User");
        h.scheduler.advance(Duration.ofSeconds(10));
        h.assertTornDown(EndCause.AUTH_FAILED);
        assertThat(h.sessions.sessionsOf("User")).isZero();
    }

    @Test
    void reauthenticationAsTheSameUserKeepsOnePlaceInTheSessionCount() throws Exception {
        h.backend = r -> PppHarness.accept(h.authRequests.size() == 1 ? "User" : "USER");
        upWithPap(PppHarness.settings(AuthMethod.PAP));
        var ours = peerRenegotiatesLcp();
        h.lcp(new ConfigureAck(ours.identifier(), ours.options()));
        pap(6);
        h.openIpcp();
        assertThat(h.sessions.sessionsOf("user")).isEqualTo(1);
        assertThat(h.session.active()).map(a -> a.user()).contains("User");
        h.session.lowerLayerDown(EndCause.PEER_REQUEST);
        assertThat(h.sessions.sessionsOf("user")).isZero();
    }

    @Test
    void failedReauthenticationAfterRenegotiationEndsTheSession() throws Exception {
        h.backend = r -> h.authRequests.size() == 1 ? PppHarness.accept("User")
                : new AuthResult.Reject(net.l2sec.spi.auth.RejectReason.ACCOUNT_DISABLED, "disabled meanwhile");
        upWithPap(PppHarness.settings(AuthMethod.PAP));
        var ours = peerRenegotiatesLcp();
        h.lcp(new ConfigureAck(ours.identifier(), ours.options()));
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(6, "User".getBytes(), "clientPass".getBytes())));
        h.scheduler.advance(Duration.ofSeconds(10));
        h.assertTornDown(EndCause.AUTH_FAILED);
    }

    @Test
    void lcpRenegotiationDoesNotExtendTheSessionTimeout() throws Exception {
        h.backend = r -> acceptWith(Optional.of(Duration.ofMinutes(5)), Optional.empty());
        upWithPap(PppHarness.settingsWithoutEcho(AuthMethod.PAP));
        h.scheduler.advance(Duration.ofMinutes(3));
        var ours = peerRenegotiatesLcp();
        h.lcp(new ConfigureAck(ours.identifier(), ours.options()));
        pap(6);
        h.openIpcp();
        h.scheduler.advance(Duration.ofMinutes(2).minusSeconds(1));
        assertThat(h.drain()).isEmpty();
        h.scheduler.advance(Duration.ofSeconds(1));
        var terminate = (TerminateRequest) h.drainControl(0xC021).getFirst();
        h.lcp(new TerminateAck(terminate.identifier(), new byte[0]));
        h.assertTornDown(EndCause.SESSION_TIMEOUT);
    }

    // ---- authorization timers ----

    @Test
    void idleTimeoutEndsSessionAndIpTrafficEitherWayResetsIt() throws Exception {
        h.backend = r -> acceptWith(Optional.empty(), Optional.of(Duration.ofSeconds(60)));
        upWithPap(PppHarness.settingsWithoutEcho(AuthMethod.PAP));
        h.scheduler.advance(Duration.ofSeconds(40));
        h.receive(0x0021, ipv4("10.99.0.10", "8.8.8.8"));                  // from the client at t=40
        h.scheduler.advance(Duration.ofSeconds(40));
        assertThat(h.session.isEnded()).isFalse();
        assertThat(h.session.cause()).isEmpty();
        ByteBuf toClient = Unpooled.buffer().writeBytes(ipv4("8.8.8.8", "10.99.0.10"));
        h.routes.deliver(toClient);                                         // to the client at t=80
        assertThat(h.drain()).hasSize(1);
        h.scheduler.advance(Duration.ofSeconds(59));
        assertThat(h.session.cause()).isEmpty();
        assertThat(h.drain()).isEmpty();

        h.scheduler.advance(Duration.ofSeconds(2));                         // t=141, idle since t=80
        assertThat(h.session.cause()).contains(EndCause.IDLE_TIMEOUT);
        var terminate = (TerminateRequest) h.drainControl(0xC021).getFirst();
        assertThat(h.link.closed).isEmpty();
        h.lcp(new TerminateAck(terminate.identifier(), new byte[0]));
        h.assertTornDown(EndCause.IDLE_TIMEOUT);
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "idle_timeout")).isZero();
    }

    @Test
    void sessionTimeoutFiresAndEndsCleanlyWithoutTerminateAck() throws Exception {
        h.backend = r -> acceptWith(Optional.of(Duration.ofMinutes(5)), Optional.of(Duration.ofMinutes(2)));
        upWithPap(PppHarness.settingsWithoutEcho(AuthMethod.PAP));
        for (int i = 0; i < 4; i++) {                                       // traffic keeps the idle timer quiet
            h.scheduler.advance(Duration.ofMinutes(1));
            h.receive(0x0021, ipv4("10.99.0.10", "8.8.8.8"));
        }
        h.scheduler.advance(Duration.ofSeconds(59));
        assertThat(h.session.cause()).isEmpty();
        h.scheduler.advance(Duration.ofSeconds(1));
        assertThat(h.session.cause()).contains(EndCause.SESSION_TIMEOUT);
        assertThat(h.drainControl(0xC021)).singleElement().isInstanceOf(TerminateRequest.class);
        h.scheduler.advance(Duration.ofSeconds(10));                        // Max-Terminate Terminate-Requests, then tlf
        h.assertTornDown(EndCause.SESSION_TIMEOUT);
    }

    // ---- teardown ----

    @ParameterizedTest
    @ValueSource(strings = {"cdn_in_network_phase", "cdn_during_eap", "auth_failed", "echo_timeout"})
    void everyEndLeavesNoTimerAddressRouteGaugeOrBuffer(String how) throws Exception {
        h.backend = PppSessionTest::localBackend;
        switch (how) {
            case "cdn_in_network_phase" -> {
                upWithPap(PppHarness.settings(AuthMethod.PAP));
                h.receive(0x0021, ipv4("10.99.0.10", "8.8.8.8"));
                h.routes.deliver(Unpooled.directBuffer().writeBytes(ipv4("8.8.8.8", "10.99.0.10")));
                h.session.lowerLayerDown(EndCause.PEER_REQUEST);
                h.assertTornDown(null);
            }
            case "cdn_during_eap" -> {
                h.start(PppHarness.settings(AuthMethod.EAP_MSCHAPV2));
                h.openLcp();
                h.scheduler.advance(Duration.ofSeconds(4));                // Identity request retransmitted once
                assertThat(h.drain()).extracting(PppHarness.Out::protocol).containsExactly(0xC227, 0xC227);
                h.session.lowerLayerDown(EndCause.PEER_REQUEST);
                h.assertTornDown(null);
            }
            case "auth_failed" -> {
                h.start(PppHarness.settings(AuthMethod.PAP));
                h.openLcp();
                h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "nope".getBytes())));
                h.scheduler.advance(Duration.ofSeconds(10));
                h.assertTornDown(EndCause.AUTH_FAILED);
            }
            case "echo_timeout" -> {
                upWithPap(PppHarness.settings(AuthMethod.PAP));
                h.scheduler.advance(Duration.ofSeconds(60));
                h.assertTornDown(EndCause.ECHO_TIMEOUT);
            }
            default -> throw new IllegalArgumentException(how);
        }
        assertThat(h.session.phase()).isEqualTo(PppSession.Phase.DEAD);
    }
}
