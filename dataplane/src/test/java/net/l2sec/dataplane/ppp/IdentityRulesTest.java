package net.l2sec.dataplane.ppp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.l2sec.dataplane.ppp.auth.ChapCodec;
import net.l2sec.dataplane.ppp.auth.ChapPacket;
import net.l2sec.dataplane.ppp.auth.EapCodec;
import net.l2sec.dataplane.ppp.auth.EapPacket;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who a session belongs to is what the backend vouched for, and a name reaches no backend, log or accounting
 * record unless it is one: the dataplane's rules, with fake backends, for every protocol that carries a name.
 */
class IdentityRulesTest {
    final PppHarness h = new PppHarness();
    final List<PppHarness> others = new ArrayList<>();

    /** Every harness is drained before any is checked: pooled buffer objects are recycled between harnesses. */
    @AfterEach
    void noLeaks() {
        h.releaseAll();
        for (PppHarness o : others) o.releaseAll();
        assertThat(h.everSentReleased()).as("every frame sent to the link released").isTrue();
        for (PppHarness o : others) assertThat(o.everSentReleased()).as("every frame sent to the other links released").isTrue();
    }

    double rejects(PppHarness harness, String method, RejectReason reason) {
        return harness.counter("l2sec.ppp.auth", "method", method, "result", "reject", "reason", reason.label());
    }

