package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;

class L2tpNetworkServerTest {
    static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.10", 1701);
    static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.US_ASCII);

    final ManualScheduler scheduler = new ManualScheduler();
    SimpleMeterRegistry registry;
    final FakePpp ppp = new FakePpp();
    L2tpNetworkServer server = server(settings(Optional.empty(), 10, 2));

    static L2tpSettings settings(Optional<byte[]> secret, int maxTunnels, int maxSessions) {
        return new L2tpSettings("lns", 8, Duration.ofSeconds(1), Duration.ofSeconds(8), 5, Duration.ofSeconds(60),
                secret, maxTunnels, maxSessions);
    }

    L2tpNetworkServer server(L2tpSettings settings) {
        registry = new SimpleMeterRegistry(); // one server per registry, as in production
        return new L2tpNetworkServer(settings, ppp, scheduler, registry);
    }

    double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void theActiveGaugesOutliveAGarbageCollection() {
        new FakeLac(server, PEER, 7).establish();
        WeakReference<Object> probe = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && probe.get() != null; i++) System.gc();
        assertThat(probe.get()).as("a collection cleared weak references").isNull();
        assertThat(gauge("l2sec.l2tp.tunnels.active")).as("not NaN").isEqualTo(1);
        assertThat(gauge("l2sec.l2tp.sessions.active")).as("not NaN").isEqualTo(0);
    }

    @Test
    void fullExchangeFromSccrqToStopCcn() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        ControlMessage sccrp = lac.establish();
        assertThat(sccrp.tunnelId()).isEqualTo(7);
        assertThat(sccrp.nr()).isEqualTo(1);
        for (AvpType t : List.of(AvpType.PROTOCOL_VERSION, AvpType.FRAMING_CAPABILITIES, AvpType.HOST_NAME,
                AvpType.ASSIGNED_TUNNEL_ID, AvpType.RECEIVE_WINDOW_SIZE, AvpType.VENDOR_NAME)) {
            assertThat(sccrp.find(t)).as(t.name()).isNotNull();
        }
        assertThat(sccrp.find(AvpType.HOST_NAME).stringValue()).isEqualTo("lns");
        assertThat(sccrp.find(AvpType.CHALLENGE)).isNull();
        assertThat(count("l2sec.l2tp.tunnels.established")).isEqualTo(1);
        scheduler.advance(Duration.ofMillis(200));
        assertThat(lac.zlbs()).as("SCCCN acknowledged by a ZLB").isEqualTo(1);

        int lns = lac.call(33);
        assertThat(lac.last(MessageType.ICRP).sessionId()).isEqualTo(33);
        assertThat(ppp.opened).hasSize(1);
        FakePpp.Endpoint e = ppp.opened.getFirst();
        assertThat(e.context.tag()).isEqualTo("t" + lac.serverTunnelId + "/s" + lns);
        assertThat(e.context.peer()).isEqualTo(PEER);
        // the SCCRQ's Host Name and Vendor Name (RFC 2661 section 4.4.3) go with every call of the tunnel
        assertThat(e.context.client().l2tpHostName()).isEqualTo("xl2tpd");
        assertThat(e.context.client().l2tpVendorName()).isEqualTo("xelerance.com");
        assertThat(e.context.client().kind()).isEqualTo(net.l2sec.spi.session.ClientKind.LINUX_STRONGSWAN);
        assertThat(gauge("l2sec.l2tp.sessions.active")).isEqualTo(1);
        assertThat(gauge("l2sec.l2tp.tunnels.active")).isEqualTo(1);

        lac.data(lns, new byte[] {(byte) 0xff, 0x03, (byte) 0xc0, 0x21, 1, 2, 3});
        assertThat(e.frames).containsExactly(new byte[] {(byte) 0xff, 0x03, (byte) 0xc0, 0x21, 1, 2, 3});
        ByteBuf out = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0x03, 0x00, 0x21, 9});
        e.link.send(out);
        assertThat(out.refCnt()).isZero();
        assertThat(lac.dataReceived).containsExactly(new byte[] {(byte) 0xff, 0x03, 0x00, 0x21, 9});
        assertThat(lac.dataHeaders.getFirst().tunnelId()).isEqualTo(7);
        assertThat(lac.dataHeaders.getFirst().sessionId()).isEqualTo(33);
        assertThat(lac.dataHeaders.getFirst().sequenced()).isFalse();
        assertThat(e.link.mtu()).isBetween(1300, 1464);

        lac.control(MessageType.CDN, lac.serverTunnelId, lns, List.of(Tunnel.resultCode(1, ErrorCode.NO_ERROR, null),
                Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 33)));
        assertThat(e.down).hasSize(1);
        assertThat(server.activeSessions()).isZero();
        assertThat(count("l2sec.l2tp.sessions.closed", "cause", "peer_request")).isEqualTo(1);
        lac.data(lns, new byte[] {1});
        assertThat(count("l2sec.l2tp.packets.dropped", "reason", "unknown_session")).isEqualTo(1);

        lac.control(MessageType.STOPCCN, lac.serverTunnelId, 0, List.of(Tunnel.resultCode(1, ErrorCode.NO_ERROR, null),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7)));
        assertThat(lac.received.getLast().isZlb()).as("StopCCN acknowledged at once").isTrue();
        assertThat(server.activeTunnels()).isZero();
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "peer_request")).isEqualTo(1);
        // a retransmitted StopCCN is acknowledged again while the state is kept (RFC 2661 section 5.7)
        long zlbs = lac.zlbs();
        lac.deliver(ControlMessage.of(MessageType.STOPCCN, lac.serverTunnelId, 0, List.of(
                Tunnel.resultCode(1, ErrorCode.NO_ERROR, null), Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7)))
                .withSequence(lac.ns - 1, lac.nr));
        assertThat(lac.zlbs()).isEqualTo(zlbs + 1);
        scheduler.advance(Duration.ofMinutes(2));
        assertThat(server.tunnelCount()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void sessionClosedByPppSendsCdn() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        int lns = lac.call(5);
        FakePpp.Endpoint e = ppp.opened.getFirst();
        e.link.close(EndCause.PEER_TERMINATE);
        ControlMessage cdn = lac.last(MessageType.CDN);
        assertThat(cdn.sessionId()).isEqualTo(5);
        assertThat(cdn.find(AvpType.ASSIGNED_SESSION_ID).shortValue()).isEqualTo(lns);
        assertThat(cdn.find(AvpType.RESULT_CODE).value()[1]).isEqualTo((byte) CdnResult.ADMINISTRATIVE.code());
        assertThat(e.down).isEmpty();
        assertThat(server.activeSessions()).isZero();
        ByteBuf late = Unpooled.buffer().writeByte(1);
        e.link.send(late);
        assertThat(late.refCnt()).isZero();
        assertThat(count("l2sec.l2tp.sessions.closed", "cause", "ppp_closed")).isEqualTo(1);
    }

    @Test
    void sequencedPeerGetsSequencedData() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.control(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 3),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1)));
        int lns = lac.last(MessageType.ICRP).find(AvpType.ASSIGNED_SESSION_ID).shortValue();
        lac.control(MessageType.ICCN, lac.serverTunnelId, lns, List.of(Avp.ofInt(AvpType.FRAMING_TYPE, 1),
                Avp.ofInt(AvpType.TX_CONNECT_SPEED, 1000), Avp.of(AvpType.SEQUENCING_REQUIRED, new byte[0])));
        FakePpp.Endpoint e = ppp.opened.getFirst();
        e.link.send(Unpooled.wrappedBuffer(new byte[] {1}));
        e.link.send(Unpooled.wrappedBuffer(new byte[] {2}));
        assertThat(lac.dataHeaders).extracting(DataMessage::sequenced).containsExactly(true, true);
        assertThat(lac.dataHeaders).extracting(DataMessage::ns).containsExactly(0, 1);
    }

    @Test
    void iccnWithoutRequiredAvpsIsAnsweredWithCdn() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.control(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 3),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1)));
        int lns = lac.last(MessageType.ICRP).find(AvpType.ASSIGNED_SESSION_ID).shortValue();
        lac.control(MessageType.ICCN, lac.serverTunnelId, lns, List.of());
        assertThat(lac.last(MessageType.CDN).sessionId()).isEqualTo(3);
        assertThat(ppp.opened).isEmpty();
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "protocol_error")).isEqualTo(1);
    }

    @Test
    void sessionLimitPerTunnelAnswersIcrqWithCdn() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        int s1 = lac.call(1);
        int s2 = lac.call(2);
        assertThat(s1).isNotEqualTo(s2);
        lac.control(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 3),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 3)));
        ControlMessage cdn = lac.last(MessageType.CDN);
        assertThat(cdn.sessionId()).isEqualTo(3);
        assertThat(cdn.find(AvpType.RESULT_CODE).value()[1]).isEqualTo((byte) CdnResult.TEMPORARY_NO_FACILITIES.code());
        assertThat(server.activeSessions()).isEqualTo(2);
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "session_limit")).isEqualTo(1);
    }

    @Test
    void outgoingCallsAreRefused() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.control(MessageType.OCRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 9),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1)));
        assertThat(lac.last(MessageType.CDN).sessionId()).isEqualTo(9);
        assertThat(server.activeSessions()).isZero();
    }

    @Test
    void sliAndWenAreAcknowledged() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        int lns = lac.call(4);
        lac.control(MessageType.SLI, lac.serverTunnelId, lns, List.of(Avp.of(AvpType.ACCM, new byte[10])));
        lac.control(MessageType.WEN, lac.serverTunnelId, lns, List.of(Avp.of(AvpType.CALL_ERRORS, new byte[26])));
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(lac.received.getLast().isZlb()).isTrue();
        assertThat(lac.received.getLast().nr()).isEqualTo(lac.ns);
        assertThat(server.activeSessions()).isEqualTo(1);
    }

    @Test
    void unknownMandatoryAvpTearsDownTheTunnel() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.call(4);
        lac.control(MessageType.HELLO, lac.serverTunnelId, 0, List.of(new Avp(true, false, 0, 200, new byte[2])));
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(stop.find(AvpType.RESULT_CODE).value()).startsWith(0, 2, 0, 8);
        assertThat(ppp.opened.getFirst().down).hasSize(1);
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "unknown_mandatory_avp")).isEqualTo(1);
        lac.zlb();
        assertThat(server.tunnelCount()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void unknownOptionalAvpIsIgnored() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.control(MessageType.HELLO, lac.serverTunnelId, 0, List.of(new Avp(false, false, 9, 1, new byte[3])));
        assertThat(lac.all(MessageType.STOPCCN)).isEmpty();
        assertThat(server.activeTunnels()).isEqualTo(1);
    }

    @Test
    void unknownMandatoryAvpInSessionMessageEndsOnlyTheSession() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        int lns = lac.call(4);
        lac.control(MessageType.WEN, lac.serverTunnelId, lns, List.of(new Avp(true, false, 311, 1, new byte[3])));
        ControlMessage cdn = lac.last(MessageType.CDN);
        assertThat(cdn.find(AvpType.RESULT_CODE).value()).startsWith(0, 2, 0, 8);
        assertThat(server.activeSessions()).isZero();
        assertThat(server.activeTunnels()).isEqualTo(1);
    }

    /** A refused SCCRQ holds nothing: the StopCCN is stateless, no Tunnel ID is taken, no timer runs. */
    @Test
    void missingRequiredAvpInSccrqIsAnsweredWithStopCcnThatHoldsNothing() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.control(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7),
                Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100)));
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(stop.find(AvpType.RESULT_CODE).value()).startsWith(0, 2, 0, 3); // general error, field out of range
        assertThat(stop.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue()).isZero();
        assertThat(stop.tunnelId()).isEqualTo(7);
        assertThat(stop.nr()).as("acknowledges the SCCRQ").isEqualTo(1);
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "protocol_error")).isEqualTo(1);
        assertThat(server.tunnelCount()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
        // a retransmission of it is refused again, just as cheaply
        lac.deliver(ControlMessage.of(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7)))
                .withSequence(0, 0));
        assertThat(lac.all(MessageType.STOPCCN)).hasSize(2);
        assertThat(server.tunnelCount()).isZero();
    }

    @Test
    void wrongProtocolVersionIsRefused() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.control(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0200),
                Avp.ofString(AvpType.HOST_NAME, "x"), Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7)));
        assertThat(lac.last(MessageType.STOPCCN).find(AvpType.RESULT_CODE).value()[1])
                .isEqualTo((byte) StopCcnResult.UNSUPPORTED_VERSION.code());
    }

    @Test
    void retransmitLimitTearsDownAndReleasesEverything() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.call(4);
        lac.deaf = true;
        ppp.opened.getFirst().link.send(Unpooled.wrappedBuffer(new byte[] {1}));
        ppp.opened.getFirst().link.close(EndCause.IDLE_TIMEOUT);          // CDN is never acknowledged
        lac.call(5);                                        // ICRP neither (sent, never seen)
        assertThat(count("l2sec.l2tp.tunnels.closed")).isZero();
        scheduler.advance(Duration.ofSeconds(1 + 2 + 4 + 8 + 8 + 8));
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "retransmit_limit")).isEqualTo(1);
        assertThat(count("l2sec.l2tp.retransmits")).isGreaterThanOrEqualTo(5);
        assertThat(server.tunnelCount()).isZero();
        assertThat(server.activeSessions()).isZero();
        assertThat(gauge("l2sec.l2tp.tunnels.active")).isZero();
        assertThat(gauge("l2sec.l2tp.sessions.active")).isZero();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void retransmissionsBackOffExponentially() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.sccrq();
        long[] times = new long[7];
        int seen = 1;
        for (int ms = 0; ms < 40_000 && seen < 7; ms += 100) {
            scheduler.advance(Duration.ofMillis(100));
            int n = lac.all(MessageType.SCCRP).size();
            if (n > seen) times[seen++] = scheduler.nanoTime() / 1_000_000;
        }
        assertThat(times).containsExactly(0, 1000, 3000, 7000, 15000, 23000, 0);
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "retransmit_limit")).isEqualTo(1);
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void helloTimeoutOfVanishedPeer() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.call(4);
        scheduler.advance(Duration.ofSeconds(59));
        assertThat(lac.all(MessageType.HELLO)).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(lac.all(MessageType.HELLO)).hasSize(1);
        lac.zlb(); // answered: the tunnel lives on
        scheduler.advance(Duration.ofSeconds(60));
        assertThat(lac.all(MessageType.HELLO)).hasSize(2);
        lac.deaf = true;
        scheduler.advance(Duration.ofSeconds(40));
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "hello_timeout")).isEqualTo(1);
        assertThat(ppp.opened.getFirst().down).containsExactly(EndCause.HELLO_TIMEOUT);
        assertThat(server.tunnelCount()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void tunnelAuthenticationSucceedsWithTheSharedSecret() {
        server = server(settings(Optional.of(SECRET), 10, 2));
        FakeLac lac = new FakeLac(server, PEER, 7);
        byte[] lacChallenge = {1, 2, 3, 4, 5, 6, 7, 8};
        lac.sccrq(Avp.of(AvpType.CHALLENGE, lacChallenge));
        ControlMessage sccrp = lac.last(MessageType.SCCRP);
        assertThat(sccrp.find(AvpType.CHALLENGE_RESPONSE).value())
                .isEqualTo(Tunnel.challengeResponse(MessageType.SCCRP, SECRET, lacChallenge));
        byte[] challenge = sccrp.find(AvpType.CHALLENGE).value();
        lac.serverTunnelId = sccrp.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        lac.control(MessageType.SCCCN, lac.serverTunnelId, 0, List.of(Avp.of(AvpType.CHALLENGE_RESPONSE,
                Tunnel.challengeResponse(MessageType.SCCCN, SECRET, challenge))));
        assertThat(count("l2sec.l2tp.tunnels.established")).isEqualTo(1);
        assertThat(lac.all(MessageType.STOPCCN)).isEmpty();
    }

    @Test
    void tunnelAuthenticationFailsWithAWrongSecret() {
        server = server(settings(Optional.of(SECRET), 10, 2));
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.sccrq();
        ControlMessage sccrp = lac.last(MessageType.SCCRP);
        byte[] challenge = sccrp.find(AvpType.CHALLENGE).value();
        lac.serverTunnelId = sccrp.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        lac.control(MessageType.SCCCN, lac.serverTunnelId, 0, List.of(Avp.of(AvpType.CHALLENGE_RESPONSE,
                Tunnel.challengeResponse(MessageType.SCCCN, "wrong".getBytes(), challenge))));
        assertThat(lac.last(MessageType.STOPCCN).find(AvpType.RESULT_CODE).value()[1])
                .isEqualTo((byte) StopCcnResult.NOT_AUTHORIZED.code());
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "auth_failed")).isEqualTo(1);
        assertThat(count("l2sec.l2tp.tunnels.established")).isZero();
        lac.zlb();
        assertThat(server.tunnelCount()).isZero();
    }

    @Test
    void peerChallengeWithoutOurSecretIsRefused() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.sccrq(Avp.of(AvpType.CHALLENGE, new byte[16]));
        assertThat(lac.last(MessageType.STOPCCN)).isNotNull();
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "auth_failed")).isEqualTo(1);
    }

    @Test
    void hiddenAvpsFromThePeerAreUnhidden() {
        server = server(settings(Optional.of(SECRET), 10, 2));
        FakeLac lac = new FakeLac(server, PEER, 7);
        byte[] rv = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
        lac.control(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100),
                Avp.ofString(AvpType.HOST_NAME, "x"), Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.of(AvpType.RANDOM_VECTOR, rv),
                HiddenAvp.hide(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7), SECRET, rv, new byte[5])));
        assertThat(lac.last(MessageType.SCCRP).tunnelId()).isEqualTo(7);
    }

    @Test
    void hiddenAvpWithoutSecretIsDropped() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        byte[] rv = new byte[16];
        lac.control(MessageType.SCCRQ, 0, 0, List.of(Avp.of(AvpType.RANDOM_VECTOR, rv),
                HiddenAvp.hide(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 7), SECRET, rv, new byte[0])));
        assertThat(lac.received).isEmpty();
        assertThat(count("l2sec.l2tp.packets.dropped", "reason", "bad_hidden_avp")).isEqualTo(1);
    }

    @Test
    void duplicateSccrqMapsToTheExistingTunnel() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        ControlMessage sccrq = lac.sccrq();
        lac.deliver(sccrq);
        lac.deliver(sccrq);
        assertThat(server.tunnelCount()).isEqualTo(1);
        assertThat(lac.all(MessageType.SCCRP)).hasSize(1);
        assertThat(lac.zlbs()).as("duplicates acknowledged").isEqualTo(2);
        lac.serverTunnelId = lac.last(MessageType.SCCRP).find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        lac.control(MessageType.SCCCN, lac.serverTunnelId, 0, List.of());
        assertThat(server.activeTunnels()).isEqualTo(1);
    }

    @Test
    void twoPeersBehindOneNat() {
        FakeLac a = new FakeLac(server, new InetSocketAddress("198.51.100.1", 1701), 1);
        FakeLac b = new FakeLac(server, new InetSocketAddress("198.51.100.1", 40001), 1);
        a.establish();
        b.establish();
        assertThat(a.serverTunnelId).isNotEqualTo(b.serverTunnelId);
        int sa = a.call(1);
        int sb = b.call(1);
        assertThat(sa).isNotEqualTo(sb);
        assertThat(server.activeTunnels()).isEqualTo(2);
        a.data(sa, new byte[] {1});
        b.data(sb, new byte[] {2});
        assertThat(ppp.opened.get(0).frames).containsExactly(new byte[] {1});
        assertThat(ppp.opened.get(1).frames).containsExactly(new byte[] {2});
        // b addressing a's tunnel: dropped
        int bTunnel = b.serverTunnelId;
        b.serverTunnelId = a.serverTunnelId;
        b.data(sa, new byte[] {3});
        b.control(MessageType.HELLO, a.serverTunnelId, 0, List.of());
        b.serverTunnelId = bTunnel;
        assertThat(count("l2sec.l2tp.packets.dropped", "reason", "wrong_peer")).isEqualTo(2);
        assertThat(ppp.opened.get(0).frames).hasSize(1);
    }

    @Test
    void anotherTransportCannotReachATunnel() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        FakeLac imposter = new FakeLac(server, PEER, 7);
        imposter.serverTunnelId = lac.serverTunnelId;
        imposter.control(MessageType.HELLO, lac.serverTunnelId, 0, List.of());
        assertThat(count("l2sec.l2tp.packets.dropped", "reason", "wrong_peer")).isEqualTo(1);
    }

    @Test
    void tunnelLimitAnswersWithStopCcn() {
        server = server(settings(Optional.empty(), 1, 2));
        new FakeLac(server, PEER, 7).establish();
        FakeLac second = new FakeLac(server, new InetSocketAddress("192.0.2.11", 1701), 7);
        second.sccrq();
        ControlMessage stop = second.last(MessageType.STOPCCN);
        assertThat(stop.find(AvpType.RESULT_CODE).value()).startsWith(0, 2, 0, 4);
        assertThat(stop.nr()).isEqualTo(1);
        assertThat(server.tunnelCount()).isEqualTo(1);
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "tunnel_limit")).isEqualTo(1);
    }

    @Test
    void idsAreReleasedForReuse() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.call(1);
        server.close();
        assertThat(lac.last(MessageType.STOPCCN)).isNotNull();
        assertThat(ppp.opened.getFirst().down).containsExactly(EndCause.SHUTDOWN);
        assertThat(server.tunnelCount()).isZero();
        assertThat(server.activeSessions()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "shutdown")).isEqualTo(1);
    }

    @Test
    void packetsForUnknownTunnelsAreDropped() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.serverTunnelId = 999;
        lac.control(MessageType.HELLO, 999, 0, List.of());
        lac.data(1, new byte[] {1});
        lac.control(MessageType.ICRQ, 0, 0, List.of());
        assertThat(count("l2sec.l2tp.packets.dropped", "reason", "unknown_tunnel")).isEqualTo(3);
        assertThat(lac.received).isEmpty();
    }

    @Test
    void closeTunnelsEndsOnlyThoseOfThatTransport() {
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.call(1);
        FakeLac other = new FakeLac(server, new InetSocketAddress("192.0.2.11", 1701), 8);
        other.establish();
        server.closeTunnels(lac, "ipsec sa deleted");
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(stop).isNotNull();
        assertThat(stop.find(AvpType.RESULT_CODE).value()).startsWith(0, 1); // General request to clear
        assertThat(ppp.opened.getFirst().down).containsExactly(EndCause.TRANSPORT_DOWN);
        assertThat(other.received).noneMatch(m -> m.type() == MessageType.STOPCCN);
        assertThat(server.tunnelCount()).isEqualTo(1);
        assertThat(server.activeSessions()).isZero();
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "transport_down")).isEqualTo(1);
        server.closeTunnels(lac, "again"); // nothing left: harmless
        server.close();
        assertThat(scheduler.activeTimers()).isZero();
    }
}
