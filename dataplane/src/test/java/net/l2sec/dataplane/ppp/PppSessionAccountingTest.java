package net.l2sec.dataplane.ppp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ppp.auth.EapCodec;
import net.l2sec.dataplane.ppp.auth.EapPacket;
import net.l2sec.dataplane.ppp.auth.EapType;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What accounting, Disconnect/CoA and RADIUS authorization see of a PPP session. */
class PppSessionAccountingTest {
    final PppHarness h = new PppHarness();
    final List<String> events = new ArrayList<>();
    final List<ActiveSession> started = new ArrayList<>();
    SessionCounters stoppedCounters;
    TerminateCause stoppedCause;

    @AfterEach
    void noLeaks() {
        h.releaseAll();
        assertThat(h.everSentReleased()).isTrue();
    }

    void observe() {
        h.sessions.observer(new SessionObserver() {
            @Override
            public void started(ActiveSession session) {
                events.add("start " + session.user());
                started.add(session);
            }

            @Override
            public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
                events.add("stop " + session.user());
                stoppedCounters = counters;
                stoppedCause = cause;
            }
        });
    }

    void papUp(Authorization authorization) throws Exception {
        papUp(authorization, "0a63000a");
    }

    void papUp(Authorization authorization, String addressHex) throws Exception {
        observe();
        h.backend = r -> new AuthResult.Accept("alice", Optional.empty(), authorization);
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "alice".getBytes(), "pw".getBytes())));
        h.openIpcp(addressHex);
    }

    static byte[] ipPacket(Inet4Address src, Inet4Address dst, int length) {
        byte[] p = new byte[length];
        p[0] = 0x45;
        p[2] = (byte) (length >> 8);
        p[3] = (byte) length;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(src.getAddress(), 0, p, 12, 4);
        System.arraycopy(dst.getAddress(), 0, p, 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        int c = ~sum & 0xffff;
        p[10] = (byte) (c >> 8);
        p[11] = (byte) c;
        return p;
    }

    @Test
    void establishedSessionIsReportedOnceWithItsIdentityAndStopCarriesCountersAndCause() throws Exception {
        var auth = new Authorization("staff", Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of("c1".getBytes()), Set.of("VPN-Users"), Optional.of("std"));
        papUp(auth);
        assertThat(events).containsExactly("start alice");
        ActiveSession a = started.getFirst();
        assertThat(a.acctSessionId()).isEqualTo(h.session.context().acctSessionId());
        assertThat(a.address().getHostAddress()).isEqualTo("10.99.0.10");
        assertThat(a.method()).isEqualTo(AuthMethod.PAP);
        assertThat(a.nasPort()).isEqualTo((1L << 16) | 1);
        assertThat(a.authorization().classes().getFirst()).isEqualTo("c1".getBytes());
        assertThat(h.sessions.sessionsOf("ALICE")).isEqualTo(1);

        h.receive(0x0021, ipPacket(PppHarness.ip("10.99.0.10"), PppHarness.ip("10.1.0.1"), 100));
        h.receive(0x0021, ipPacket(PppHarness.ip("10.99.0.10"), PppHarness.ip("10.1.0.1"), 60));
        h.session.sendIp(Unpooled.wrappedBuffer(ipPacket(PppHarness.ip("10.1.0.1"), PppHarness.ip("10.99.0.10"), 80)));
        var live = h.sessions.counters(a.acctSessionId()).toCompletableFuture();
        h.scheduler.runPending();
        assertThat(live.join()).contains(new SessionCounters(160, 80, 2, 1));

        var done = h.sessions.disconnect(a.acctSessionId(), TerminateCause.ADMIN_RESET).toCompletableFuture();
        h.scheduler.runPending();
        assertThat(done.join()).isTrue();
        // LCP Terminate-Request went out; the peer acks, the session ends
        var term = h.drainControl(0xC021).stream().filter(p -> p instanceof net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest).findFirst().orElseThrow();
        h.lcp(new net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateAck(term.identifier(), new byte[0]));
        assertThat(events).containsExactly("start alice", "stop alice");
        assertThat(stoppedCause).isEqualTo(TerminateCause.ADMIN_RESET);
        assertThat(stoppedCounters).isEqualTo(new SessionCounters(160, 80, 2, 1));
        assertThat(h.sessions.sessionsOf("alice")).isZero();
        var after = h.sessions.disconnect(a.acctSessionId(), TerminateCause.ADMIN_RESET).toCompletableFuture();
        h.scheduler.runPending();
        assertThat(after.join()).isFalse();
        h.assertTornDown(EndCause.ADMIN_DISCONNECT);
    }

    @Test
    void sessionThatNeverReachedIpcpIsNotReported() throws Exception {
        observe();
        h.backend = r -> new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "no");
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "alice".getBytes(), "pw".getBytes())));
        h.scheduler.advance(Duration.ofSeconds(30));
        assertThat(events).isEmpty();
    }

    @Test
    void idleTimeoutIsReportedAsIdleTimeoutAndCoaChangesTheLimit() throws Exception {
        papUp(new Authorization("r", Optional.empty(), List.of(), Optional.empty(), Optional.of(Duration.ofMinutes(10))));
        String id = started.getFirst().acctSessionId();
        h.scheduler.advance(Duration.ofMinutes(5));
        var coa = h.sessions.reauthorize(id, Optional.empty(), Optional.of(Duration.ofMinutes(6))).toCompletableFuture();
        h.scheduler.runPending();
        assertThat(coa.join()).isTrue();
        h.scheduler.advance(Duration.ofSeconds(59));
        assertThat(h.session.isEnded()).isFalse();
        h.scheduler.advance(Duration.ofSeconds(2));
        h.scheduler.advance(Duration.ofSeconds(30));    // Terminate-Request retransmissions run out
        assertThat(h.session.isEnded()).isTrue();
        assertThat(stoppedCause).isEqualTo(TerminateCause.IDLE_TIMEOUT);
    }

    /**
     * SessionControl.disconnect: accounting reports Admin-Reset even when the session was already ending for
     * another cause (here its idle timeout, Terminate-Request sent); PPP's own cause stays the first one.
     */
    @Test
    void operatorDisconnectWhileEndingIsReportedAsAdminResetToAccountingOnly() throws Exception {
        papUp(new Authorization("r", Optional.empty(), List.of(), Optional.empty(), Optional.of(Duration.ofMinutes(1))));
        String id = started.getFirst().acctSessionId();
        h.scheduler.advance(Duration.ofMinutes(1));
        assertThat(h.session.cause()).contains(EndCause.IDLE_TIMEOUT);
        var done = h.sessions.disconnect(id, TerminateCause.ADMIN_RESET).toCompletableFuture();
        h.scheduler.runPending();
        assertThat(done.join()).isTrue();
        var term = h.drainControl(0xC021).stream().filter(p -> p instanceof net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest).findFirst().orElseThrow();
        h.lcp(new net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateAck(term.identifier(), new byte[0]));
        assertThat(stoppedCause).isEqualTo(TerminateCause.ADMIN_RESET);
        h.assertTornDown(EndCause.IDLE_TIMEOUT);
    }

    @Test
    void onlyAdminResetIsAnOperatorsDisconnect() throws Exception {
        papUp(Authorization.defaults("r"));
        String id = started.getFirst().acctSessionId();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> h.sessions.disconnect(id, TerminateCause.USER_REQUEST));
        h.scheduler.runPending();
        assertThat(h.session.isEnded()).isFalse();
    }

    @Test
    void framedIpAddressInsideThePoolIsTakenFromIt() throws Exception {
        papUp(new Authorization("r", Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                Optional.of(PppHarness.ip("10.99.0.11")), List.of(), Set.of(), Optional.empty()), "0a63000b");
        assertThat(started.getFirst().address().getHostAddress()).isEqualTo("10.99.0.11");
        assertThat(h.pool.inUse()).isEqualTo(1);
        assertThat(h.pool.allocate(Ipv4.toInt(PppHarness.ip("10.99.0.11")))).isFalse();
    }

    // ---- EAP pass-through ----

    /** A relaying backend playing an EAP server that runs EAP-MD5 with one challenge round. */
    final List<EapCredentials> relayed = new ArrayList<>();

    EapPacket eapOut() throws Exception {
        return EapCodec.decode(Unpooled.wrappedBuffer(h.only(0xC227).info()));
    }

    @Test
    void eapIsRelayedRoundByRoundWithTheBackendsStateAndEndsWithSuccessForTheLastResponse() throws Exception {
        h.relayEap = true;
        observe();
        h.backend = r -> {
            var c = (EapCredentials) r.credentials();
            relayed.add(c);
            byte[] p = c.eapPacket();
            if (relayed.size() == 1) {
                // Identity answered: the server sends an MD5-Challenge with its own Identifier 0x42
                return new AuthResult.Challenge(EapCodec.encode(new EapPacket.Request(0x42, 4, new byte[] {1, 9})), "st-1".getBytes());
            }
            return p[1] == 0x42 && new String(c.state(), StandardCharsets.US_ASCII).equals("st-1")
                    ? PppHarness.accept("bob") : new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "no");
        };
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = (EapPacket.Request) eapOut();
        assertThat(identity.type()).isEqualTo(EapType.IDENTITY.code());
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "bob".getBytes())));
        assertThat(relayed.getFirst().user()).isEqualTo("bob");
        assertThat(relayed.getFirst().state()).isEmpty();
        var challenge = (EapPacket.Request) eapOut();
        assertThat(challenge.identifier()).isEqualTo(0x42);
        assertThat(challenge.type()).isEqualTo(4);
        // a Response with a stale Identifier is discarded, not relayed
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 4, new byte[] {1, 0})));
        assertThat(relayed).hasSize(1);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(0x42, 4, new byte[] {1, 7})));
        assertThat(relayed).hasSize(2);
        var success = h.drain().stream().filter(o -> o.protocol() == 0xC227).findFirst().orElseThrow();
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(success.info()))).isEqualTo(new EapPacket.Success(0x42));
        assertThat(h.session.phase()).isEqualTo(PppSession.Phase.NETWORK);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-md5", "result", "accept", "reason", "none")).isEqualTo(1);
        assertThat(h.registry.find("l2sec.ppp.auth").counters()).hasSize(1);     // the Challenge was not counted
    }

    @Test
    void eapRelayRejectSendsFailure() throws Exception {
        h.relayEap = true;
        h.backend = r -> new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "no");
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = (EapPacket.Request) eapOut();
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "bob".getBytes())));
        var failure = h.drain().stream().filter(o -> o.protocol() == 0xC227).findFirst().orElseThrow();
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(failure.info()))).isEqualTo(new EapPacket.Failure(identity.identifier()));
    }

    @Test
    void malformedChallengeFromTheBackendFailsAuthentication() throws Exception {
        h.relayEap = true;
        h.backend = r -> new AuthResult.Challenge(new byte[] {3, 1, 0, 4}, new byte[0]);     // a Success, not a Request
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = (EapPacket.Request) eapOut();
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "bob".getBytes())));
        var failure = h.drain().stream().filter(o -> o.protocol() == 0xC227).findFirst().orElseThrow();
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(failure.info()))).isInstanceOf(EapPacket.Failure.class);
    }
}