    void pap(PppHarness harness, byte[] name) {
        harness.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, name, "clientPass".getBytes())));
    }

    PapPacket papAnswer(PppHarness harness) throws Exception {
        return PapCodec.decode(Unpooled.wrappedBuffer(harness.drain().stream().filter(o -> o.protocol() == 0xC023)
                .findFirst().orElseThrow().info()));
    }

    // ---- user names: checked where PPP receives them, before any backend ----

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "626f620a61646d696e",          // "bob\nadmin": a newline would split an accounting record or a log line
            "626f6200",                    // NUL
            "626f627f",                    // DEL
            "626f62c285",                  // U+0085 NEL, a C1 control
            "626f62c3",                    // truncated UTF-8
            "c328",                        // invalid UTF-8 sequence
            "c0af",                        // overlong encoding of '/'
            "eda080",                      // a surrogate encoded in UTF-8
            ""})                           // no name at all
    void aPapPeerIdThatIsNoUserNameIsRefusedBeforeTheBackend(String nameHex) throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        pap(h, hex(nameHex));
        assertThat(papAnswer(h)).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(h.authRequests).as("no backend asked").isEmpty();
        assertThat(rejects(h, "pap", RejectReason.INVALID_USER_NAME)).isEqualTo(1);
        h.scheduler.advance(java.time.Duration.ofSeconds(10));
        assertThat(h.link.closed).containsExactly(EndCause.AUTH_FAILED);
    }

    @Test
    void aNameOf253OctetsIsAcceptedAnd254AreNot() throws Exception {
        h.backend = r -> PppHarness.accept(r.credentials().user());
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        String longest = "ü".repeat(126) + "x";                     // 253 octets, 127 characters
        assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(253);
        pap(h, longest.getBytes(StandardCharsets.UTF_8));
        assertThat(papAnswer(h)).isInstanceOf(PapPacket.AuthenticateAck.class);
        assertThat(h.session.accept()).map(AuthResult.Accept::user).contains(longest);

        PppHarness o = other();
        o.backend = h.backend;
        o.start(PppHarness.settings(AuthMethod.PAP));
        o.openLcp();
        pap(o, (longest + "y").getBytes(StandardCharsets.UTF_8));
        assertThat(papAnswer(o)).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(o.authRequests).isEmpty();
        assertThat(rejects(o, "pap", RejectReason.INVALID_USER_NAME)).isEqualTo(1);
    }

    PppHarness other() {
        PppHarness o = new PppHarness(h.sessions);
        others.add(o);
        return o;
    }

    @Test
    void aChapNameThatIsNoUserNameIsRefused() throws Exception {
        for (AuthMethod method : List.of(AuthMethod.CHAP_MD5, AuthMethod.MSCHAPV2)) {
            PppHarness o = other();
            o.backend = PppSessionTest::localBackend;
            o.start(PppHarness.settings(method));
            o.openLcp();
            var c = (ChapPacket.Challenge) ChapCodec.decode(Unpooled.wrappedBuffer(o.only(0xC223).info()));
            byte[] value = method == AuthMethod.MSCHAPV2 ? PppSessionTest.msChapV2Value(PppSessionTest.NT_RESPONSE) : new byte[16];
            o.receive(0xC223, ChapCodec.encode(new ChapPacket.Response(c.identifier(), value, hex("557365720d0a"))));
            var answer = ChapCodec.decode(Unpooled.wrappedBuffer(o.drain().getFirst().info()));
            assertThat(answer).as(method.name()).isInstanceOf(ChapPacket.Failure.class);
            if (method == AuthMethod.MSCHAPV2) assertThat(((ChapPacket.Failure) answer).message()).startsWith("E=691 ");
            assertThat(o.authRequests).isEmpty();
            assertThat(rejects(o, method.configName(), RejectReason.INVALID_USER_NAME)).isEqualTo(1);
        }
    }

    EapPacket.Request eapRequest(PppHarness harness) throws Exception {
        return (EapPacket.Request) EapCodec.decode(Unpooled.wrappedBuffer(harness.only(0xC227).info()));
    }

    /** The EAP packet sent; whatever else was sent stays for the test to read. */
    EapPacket eapOut(PppHarness harness) throws Exception {
        List<PppHarness.Out> out = harness.drain();
        PppHarness.Out eap = out.stream().filter(o -> o.protocol() == 0xC227).findFirst().orElseThrow();
        harness.pushBack(out.stream().filter(o -> o != eap).toList());
        return EapCodec.decode(Unpooled.wrappedBuffer(eap.info()));
    }

    @Test
    void anEapIdentityThatIsNoUserNameIsRefusedBeforeTheBackendAlsoInPassThrough() throws Exception {
        h.relayEap = true;
        h.backend = r -> new AuthResult.Challenge(EapCodec.encode(new EapPacket.Request(0x42, 4, new byte[] {1, 9})), new byte[0]);
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = eapRequest(h);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "bob\u2028\u0085x".getBytes(StandardCharsets.UTF_8))));
        assertThat(eapOut(h)).isEqualTo(new EapPacket.Failure(identity.identifier()));
        assertThat(h.authRequests).isEmpty();
        assertThat(rejects(h, "eap-mschapv2", RejectReason.INVALID_USER_NAME)).isEqualTo(1);
    }

    // ---- EAP-MSCHAPv2: the Name the response was computed with must be the EAP Identity ----

    static byte[] eapMsChapV2Response(EapPacket.Request challenge, byte[] name) {
        byte[] resp = new byte[5 + 49 + name.length];
        resp[0] = 2;
        resp[1] = challenge.typeData().length > 1 ? challenge.typeData()[1] : 0;
        resp[2] = (byte) (resp.length >>> 8);
        resp[3] = (byte) resp.length;
        resp[4] = 49;
        System.arraycopy(PppSessionTest.msChapV2Value(PppSessionTest.NT_RESPONSE), 0, resp, 5, 49);
        System.arraycopy(name, 0, resp, 54, name.length);
        return EapCodec.encode(new EapPacket.Response(challenge.identifier(), 26, resp));
    }

    @Test
    void anEapMsChapV2NameOtherThanTheIdentityIsRefusedBeforeTheBackend() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = eapRequest(h);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "ceo".getBytes())));
        var challenge = eapRequest(h);
        // the response proves "User"'s password, the session would be known as "ceo"
        h.receive(0xC227, eapMsChapV2Response(challenge, "User".getBytes()));
        var failure = (EapPacket.Request) eapOut(h);
        assertThat(failure.typeData()[0]).as("MS-CHAPv2 Failure").isEqualTo((byte) 4);
        assertThat(h.authRequests).isEmpty();
        assertThat(rejects(h, "eap-mschapv2", RejectReason.IDENTITY_MISMATCH)).isEqualTo(1);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(failure.identifier(), 26, new byte[] {4})));
        assertThat(eapOut(h)).isInstanceOf(EapPacket.Failure.class);
        assertThat(h.session.accept()).isEmpty();
    }

    @Test
    void inPassThroughAnEapMsChapV2NameOtherThanTheIdentityIsNotRelayed() throws Exception {
        h.relayEap = true;
        List<EapCredentials> relayed = new ArrayList<>();
        h.backend = r -> {
            relayed.add((EapCredentials) r.credentials());
            // the server's EAP-MSCHAPv2 Challenge, MS-CHAPv2-ID 7
            byte[] d = new byte[5 + 16 + 4];
            d[0] = 1;
            d[1] = 7;
            d[3] = (byte) d.length;
            d[4] = 16;
            return new AuthResult.Challenge(EapCodec.encode(new EapPacket.Request(0x42, 26, d)), "st".getBytes());
        };
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = eapRequest(h);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "alice".getBytes())));
        var challenge = eapRequest(h);
        assertThat(challenge.identifier()).isEqualTo(0x42);
        h.receive(0xC227, eapMsChapV2Response(challenge, "bob".getBytes()));
        assertThat(relayed).as("only the Identity was relayed").hasSize(1);
        assertThat(eapOut(h)).isEqualTo(new EapPacket.Failure(0x42));
        assertThat(rejects(h, "eap-mschapv2", RejectReason.IDENTITY_MISMATCH)).isEqualTo(1);
    }

    @Test
    void inPassThroughTheBackendsUserNameIsTheSessionsUser() throws Exception {
        h.relayEap = true;
        List<ActiveSession> started = new ArrayList<>();
        h.sessions.observer(observer(started));
        h.backend = r -> {
            byte[] p = ((EapCredentials) r.credentials()).eapPacket();
            if (p[4] == 1) {
                byte[] d = {1, 7, 0, 21, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
                return new AuthResult.Challenge(EapCodec.encode(new EapPacket.Request(0x42, 26, d)), "st".getBytes());
            }
            // the Access-Accept's User-Name: what the server knows the user as
            return new AuthResult.Accept("CORP\\alice", Optional.empty(), Authorization.defaults("staff"));
        };
        h.start(PppHarness.settingsWithoutEcho(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = eapRequest(h);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "alice".getBytes())));
        h.receive(0xC227, eapMsChapV2Response(eapRequest(h), "alice".getBytes()));
        assertThat(eapOut(h)).isEqualTo(new EapPacket.Success(0x42));
        h.openIpcp();
        assertThat(started).singleElement().extracting(ActiveSession::user).isEqualTo("CORP\\alice");
        assertThat(h.sessions.sessionsOf("corp\\ALICE")).isEqualTo(1);
        assertThat(h.sessions.sessionsOf("alice")).isZero();
    }

    @Test
    void aBackendUserNameThatIsNoUserNameIsRefused() throws Exception {
        h.backend = r -> PppHarness.accept("alice\nStop,alice,forged");
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        pap(h, "alice".getBytes());
        assertThat(papAnswer(h)).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(rejects(h, "pap", RejectReason.INVALID_USER_NAME)).isEqualTo(1);
        assertThat(h.counter("l2sec.ppp.auth", "method", "pap", "result", "accept", "reason", "none")).isZero();
    }

    static SessionObserver observer(List<ActiveSession> started) {
        return new SessionObserver() {
            @Override
            public void started(ActiveSession session) {
                started.add(session);
            }

            @Override
            public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {}
        };
    }

    // ---- max-sessions: counted from the accept, in the step that checks it ----

    static AuthResult.Accept acceptWithLimit(String user, int maxSessions) {
        return new AuthResult.Accept(user, Optional.empty(), Authorization.defaults("staff").withMaxSessions(OptionalInt.of(maxSessions)));
    }

    /** Both logins passed the policy's check before either counted (their accepts were in flight together). */
    @Test
    void parallelLoginsCannotExceedTheSessionLimit() throws Exception {
        PppHarness second = other();
        for (PppHarness x : List.of(h, second)) {
            x.start(PppHarness.settings(AuthMethod.PAP));
            x.openLcp();
            pap(x, "alice".getBytes());
        }
        assertThat(h.pending).hasSize(1);
        assertThat(second.pending).hasSize(1);
        h.pending.getFirst().complete(acceptWithLimit("alice", 1));
        second.pending.getFirst().complete(acceptWithLimit("Alice", 1));
        h.scheduler.runPending();
        second.scheduler.runPending();

        assertThat(papAnswer(h)).isInstanceOf(PapPacket.AuthenticateAck.class);
        assertThat(papAnswer(second)).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(rejects(second, "pap", RejectReason.SESSION_LIMIT)).isEqualTo(1);
        assertThat(h.sessions.sessionsOf("ALICE")).as("counted from authentication, before IPCP").isEqualTo(1);
        assertThat(h.session.isIpcpOpened()).isFalse();

        second.scheduler.advance(java.time.Duration.ofSeconds(10));
        assertThat(second.link.closed).containsExactly(EndCause.AUTH_FAILED);
        assertThat(h.sessions.sessionsOf("alice")).as("the refused session never counted").isEqualTo(1);

        // the limit is per user: bob is not affected; and once alice's session ends, her place is free again
        h.session.lowerLayerDown(EndCause.PEER_REQUEST);
        assertThat(h.sessions.sessionsOf("alice")).isZero();
        PppHarness third = other();
        third.backend = r -> acceptWithLimit("alice", 1);
        third.start(PppHarness.settings(AuthMethod.PAP));
        third.openLcp();
        pap(third, "alice".getBytes());
        assertThat(papAnswer(third)).isInstanceOf(PapPacket.AuthenticateAck.class);
        assertThat(h.sessions.sessionsOf("alice")).isEqualTo(1);
    }

    /** A rule's max-sessions-total: a second user of the rule is refused, with its own reason, while the first holds it. */
    @Test
    void aRulesTotalCapRefusesTheNextUserOfTheRule() throws Exception {
        h.backend = r -> new AuthResult.Accept("alice", Optional.empty(),
                Authorization.defaults("contractors").withMaxSessionsTotal(OptionalInt.of(1)));
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        pap(h, "alice".getBytes());
        assertThat(papAnswer(h)).isInstanceOf(PapPacket.AuthenticateAck.class);
        PppHarness second = other();
        second.backend = r -> new AuthResult.Accept("bob", Optional.empty(),
                Authorization.defaults("contractors").withMaxSessionsTotal(OptionalInt.of(1)));
        second.start(PppHarness.settings(AuthMethod.PAP));
        second.openLcp();
        pap(second, "bob".getBytes());
        assertThat(papAnswer(second)).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(rejects(second, "pap", RejectReason.RULE_SESSION_LIMIT)).isEqualTo(1);
        assertThat(h.sessions.sessionsOfRule("contractors")).isEqualTo(1);
        assertThat(h.sessions.sessionsOf("bob")).isZero();
        h.session.lowerLayerDown(EndCause.PEER_REQUEST);
        assertThat(h.sessions.sessionsOfRule("contractors")).isZero();
    }

    @Test
    void aSessionThatFailsAfterItsAcceptGivesItsPlaceBack() throws Exception {
        h.backend = r -> acceptWithLimit("alice", 1);
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        pap(h, "alice".getBytes());
        assertThat(h.sessions.sessionsOf("alice")).isEqualTo(1);
        // IPCP never opens
        h.scheduler.advance(java.time.Duration.ofMinutes(2));
        assertThat(h.session.isEnded()).isTrue();
        assertThat(h.sessions.sessionsOf("alice")).isZero();
    }

    @Test
    void withoutALimitEverySessionIsCounted() throws Exception {
        List<PppHarness> all = new ArrayList<>(List.of(h, other(), other()));
        for (PppHarness x : all) {
            x.backend = r -> PppHarness.accept("alice");
            x.start(PppHarness.settings(AuthMethod.PAP));
            x.openLcp();
            pap(x, "alice".getBytes());
            assertThat(papAnswer(x)).isInstanceOf(PapPacket.AuthenticateAck.class);
        }
        assertThat(h.sessions.sessionsOf("alice")).isEqualTo(3);
        for (PppHarness x : all) x.session.close(EndCause.ADMIN_DISCONNECT);
        for (PppHarness x : all) {
            var term = x.drainControl(0xC021).stream().filter(p -> p instanceof ControlPacket.TerminateRequest).findFirst();
            term.ifPresent(t -> x.lcp(new ControlPacket.TerminateAck(t.identifier(), new byte[0])));
        }
        assertThat(Arrays.stream(all.toArray(PppHarness[]::new)).allMatch(x -> x.session.isEnded())).isTrue();
        assertThat(h.sessions.sessionsOf("alice")).isZero();
    }
}
