package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.Test;

/** Every observer hears a client's move (accounting and the meters alike), one failing observer or not. */
class FanOutObserverTest {
    @Test
    void aPeerMoveReachesEveryObserverEvenPastOneThatFails() throws Exception {
        List<String> heard = new ArrayList<>();
        SessionObserver failing = new SessionObserver() {
            @Override
            public void started(ActiveSession session) {}

            @Override
            public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {}

            @Override
            public void peerMoved(ActiveSession session, InetSocketAddress from) {
                throw new IllegalStateException("broken observer");
            }
        };
        SessionObserver recording = new SessionObserver() {
            @Override
            public void started(ActiveSession session) {}

            @Override
            public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {}

            @Override
            public void peerMoved(ActiveSession session, InetSocketAddress from) {
                heard.add(from + " -> " + session.peer());
            }
        };
        InetSocketAddress before = new InetSocketAddress("198.51.100.7", 4500);
        InetSocketAddress after = new InetSocketAddress("203.0.113.9", 4500);
        ActiveSession s = new ActiveSession("00000001", "ike2=1", "alice", AuthMethod.EAP_MSCHAPV2, before,
                (java.net.Inet4Address) InetAddress.ofLiteral("10.99.0.10"), 1, Instant.EPOCH, Authorization.defaults("staff"));
        FanOutObserver.of(failing, recording).peerMoved(s.withPeer(after), before);
        assertThat(heard).containsExactly(before + " -> " + after);
    }
}
