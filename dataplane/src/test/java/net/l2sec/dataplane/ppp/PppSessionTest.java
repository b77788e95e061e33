package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppHarness.HEX;
import static net.l2sec.dataplane.ppp.PppHarness.opt;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.dataplane.ppp.auth.ChapCodec;
import net.l2sec.dataplane.ppp.auth.ChapPacket;
import net.l2sec.dataplane.ppp.auth.EapCodec;
import net.l2sec.dataplane.ppp.auth.EapPacket;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureNak;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PppSessionTest {
    // RFC 2759 section 9.2
    static final byte[] AUTH_CHALLENGE = HEX.parseHex("5B5D7C7D7B3F2F3E3C2C602132262628");
    static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255E262A28295F2B3A337C7E");
    static final byte[] NT_RESPONSE = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
    static final String S = "S=407A5589115FD0D6209F510FE9C04566932CDA56";

    final PppHarness h = new PppHarness();

    @AfterEach
    void noLeaks() {
        h.releaseAll();
        assertThat(h.everSentReleased()).as("every frame sent to the link released").isTrue();
    }

    /** A backend that knows "User"/"clientPass" for every method. */
    static AuthResult localBackend(net.l2sec.spi.auth.AuthRequest r) {
        return switch (r.credentials()) {
            case MsChapV2Credentials c -> c.verify(MsChapV2.ntPasswordHash("clientPass"))
                    .<AuthResult>map(s -> new AuthResult.Accept("User", Optional.of(s), Authorization.defaults("r1")))
                    .orElse(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong response"));
            case ChapCredentials c -> c.verify("clientPass".getBytes(StandardCharsets.UTF_8))
                    ? PppHarness.accept("User") : new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong response");
            case PapCredentials c -> new String(c.password(), StandardCharsets.UTF_8).equals("clientPass")
                    ? PppHarness.accept("User") : new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password");
            case net.l2sec.spi.auth.EapCredentials c -> new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, "no relay");
            case net.l2sec.spi.auth.ProvenIdentity c -> new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, "not PPP");
        };
    }

    static byte[] msChapV2Value(byte[] nt) {
        byte[] v = new byte[49];
        System.arraycopy(PEER_CHALLENGE, 0, v, 0, 16);
        System.arraycopy(nt, 0, v, 24, 24);
        return v;
    }

    @Test
    void lcpRejectsWindowsOptionsThenOpensAndChallengesWithMsChapV2() throws Exception {
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2));
        var ours = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        assertThat(ours.options()).extracting(o -> o.type()).containsExactly(1, 3, 5);
        assertThat(ours.options().get(1).data()).containsExactly(0xC2, 0x23, 0x81);

        h.lcp(new ConfigureRequest(7, List.of(opt(1, "0578"), opt(5, "0a0b0c0d"), opt(7, ""), opt(8, ""),
                opt(13, "06"), opt(17, "064e"), opt(19, "0102030405"))));
        var reply = h.drainControl(0xC021);
        assertThat(reply).singleElement().isInstanceOfSatisfying(ConfigureReject.class, r -> {
            assertThat(r.identifier()).isEqualTo(7);
            assertThat(r.options()).extracting(o -> o.type()).containsExactly(13, 17, 19);
        });
        h.lcp(new ConfigureRequest(8, List.of(opt(1, "0578"), opt(5, "0a0b0c0d"), opt(7, ""), opt(8, ""))));
        assertThat(h.drainControl(0xC021)).singleElement().isInstanceOf(ConfigureAck.class);
        h.lcp(new ConfigureAck(ours.identifier(), ours.options()));
        assertThat(h.session.phase()).isEqualTo(PppSession.Phase.AUTHENTICATE);
        var challenge = (ChapPacket.Challenge) ChapCodec.decode(Unpooled.wrappedBuffer(h.only(0xC223).info()));
        assertThat(challenge.value()).hasSize(16);
        assertThat(new String(challenge.name(), StandardCharsets.US_ASCII)).isEqualTo("l2sec");
    }

    @Test
    void peerMruBelowMinimumIsNakedAndOwnMagicCountsLoopback() throws Exception {
        h.start(PppHarness.settings(AuthMethod.PAP));
        var ours = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        var ourMagic = ours.options().get(2);
        h.lcp(new ConfigureRequest(1, List.of(opt(1, "0100"), ourMagic)));
        var nak = (ConfigureNak) h.drainControl(0xC021).getFirst();
        assertThat(nak.options()).extracting(o -> o.type()).containsExactly(1, 5);
        assertThat(nak.options().get(0).dataAsLong()).isEqualTo(576);
        assertThat(nak.options().get(1)).isNotEqualTo(ourMagic);
        assertThat(h.counter("l2sec.ppp.lcp.loopback")).isEqualTo(1);
    }

    @Test
    void authProtocolNakFallsBackToSuggestedConfiguredMethod() throws Exception {
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2, AuthMethod.CHAP_MD5, AuthMethod.PAP));
        var ours = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        h.lcp(new ConfigureNak(ours.identifier(), List.of(opt(3, "c023"))));
        var next = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        assertThat(next.options().get(1).data()).containsExactly(0xC0, 0x23);
        h.lcp(new ConfigureRequest(1, List.of(opt(5, "01020304"))));
        h.lcp(new ConfigureAck(next.identifier(), next.options()));
        assertThat(h.session.authMethod()).contains(AuthMethod.PAP);
    }

    @Test
    void authProtocolRejectEndsSessionWithNoCommonMethod() throws Exception {
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2));
        var ours = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        h.lcp(new ConfigureReject(ours.identifier(), List.of(ours.options().get(1))));
        h.scheduler.advance(Duration.ofSeconds(30));
        assertThat(h.link.closed).containsExactly(EndCause.NO_COMMON_AUTH_METHOD);
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "no_common_auth_method")).isEqualTo(1);
    }

    @Test
    void nakOfUnlistedMethodsExhaustsOurList() throws Exception {
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2));
        var ours = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        h.lcp(new ConfigureNak(ours.identifier(), List.of(opt(3, "c023"))));
        h.scheduler.advance(Duration.ofSeconds(30));
        assertThat(h.link.closed).containsExactly(EndCause.NO_COMMON_AUTH_METHOD);
    }

    ChapPacket.Challenge challenge() throws Exception {
        return (ChapPacket.Challenge) ChapCodec.decode(Unpooled.wrappedBuffer(h.only(0xC223).info()));
    }

    @Test
    void msChapV2AcceptWithRfc2759VectorThenIpcpAssignsAddressAndDns() throws Exception {
        h.random.bytes.add(AUTH_CHALLENGE);
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2));
        h.openLcp();
        var c = challenge();
        assertThat(c.value()).isEqualTo(AUTH_CHALLENGE);
        h.receive(0xC223, ChapCodec.encode(new ChapPacket.Response(c.identifier(), msChapV2Value(NT_RESPONSE),
                "User".getBytes(StandardCharsets.UTF_8))));
        List<PppHarness.Out> out = h.drain();
        var success = (ChapPacket.Success) ChapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()));
        assertThat(success.identifier()).isEqualTo(c.identifier());
        assertThat(success.message()).startsWith(S + " M=");
        assertThat(h.counter("l2sec.ppp.auth", "method", "mschapv2", "result", "accept", "reason", "none")).isEqualTo(1);
        assertThat(h.session.clientAddress()).contains(PppHarness.ip("10.99.0.10"));

        var ours = (ConfigureRequest) out.get(1).control(false);
        assertThat(ours.options()).containsExactly(opt(3, "0a630001"));
        // 0.0.0.0, DNS, WINS (none configured), VJ compression
        h.ipcp(new ConfigureRequest(1, List.of(opt(3, "00000000"), opt(129, "00000000"), opt(130, "00000000"),
                opt(131, "00000000"), opt(2, "002d0f01"))));
        var reject = (ConfigureReject) h.drainControl(0x8021).getFirst();
        assertThat(reject.options()).extracting(o -> o.type()).containsExactly(130, 2);
        h.ipcp(new ConfigureRequest(2, List.of(opt(3, "00000000"), opt(129, "00000000"), opt(131, "00000000"))));
        var nak = (ConfigureNak) h.drainControl(0x8021).getFirst();
        assertThat(nak.options()).containsExactly(opt(3, "0a63000a"), opt(129, "0a000035"), opt(131, "0a000036"));
        h.ipcp(new ConfigureRequest(3, List.of(opt(3, "0a63000a"), opt(129, "0a000035"), opt(131, "0a000036"))));
        assertThat(h.drainControl(0x8021)).singleElement().isInstanceOf(ConfigureAck.class);
        h.ipcp(new ConfigureAck(ours.identifier(), ours.options()));
        assertThat(h.session.isIpcpOpened()).isTrue();
        assertThat(h.routes.size()).isEqualTo(1);
        assertThat(h.registry.get("l2sec.ppp.sessions.active").gauge().value()).isEqualTo(1);

        h.session.lowerLayerDown(EndCause.PEER_REQUEST);
        assertThat(h.routes.size()).isZero();
        assertThat(h.pool.inUse()).isZero();
        assertThat(h.registry.get("l2sec.ppp.sessions.active").gauge().value()).isZero();
        assertThat(h.link.closed).isEmpty();
    }

    @Test
    void msChapV2RejectSendsFailure691AndTerminates() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2));
        h.openLcp();
        var c = challenge();
        h.receive(0xC223, ChapCodec.encode(new ChapPacket.Response(c.identifier(), msChapV2Value(NT_RESPONSE), "User".getBytes())));
        List<PppHarness.Out> out = h.drain();
        var failure = (ChapPacket.Failure) ChapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()));
        assertThat(failure.message()).matches("E=691 R=0 C=[0-9A-F]{32} V=3 M=.*");
        assertThat(out.get(1).control(true)).isInstanceOf(ControlPacket.TerminateRequest.class);
        h.lcp(new ControlPacket.TerminateAck(out.get(1).control(true).identifier(), new byte[0]));
        assertThat(h.link.closed).containsExactly(EndCause.AUTH_FAILED);
        assertThat(h.counter("l2sec.ppp.auth", "method", "mschapv2", "result", "reject", "reason", "bad_credentials")).isEqualTo(1);
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "auth_failed")).isEqualTo(1);
    }

    @Test
    void papAcceptAndRetransmittedRequestGetsSameAck() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        byte[] req = PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "clientPass".getBytes()));
        h.receive(0xC023, req);
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(h.drain().getFirst().info()))).isInstanceOf(PapPacket.AuthenticateAck.class);
        h.receive(0xC023, req);
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(h.only(0xC023).info()))).isInstanceOf(PapPacket.AuthenticateAck.class);
        assertThat(h.authRequests).hasSize(1);
    }

    @Test
    void papRejectSendsNak() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "nope".getBytes())));
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(h.drain().getFirst().info()))).isInstanceOf(PapPacket.AuthenticateNak.class);
        assertThat(h.counter("l2sec.ppp.auth", "method", "pap", "result", "reject", "reason", "bad_credentials")).isEqualTo(1);
    }

    @Test
    void chapMd5AcceptAndReject() throws Exception {
        for (String password : List.of("clientPass", "wrong")) {
            var hh = new PppHarness();
            hh.backend = PppSessionTest::localBackend;
            hh.start(PppHarness.settings(AuthMethod.CHAP_MD5));
            hh.openLcp();
            var c = (ChapPacket.Challenge) ChapCodec.decode(Unpooled.wrappedBuffer(hh.only(0xC223).info()));
            byte[] value = new ChapCredentials("User", c.identifier(), c.value(), new byte[16]).expectedResponse(password.getBytes());
            hh.receive(0xC223, ChapCodec.encode(new ChapPacket.Response(c.identifier(), value, "User".getBytes())));
            var answer = ChapCodec.decode(Unpooled.wrappedBuffer(hh.drain().getFirst().info()));
            assertThat(answer).isInstanceOf(password.equals("clientPass") ? ChapPacket.Success.class : ChapPacket.Failure.class);
            hh.releaseAll();
        }
    }

    EapPacket.Request eapRequest() throws Exception {
        return (EapPacket.Request) EapCodec.decode(Unpooled.wrappedBuffer(h.only(0xC227).info()));
    }

    @Test
    void eapMsChapV2FullExchangeWithRfc2759Vector() throws Exception {
        h.random.bytes.add(AUTH_CHALLENGE);
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.EAP_MSCHAPV2, AuthMethod.EAP_MD5));
        h.openLcp();
        var identity = eapRequest();
        assertThat(identity.type()).isEqualTo(1);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "User".getBytes())));
        var chal = eapRequest();
        assertThat(chal.type()).isEqualTo(26);
        byte[] d = chal.typeData();
        assertThat(d[0]).isEqualTo((byte) 1);
        assertThat(java.util.Arrays.copyOfRange(d, 5, 21)).isEqualTo(AUTH_CHALLENGE);
        byte[] name = "User".getBytes();
        byte[] resp = new byte[5 + 49 + name.length];
        resp[0] = 2;
        resp[1] = d[1];
        resp[2] = (byte) (resp.length >>> 8);
        resp[3] = (byte) resp.length;
        resp[4] = 49;
        System.arraycopy(msChapV2Value(NT_RESPONSE), 0, resp, 5, 49);
        System.arraycopy(name, 0, resp, 54, name.length);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(chal.identifier(), 26, resp)));
        var success = eapRequest();
        assertThat(success.typeData()[0]).isEqualTo((byte) 3);
        assertThat(new String(success.typeData(), 4, success.typeData().length - 4, StandardCharsets.US_ASCII)).startsWith(S + " M=");
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(success.identifier(), 26, new byte[] {3})));
        List<PppHarness.Out> out = h.drain();
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()))).isEqualTo(new EapPacket.Success(success.identifier()));
        assertThat(out.get(1).protocol()).isEqualTo(0x8021);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-mschapv2", "result", "accept", "reason", "none")).isEqualTo(1);
    }

    /** An EAP-MSCHAPv2 Response (OpCode 2) to {@code challenge} carrying {@code ntResponse}. */
    static byte[] eapMsChapV2Response(EapPacket.Request challenge, byte[] ntResponse) {
        byte[] name = "User".getBytes();
        byte[] resp = new byte[5 + 49 + name.length];
        resp[0] = 2;
        resp[1] = challenge.typeData()[1];
        resp[2] = (byte) (resp.length >>> 8);
        resp[3] = (byte) resp.length;
        resp[4] = 49;
        System.arraycopy(msChapV2Value(ntResponse), 0, resp, 5, 49);
        System.arraycopy(name, 0, resp, 54, name.length);
        return EapCodec.encode(new EapPacket.Response(challenge.identifier(), 26, resp));
    }

    /** Up to the EAP-MSCHAPv2 Failure request: the challenge is not RFC 2759's, so its NT-Response is wrong. */
    EapPacket.Request eapMsChapV2Rejected() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.EAP_MSCHAPV2));
        h.openLcp();
        var identity = eapRequest();
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "User".getBytes())));
        var chal = eapRequest();
        h.receive(0xC227, eapMsChapV2Response(chal, NT_RESPONSE));
        var failure = eapRequest();
        assertThat(failure.type()).isEqualTo(26);
        assertThat(failure.typeData()[0]).as("OpCode Failure").isEqualTo((byte) 4);
        assertThat(failure.typeData()[1]).as("MS-CHAPv2-ID of the challenge").isEqualTo(chal.typeData()[1]);
        assertThat(new String(failure.typeData(), 4, failure.typeData().length - 4, StandardCharsets.US_ASCII))
                .matches("E=691 R=0 C=[0-9A-F]{32} V=3 M=.*");
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-mschapv2", "result", "reject", "reason", "bad_credentials")).isEqualTo(1);
        return failure;
    }

    @Test
    void eapMsChapV2RejectSendsFailureRequestThenEapFailureOnPeerAck() throws Exception {
        var failure = eapMsChapV2Rejected();
        assertThat(h.session.cause()).isEmpty();                           // waiting for the peer's acknowledgement
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(failure.identifier(), 26, new byte[] {4})));
        List<PppHarness.Out> out = h.drain();
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()))).isEqualTo(new EapPacket.Failure(failure.identifier()));
        var terminate = out.get(1).control(true);
        assertThat(terminate).isInstanceOf(ControlPacket.TerminateRequest.class);
        h.lcp(new ControlPacket.TerminateAck(terminate.identifier(), new byte[0]));
        h.assertTornDown(EndCause.AUTH_FAILED);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-mschapv2", "result", "reject", "reason", "bad_credentials")).isEqualTo(1);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-mschapv2", "result", "accept", "reason", "none")).isZero();
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "auth_failed")).isEqualTo(1);
        assertThat(h.authRequests).hasSize(1);
    }

    @Test
    void eapMsChapV2FailureNeverAcknowledgedStillEndsAsAuthFailedCountedOnce() throws Exception {
        eapMsChapV2Rejected();
        h.scheduler.advance(Duration.ofSeconds(31));                       // Failure request retransmitted, then auth timeout
        h.scheduler.advance(Duration.ofSeconds(10));
        h.assertTornDown(EndCause.AUTH_FAILED);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-mschapv2", "result", "reject", "reason", "bad_credentials")).isEqualTo(1);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-mschapv2", "result", "reject", "reason", "peer_protocol")).isZero();
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "auth_timeout")).isZero();
    }

    @Test
    void eapMd5RejectSendsEapFailureAndTerminates() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.EAP_MD5));
        h.openLcp();
        var identity = eapRequest();
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "User".getBytes())));
        var md5 = eapRequest();
        assertThat(md5.type()).isEqualTo(4);
        byte[] challenge = java.util.Arrays.copyOfRange(md5.typeData(), 1, 17);
        byte[] value = new ChapCredentials("User", md5.identifier(), challenge, new byte[16]).expectedResponse("wrong".getBytes());
        byte[] data = new byte[17];
        data[0] = 16;
        System.arraycopy(value, 0, data, 1, 16);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(md5.identifier(), 4, data)));
        List<PppHarness.Out> out = h.drain();
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()))).isEqualTo(new EapPacket.Failure(md5.identifier()));
        var terminate = out.get(1).control(true);
        assertThat(terminate).isInstanceOf(ControlPacket.TerminateRequest.class);
        h.lcp(new ControlPacket.TerminateAck(terminate.identifier(), new byte[0]));
        h.assertTornDown(EndCause.AUTH_FAILED);
        assertThat(h.counter("l2sec.ppp.auth", "method", "eap-md5", "result", "reject", "reason", "bad_credentials")).isEqualTo(1);
        assertThat(h.session.accept()).isEmpty();
    }

    @Test
    void eapNakMovesToMd5WhichAccepts() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.EAP_MSCHAPV2, AuthMethod.EAP_MD5));
        h.openLcp();
        var identity = eapRequest();
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(identity.identifier(), 1, "User".getBytes())));
        var chal = eapRequest();
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(chal.identifier(), 3, new byte[] {4})));
        var md5 = eapRequest();
        assertThat(md5.type()).isEqualTo(4);
        byte[] challenge = java.util.Arrays.copyOfRange(md5.typeData(), 1, 17);
        byte[] value = new ChapCredentials("User", md5.identifier(), challenge, new byte[16]).expectedResponse("clientPass".getBytes());
        byte[] data = new byte[17];
        data[0] = 16;
        System.arraycopy(value, 0, data, 1, 16);
        h.receive(0xC227, EapCodec.encode(new EapPacket.Response(md5.identifier(), 4, data)));
        assertThat(EapCodec.decode(Unpooled.wrappedBuffer(h.drain().getFirst().info()))).isEqualTo(new EapPacket.Success(md5.identifier()));
        assertThat(h.session.authMethod()).contains(AuthMethod.EAP_MD5);
    }

    void authenticated() throws Exception {
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "clientPass".getBytes())));
        List<PppHarness.Out> out = h.drain();
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()))).isInstanceOf(PapPacket.AuthenticateAck.class);
        h.pushBack(out.subList(1, out.size()));
    }

    @Test
    void ipv6cpAndCcpAreProtocolRejected() throws Exception {
        authenticated();
        h.drain();
        h.receive(0x8057, HEX.parseHex("0101000e010a0011223344556677"));
        h.receive(0x80FD, HEX.parseHex("010100061202"));
        var rejects = h.drainControl(0xC021);
        assertThat(rejects).hasSize(2).allSatisfy(p -> assertThat(p).isInstanceOf(ControlPacket.ProtocolReject.class));
        assertThat(((ControlPacket.ProtocolReject) rejects.get(0)).rejectedProtocol()).isEqualTo(0x8057);
        assertThat(((ControlPacket.ProtocolReject) rejects.get(1)).rejectedProtocol()).isEqualTo(0x80FD);
    }

    static byte[] ipv4(String src, String dst) {
        byte[] p = new byte[20];
        p[0] = 0x45;
        p[3] = 20;
        p[8] = 64;
        System.arraycopy(PppHarness.ip(src).getAddress(), 0, p, 12, 4);
        System.arraycopy(PppHarness.ip(dst).getAddress(), 0, p, 16, 4);
        return p;
    }

    @Test
    void packetPathDropsSpoofedAndCountsBothDirections() throws Exception {
        authenticated();
        h.receive(0x0021, ipv4("10.99.0.10", "8.8.8.8"));
        assertThat(h.egress).isEmpty();
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "not_open")).isEqualTo(1);
        h.openIpcp();
        h.receive(0x0021, ipv4("10.99.0.10", "8.8.8.8"));
        h.receive(0x0021, ipv4("10.99.0.99", "8.8.8.8"));
        h.receive(0x0021, HEX.parseHex("4500"));
        assertThat(h.egress).hasSize(1);
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "spoofed_source")).isEqualTo(1);
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "malformed")).isEqualTo(1);
        ByteBuf toClient = Unpooled.directBuffer().writeBytes(ipv4("8.8.8.8", "10.99.0.10"));
        h.routes.deliver(toClient);
        var out = h.only(0x0021);
        assertThat(out.info()).isEqualTo(ipv4("8.8.8.8", "10.99.0.10"));
        assertThat(toClient.refCnt()).isZero();
        assertThat(h.session.counters().inputPackets()).isEqualTo(1);
        assertThat(h.session.counters().outputOctets()).isEqualTo(20);
        assertThat(h.counter("l2sec.ppp.ip.bytes", "direction", "from_client")).isEqualTo(20);
        assertThat(h.counter("l2sec.ppp.ip.packets", "direction", "to_client")).isEqualTo(1);
    }

    @Test
    void unansweredEchoesEndTheSession() throws Exception {
        authenticated();
        h.openIpcp();
        h.scheduler.advance(Duration.ofSeconds(10));
        assertThat(h.drainControl(0xC021)).singleElement().isInstanceOf(ControlPacket.EchoRequest.class);
        h.scheduler.advance(Duration.ofSeconds(30));
        h.scheduler.advance(Duration.ofSeconds(10));
        assertThat(h.link.closed).containsExactly(EndCause.ECHO_TIMEOUT);
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "echo_timeout")).isEqualTo(1);
        assertThat(h.routes.size()).isZero();
        assertThat(h.scheduler.activeTimers()).isZero();
    }

    @Test
    void echoRequestIsAnsweredAndEchoReplyKeepsSessionAlive() throws Exception {
        authenticated();
        h.openIpcp();
        h.lcp(new ControlPacket.EchoRequest(9, 0x11223344, new byte[] {1, 2}));
        var reply = (ControlPacket.EchoReply) h.drainControl(0xC021).getFirst();
        assertThat(reply.identifier()).isEqualTo(9);
        assertThat(reply.data()).containsExactly(1, 2);
        for (int i = 0; i < 6; i++) {
            h.scheduler.advance(Duration.ofSeconds(10));
            var echo = h.drainControl(0xC021).stream().filter(p -> p instanceof ControlPacket.EchoRequest).findFirst().orElseThrow();
            h.lcp(new ControlPacket.EchoReply(echo.identifier(), 0x11223344, new byte[0]));
        }
        assertThat(h.session.isEnded()).isFalse();
    }

    /** RFC 1661 section 5.8: an Echo-Reply with our own Magic-Number is our request looped back, no answer. */
    @Test
    void echoReplyCarryingOurMagicIsLoopbackNotAnAnswer() throws Exception {
        authenticated();
        h.openIpcp();
        for (int i = 0; i < 3; i++) {
            h.scheduler.advance(Duration.ofSeconds(10));
            var echo = (ControlPacket.EchoRequest) h.drainControl(0xC021).getFirst();
            h.lcp(new ControlPacket.EchoReply(echo.identifier(), echo.magicNumber(), new byte[0]));
        }
        assertThat(h.counter("l2sec.ppp.lcp.loopback")).isEqualTo(3);
        h.scheduler.advance(Duration.ofSeconds(20));
        h.assertTornDown(EndCause.ECHO_TIMEOUT);
    }

    @Test
    void peerTerminateRequestIsAckedAndSessionEnds() throws Exception {
        authenticated();
        h.openIpcp();
        h.lcp(new ControlPacket.TerminateRequest(3, new byte[0]));
        assertThat(h.drainControl(0xC021)).singleElement().isInstanceOf(ControlPacket.TerminateAck.class);
        assertThat(h.routes.size()).isZero();
        h.scheduler.advance(Duration.ofSeconds(3));
        assertThat(h.link.closed).containsExactly(EndCause.PEER_TERMINATE);
        assertThat(h.pool.inUse()).isZero();
    }

    @Test
    void lateAuthResultAfterSessionEndIsIgnored() throws Exception {
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "clientPass".getBytes())));
        h.session.lowerLayerDown(EndCause.PEER_REQUEST);
        h.drain();
        h.pending.getFirst().complete(PppHarness.accept("User"));
        h.scheduler.runPending();
        assertThat(h.link.sent).isEmpty();
        assertThat(h.pool.inUse()).isZero();
        assertThat(h.link.closed).isEmpty();
    }

    @Test
    void slowBackendTimesOutAndBackendErrorRejects() throws Exception {
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "x".getBytes())));
        h.scheduler.advance(Duration.ofSeconds(31));
        assertThat(h.counter("l2sec.ppp.auth", "method", "pap", "result", "reject", "reason", "backend_timeout")).isEqualTo(1);
        h.scheduler.advance(Duration.ofSeconds(10));
        assertThat(h.link.closed).containsExactly(EndCause.AUTH_TIMEOUT);

        var hh = new PppHarness();
        hh.start(PppHarness.settings(AuthMethod.PAP));
        hh.openLcp();
        hh.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "x".getBytes())));
        hh.pending.getFirst().completeExceptionally(new IllegalStateException("ldap down"));
        hh.scheduler.runPending();
        assertThat(hh.counter("l2sec.ppp.auth", "method", "pap", "result", "reject", "reason", "backend_error")).isEqualTo(1);
        hh.releaseAll();
    }

    @Test
    void exhaustedPoolEndsSession() throws Exception {
        h.pool.allocate();
        h.pool.allocate();
        authenticated();
        h.scheduler.advance(Duration.ofSeconds(10));
        assertThat(h.link.closed).containsExactly(EndCause.POOL_EXHAUSTED);
        assertThat(h.counter("l2sec.ppp.sessions.failed", "reason", "pool_exhausted")).isEqualTo(1);
    }

    @Test
    void lcpTimeoutWhenPeerNeverAnswers() {
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.scheduler.advance(Duration.ofSeconds(60));
        assertThat(h.link.closed).containsExactly(EndCause.LCP_TIMEOUT);
        assertThat(h.drain()).hasSize(10);
    }

    @Test
    void sessionTimeoutFromAuthorization() throws Exception {
        h.backend = r -> new AuthResult.Accept("User", Optional.empty(), new Authorization("r1", Optional.empty(),
                List.of(), Optional.of(Duration.ofMinutes(5)), Optional.empty()));
        h.start(PppHarness.settings(AuthMethod.PAP));
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "x".getBytes())));
        h.openIpcp();
        h.session.close(EndCause.ADMIN_DISCONNECT);   // also checks a second cause does not override the first
        h.scheduler.advance(Duration.ofMinutes(6));
        assertThat(h.link.closed).containsExactly(EndCause.ADMIN_DISCONNECT);
    }

    @Test
    void malformedInputIsDroppedAndCountedNeverThrown() throws Exception {
        authenticated();
        h.openIpcp();
        h.receiveRaw(new byte[] {(byte) 0xFF, 0x03});                           // no protocol
        h.receiveRaw(new byte[] {(byte) 0xFF, 0x03, 0x00, 0x20});               // even protocol
        h.receive(0xC021, HEX.parseHex("0901"));                               // truncated header
        h.receive(0xC021, HEX.parseHex("09010020aabbccdd"));                   // length lies
        h.receive(0xC021, HEX.parseHex("01020006"+"0100"));                    // option length 0
        h.receive(0xC021, HEX.parseHex("01020006"+"0101"));                    // option length 1
        h.receive(0xC021, HEX.parseHex("01020006"+"0108"));                    // option overflows
        h.receive(0xC021, HEX.parseHex("09030006aabb"));                       // echo without magic
        h.receive(0xC023, HEX.parseHex("010500060801"));                       // PAP peer-id overflow
        h.receive(0xC021, HEX.parseHex("0c070004"));                           // Identification without Magic-Number
        h.receive(0xC021, HEX.parseHex("0e070004"));                           // unknown code 14
        assertThat(h.counter("l2sec.ppp.packets.dropped", "reason", "malformed_frame")).isEqualTo(2);
        assertThat(h.counter("l2sec.ppp.packets.dropped", "reason", "malformed_lcp")).isEqualTo(7);
        var codeReject = (ControlPacket.CodeReject) h.drainControl(0xC021).getFirst();
        assertThat(codeReject.rejectedPacket()).containsExactly(0x0e, 0x07, 0x00, 0x04);
        h.receive(0x8021, HEX.parseHex("09070004"));                           // IPCP has no code 9
        assertThat(h.drainControl(0x8021)).singleElement().isInstanceOf(ControlPacket.CodeReject.class);
        h.receive(0x8021, HEX.parseHex("0107000a0306"));                       // IPCP length lies
        assertThat(h.counter("l2sec.ppp.packets.dropped", "reason", "malformed_ipcp")).isEqualTo(1);
        assertThat(h.session.isEnded()).isFalse();
    }

    /**
     * RFC 1570 section 2.1: Windows names itself in two Identification packets as LCP opens; they are recorded, never
     * answered (no Code-Reject, as before this was understood), and with what L2TP and IKE said they make the
     * established session's client identification: kind windows, host from {@code MSRAS-0-<name>}.
     */
    @Test
    void lcpIdentificationIsRecordedNeverAnsweredAndIdentifiesTheClient() throws Exception {
        h.client = net.l2sec.spi.session.ClientIdentity.ofL2tp("DESKTOP-4F2KQ", "Microsoft")
                .withIke(List.of("ms-nt5-isakmpoakley/v9", "rfc3947"), "ecp384");
        h.backend = PppSessionTest::localBackend;
        h.start(PppHarness.settings(AuthMethod.PAP));
        // before LCP opens (magic 0 until negotiated) and after, and the same message again
        h.lcp(new ControlPacket.Identification(1, 0, "MSRASV5.20".getBytes(StandardCharsets.US_ASCII)));
        h.openLcp();
        h.lcp(new ControlPacket.Identification(2, 0x11223344, "MSRAS-0-DESKTOP-4F2KQ".getBytes(StandardCharsets.US_ASCII)));
        h.lcp(new ControlPacket.Identification(3, 0x11223344, "MSRASV5.20".getBytes(StandardCharsets.US_ASCII)));
        assertThat(h.drainControl(0xC021)).noneMatch(p -> p instanceof ControlPacket.CodeReject);
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "clientPass".getBytes())));
        List<PppHarness.Out> out = h.drain();
        h.pushBack(out.subList(1, out.size()));
        h.openIpcp();
        assertThat(h.session.active()).hasValueSatisfying(a -> {
            assertThat(a.client().lcpIdentification()).containsExactly("MSRASV5.20", "MSRAS-0-DESKTOP-4F2KQ");
            assertThat(a.client().kind()).isEqualTo(net.l2sec.spi.session.ClientKind.WINDOWS);
            assertThat(a.client().host()).contains("DESKTOP-4F2KQ");
            assertThat(a.client().ikeGroup()).isEqualTo("ecp384");
            assertThat(a.client().l2tpVendorName()).isEqualTo("Microsoft");
        });
    }

    /** Our own Magic-Number in an Identification is our link looped back: counted as such, not recorded. */
    @Test
    void loopedBackIdentificationIsNotRecorded() throws Exception {
        h.start(PppHarness.settings(AuthMethod.PAP));
        var ours = (ConfigureRequest) h.drainControl(0xC021).getFirst();
        int magic = (int) ours.options().get(2).dataAsLong();
        h.lcp(new ControlPacket.Identification(9, magic, "MSRASV5.20".getBytes(StandardCharsets.US_ASCII)));
        assertThat(h.session.client().lcpIdentification()).isEmpty();
        assertThat(h.counter("l2sec.ppp.lcp.loopback")).isEqualTo(1);
        h.lcp(new ControlPacket.Identification(10, magic ^ 1, "MSRASV5.20".getBytes(StandardCharsets.US_ASCII)));
        assertThat(h.session.client().lcpIdentification()).containsExactly("MSRASV5.20");
        assertThat(h.drainControl(0xC021)).isEmpty();
    }

    @Test
    void malformedAuthPacketsAreCounted() throws Exception {
        h.start(PppHarness.settings(AuthMethod.MSCHAPV2));
        h.openLcp();
        var c = challenge();
        h.receive(0xC223, HEX.parseHex("02" + String.format("%02x", c.identifier()) + "00053101"));   // value overflows
        h.receive(0xC223, ChapCodec.encode(new ChapPacket.Response(c.identifier(), new byte[10], "u".getBytes())));  // 49 expected
        h.receive(0xC223, HEX.parseHex("02"));
        assertThat(h.counter("l2sec.ppp.packets.dropped", "reason", "malformed_chap")).isEqualTo(3);
        assertThat(h.authRequests).isEmpty();
    }

    @Test
    void framesWithoutAddressControlAndWithCompressedProtocolAreAccepted() throws Exception {
        authenticated();
        h.openIpcp();
        byte[] ip = ipv4("10.99.0.10", "1.1.1.1");
        byte[] pfc = new byte[1 + ip.length];
        pfc[0] = 0x21;
        System.arraycopy(ip, 0, pfc, 1, ip.length);
        h.receiveRaw(pfc);
        assertThat(h.egress).hasSize(1);
    }
}
