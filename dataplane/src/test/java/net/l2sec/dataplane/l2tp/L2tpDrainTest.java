package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;

/**
 * Operator actions on the LNS: maintenance drain (new calls refused with a CDN, established ones keep running)
 * and an operator's disconnect of a tunnel's last call, which clears the tunnel too.
 */
class L2tpDrainTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakePpp ppp = new FakePpp();
    final L2tpNetworkServer server = new L2tpNetworkServer(L2tpNetworkServerTest.settings(Optional.empty(), 10, 5), ppp,
            scheduler, registry);

    double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private ControlMessage icrq(FakeLac lac, int lacSession) {
        lac.control(MessageType.ICRQ, lac.serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, lacSession),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, lacSession)));
        return lac.received.getLast();
    }

    @Test
    void drainingRefusesNewCallsAndKeepsEstablishedOnes() {
        FakeLac lac = new FakeLac(server, L2tpNetworkServerTest.PEER, 7);
        lac.establish();
        int established = lac.call(1);
        server.draining(true);
        assertThat(server.draining()).isTrue();

        ControlMessage cdn = icrq(lac, 2);
        assertThat(cdn.type()).isEqualTo(MessageType.CDN);
        assertThat(cdn.sessionId()).isEqualTo(2);
        // RFC 2661 section 4.4.2: result 4 (temporary lack of facilities), error 4 (insufficient resources)
        assertThat(cdn.find(AvpType.RESULT_CODE).value()).startsWith(0, CdnResult.TEMPORARY_NO_FACILITIES.code(),
                0, ErrorCode.INSUFFICIENT_RESOURCES.code());
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "draining")).isEqualTo(1);
        assertThat(server.activeSessions()).isEqualTo(1);
        assertThat(ppp.opened).hasSize(1);
        assertThat(ppp.opened.getFirst().down).isEmpty();

        // the established call still carries data
        lac.data(established, new byte[] {(byte) 0xc0, 0x21, 9, 1, 0, 4});
        assertThat(ppp.opened.getFirst().frames).isNotEmpty();

        server.draining(false);
        assertThat(icrq(lac, 3).type()).isEqualTo(MessageType.ICRP);
        assertThat(server.activeSessions()).isEqualTo(2);
        assertThat(count("l2sec.l2tp.sessions.failed", "reason", "draining")).isEqualTo(1);
    }

    @Test
    void operatorDisconnectOfTheLastCallClearsTheTunnel() {
        FakeLac lac = new FakeLac(server, L2tpNetworkServerTest.PEER, 7);
        lac.establish();
        lac.call(1);
        lac.call(2);
        // a call the client hangs up leaves the tunnel alone; the operator's disconnect of the last one ends it
        ppp.opened.get(0).link.close(EndCause.PEER_TERMINATE);
        assertThat(lac.last(MessageType.CDN)).isNotNull();
        assertThat(lac.all(MessageType.STOPCCN)).isEmpty();
        ppp.opened.get(1).link.close(EndCause.ADMIN_DISCONNECT);
        ControlMessage stop = lac.last(MessageType.STOPCCN);
        assertThat(stop).isNotNull();
        assertThat(stop.find(AvpType.RESULT_CODE).value()).startsWith(0, StopCcnResult.GENERAL_REQUEST.code());
        assertThat(server.activeTunnels()).isZero();
        assertThat(count("l2sec.l2tp.tunnels.closed", "cause", "admin_disconnect")).isEqualTo(1);
    }

    @Test
    void operatorDisconnectLeavesATunnelWithOtherCalls() {
        FakeLac lac = new FakeLac(server, L2tpNetworkServerTest.PEER, 7);
        lac.establish();
        lac.call(1);
        lac.call(2);
        ppp.opened.get(0).link.close(EndCause.ADMIN_DISCONNECT);
        assertThat(lac.all(MessageType.STOPCCN)).isEmpty();
        assertThat(server.activeTunnels()).isEqualTo(1);
        assertThat(server.activeSessions()).isEqualTo(1);
    }
}
