package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Everything a peer can make the LNS hold or do is bounded, and every refusal is counted with its reason. */
class L2tpLimitsTest {
    static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.10", 1701);

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakePpp ppp = new FakePpp();
    L2tpNetworkServer server;

    static L2tpSettings limits(int maxTunnels, int maxSessions, int perPeer, int sendWindow, int sendQueue) {
        return new L2tpSettings("lns", 8, Duration.ofSeconds(1), Duration.ofSeconds(8), 5, Duration.ofSeconds(60),
                Optional.empty(), maxTunnels, maxSessions, perPeer, Duration.ofSeconds(30), sendWindow, sendQueue);
    }

    L2tpNetworkServer server(L2tpSettings settings) {
        return server = new L2tpNetworkServer(settings, ppp, scheduler, registry);
    }

    double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    static List<Avp> sccrqAvps(int peerTunnelId, int receiveWindow) {
        return List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100), Avp.ofString(AvpType.HOST_NAME, "lac"),
                Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3), Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, peerTunnelId),
                Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, receiveWindow));
    }

    /** An SCCRQ from {@code lac}'s address and transport, for the peer's tunnel {@code peerTunnelId}. */
    static void sccrq(FakeLac lac, int peerTunnelId) {
        lac.deliver(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqAvps(peerTunnelId, 4)).withSequence(0, 0));
    }

    static int resultCode(ControlMessage m) {
        byte[] v = m.find(AvpType.RESULT_CODE).value();
        return (v[0] & 0xff) << 8 | (v[1] & 0xff);
    }

    static int errorCode(ControlMessage m) {
        byte[] v = m.find(AvpType.RESULT_CODE).value();
        return (v[2] & 0xff) << 8 | (v[3] & 0xff);
    }

    @Test
    void closingTunnelsCountAgainstMaxTunnels() {
        server(limits(2, 4, 4, 8, 64));
        FakeLac a = new FakeLac(server, PEER, 1);
        FakeLac b = new FakeLac(server, new InetSocketAddress("192.0.2.11", 1701), 1);
        a.establish();
        b.establish();
        a.control(MessageType.STOPCCN, a.serverTunnelId, 0, List.of(Tunnel.resultCode(1, ErrorCode.NO_ERROR, null),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 1)));
        assertThat(server.activeTunnels()).isEqualTo(1);
        assertThat(server.tunnelCount()).as("a's tunnel is kept to acknowledge a retransmitted StopCCN").isEqualTo(2);

        FakeLac c = new FakeLac(server, new InetSocketAddress("192.0.2.12", 1701), 1);
        c.sccrq();
        ControlMessage stop = c.last(MessageType.STOPCCN);
        assertThat(resultCode(stop)).isEqualTo(StopCcnResult.GENERAL_ERROR.code());
        assertThat(errorCode(stop)).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES.code());
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "tunnel_limit")).isEqualTo(1);
        assertThat(server.tunnelCount()).isEqualTo(2);

        scheduler.advance(Duration.ofMinutes(1));      // a's closing tunnel is freed
        FakeLac again = new FakeLac(server, new InetSocketAddress("192.0.2.12", 1701), 2);
        again.sccrq();
        assertThat(again.all(MessageType.SCCRP)).hasSize(1);
    }

    @Test
    void tunnelsPerPeerAreCappedAndOtherPeersAreNotAffected() {
        server(limits(100, 4, 2, 8, 64));
        FakeLac lac = new FakeLac(server, PEER, 1);
        sccrq(lac, 1);
        sccrq(lac, 2);
        assertThat(lac.all(MessageType.SCCRP)).hasSize(2);
        sccrq(lac, 3);
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(stop.tunnelId()).isEqualTo(3);
        assertThat(errorCode(stop)).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES.code());
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "peer_tunnel_limit")).isEqualTo(1);
        assertThat(server.tunnelCount()).isEqualTo(2);

        // the same address through another port, or another transport (an IPsec peer's SAs), is another peer
        FakeLac otherPort = new FakeLac(server, new InetSocketAddress("192.0.2.10", 40000), 1);
        otherPort.sccrq();
        FakeLac otherTransport = new FakeLac(server, PEER, 9);
        otherTransport.sccrq();
        assertThat(otherPort.all(MessageType.SCCRP)).hasSize(1);
        assertThat(otherTransport.all(MessageType.SCCRP)).hasSize(1);

        // a tunnel that is gone makes room again
        scheduler.advance(Duration.ofMinutes(2));       // never connected: SCCRP retransmitted, then given up
        assertThat(server.tunnelCount()).isZero();
        sccrq(lac, 4);
        assertThat(lac.last(MessageType.SCCRP).tunnelId()).isEqualTo(4);
    }

    /**
     * Before: once every Tunnel ID was held (closing tunnels were not counted against max-tunnels, so the count
     * stayed below it) the next SCCRQ searched for a free ID forever, on the event loop. Here the IDs other tunnels
     * would hold are taken out of the space directly, and two real tunnels take the rest.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void everyTunnelIdTakenIsARefusalNotAHang() {
        server(limits(0xffff, 1, 0xffff, 8, 64));
        for (int i = 0; i < IdSpace.SIZE - 2; i++) assertThat(server.tunnelIds().allocate(new java.util.SplittableRandom(i))).isPositive();
        FakeLac lac = new FakeLac(server, PEER, 1);
        sccrq(lac, 1);
        sccrq(lac, 2);
        assertThat(lac.all(MessageType.SCCRP)).hasSize(2);

        sccrq(lac, 3);
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(resultCode(stop)).isEqualTo(StopCcnResult.GENERAL_ERROR.code());
        assertThat(errorCode(stop)).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES.code());
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "no_resources")).isEqualTo(1);
        assertThat(server.tunnelCount()).isEqualTo(2);

        // one of the two closes and is freed: its ID is free again, and found
        lac.deliver(ControlMessage.of(MessageType.STOPCCN, lac.last(MessageType.SCCRP).find(AvpType.ASSIGNED_TUNNEL_ID).shortValue(), 0,
                List.of(Tunnel.resultCode(1, ErrorCode.NO_ERROR, null), Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 2)))
                .withSequence(1, 1));
        scheduler.advance(Duration.ofMinutes(1));
        sccrq(lac, 4);
        assertThat(lac.last(MessageType.SCCRP).tunnelId()).isEqualTo(4);
        server.close();
    }

    @Test
    void aCallWithoutIccnIsClearedAfterTheConnectTimeout() {
        server(limits(10, 4, 4, 8, 64));
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.control(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 5),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1)));
        assertThat(server.activeSessions()).isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(29));
        assertThat(lac.all(MessageType.CDN)).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        ControlMessage cdn = lac.last(MessageType.CDN);
        assertThat(cdn.sessionId()).isEqualTo(5);
        assertThat(resultCode(cdn)).isEqualTo(CdnResult.ADMINISTRATIVE.code());
        assertThat(server.activeSessions()).isZero();
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "connect_timeout")).isEqualTo(1);
        assertThat(ppp.opened).isEmpty();

        // a call that is connected in time keeps going, and its timer is gone
        lac.call(6);
        scheduler.advance(Duration.ofSeconds(45));
        assertThat(server.activeSessions()).isEqualTo(1);
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "connect_timeout")).isEqualTo(1);
        server.close();
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void aHugeReceiveWindowIsClampedSoRetransmissionsStayBounded() {
        server(limits(10, 256, 4, 8, 64));
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.deliver(ControlMessage.of(MessageType.SCCRQ, 0, 0, sccrqAvps(7, 65_535)).withSequence(0, 0));
        lac.serverTunnelId = lac.last(MessageType.SCCRP).find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        lac.deliver(ControlMessage.of(MessageType.SCCCN, lac.serverTunnelId, 0, List.of()).withSequence(1, 1));
        // 40 calls whose ICRPs the peer never acknowledges (its Nr stays at 1)
        for (int i = 0; i < 40; i++) {
            lac.deliver(ControlMessage.of(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(
                    Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 100 + i), Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, i)))
                    .withSequence(2 + i, 1));
        }
        assertThat(lac.all(MessageType.ICRP)).as("no more outstanding than our send window").hasSize(8);
        double before = count("l2sec.l2tp.retransmits");
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(count("l2sec.l2tp.retransmits") - before).isEqualTo(8);
        server.close();
    }

    @Test
    void aPeerThatLetsOurMessagesPileUpLosesItsTunnel() {
        server(limits(10, 256, 4, 4, 10));
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        int established = lac.call(1);
        assertThat(established).isPositive();
        int ns = lac.ns;
        // ICRQs that acknowledge nothing of ours: the ICRPs stay in flight or queued
        int nr = lac.nr;
        for (int i = 0; i < 4 + 10 + 1; i++) {
            lac.deliver(ControlMessage.of(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(
                    Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 100 + i), Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, i)))
                    .withSequence(ns + i, nr));
        }
        assertThat(server.tunnelCount()).as("not torn down inside the send that overflowed").isEqualTo(1);
        scheduler.runPending();
        assertThat(server.tunnelCount()).isZero();
        assertThat(server.activeSessions()).isZero();
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "send_queue_full")).isEqualTo(1);
        assertThat(ppp.opened.getFirst().down).containsExactly(EndCause.TUNNEL_DOWN);
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(errorCode(stop)).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES.code());
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void sessionsPerTunnelAreCappedWithTheirOwnReason() {
        server(limits(10, 1, 4, 8, 64));
        FakeLac lac = new FakeLac(server, PEER, 7);
        lac.establish();
        lac.call(1);
        lac.control(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 2),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 2)));
        ControlMessage cdn = lac.last(MessageType.CDN);
        assertThat(resultCode(cdn)).isEqualTo(CdnResult.TEMPORARY_NO_FACILITIES.code());
        assertThat(errorCode(cdn)).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES.code());
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "session_limit")).isEqualTo(1);
        assertThat(server.activeSessions()).isEqualTo(1);
    }

    @Test
    void refusedRequestsHoldNoIds() {
        server(limits(1, 4, 4, 8, 64));
        List<FakeLac> refused = new ArrayList<>();
        new FakeLac(server, PEER, 1).establish();
        for (int i = 0; i < 100; i++) {
            FakeLac l = new FakeLac(server, new InetSocketAddress("198.51.100.1", 2000 + i), 1);
            l.sccrq();
            refused.add(l);
        }
        assertThat(refused).allSatisfy(l -> assertThat(l.all(MessageType.STOPCCN)).hasSize(1));
        assertThat(server.tunnelCount()).isEqualTo(1);
        assertThat(count("l2sec.l2tp.tunnels.failed", "reason", "tunnel_limit")).isEqualTo(100);
    }
}
