package net.l2sec.dataplane.ppp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountingTest {
    final PppHarness h = new PppHarness().start(PppHarness.settingsWithoutEcho(AuthMethod.PAP));
    final List<String> events = new ArrayList<>();
    final SessionContext context = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 1701), 1, 1,
            Instant.parse("2030-01-01T00:00:00Z"));
    final Accounting accounting = new Accounting(h.session, context, h.sessions, 0);

    @AfterEach
    void release() {
        h.releaseAll();
    }

    {
        h.sessions.observer(new SessionObserver() {
            @Override
            public void started(ActiveSession session) {
                events.add("start " + session.user() + " " + session.authorized());
            }

            @Override
            public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
                events.add("stop " + cause + " " + counters.inputOctets());
            }
        });
    }

    void up() {
        accounting.ipcpOpened(AuthMethod.PAP, PppHarness.accept("alice"), PppHarness.ip("10.99.0.10"),
                Duration.ofSeconds(5).toNanos(), net.l2sec.spi.session.ClientIdentity.NONE, net.l2sec.spi.auth.Ipv6Framing.none());
    }

    @Test
    void establishedOnceAtTheFirstIpcpOpeningAndAuthorizedWhenAuthenticated() {
        up();
        up();                                   // IPCP again after LCP renegotiation
        assertThat(events).containsExactly("start alice 2030-01-01T00:00:05Z");
        assertThat(accounting.active()).hasValueSatisfying(a -> {
            assertThat(a.acctSessionId()).isEqualTo(context.acctSessionId());
            assertThat(a.address()).isEqualTo(PppHarness.ip("10.99.0.10"));
        });
        accounting.stopped(new SessionCounters(7, 0, 1, 0), EndCause.ECHO_TIMEOUT);
        assertThat(events).containsExactly("start alice 2030-01-01T00:00:05Z", "stop LOST_CARRIER 7");
    }

    @Test
    void neverEstablishedNeverReported() {
        accounting.disconnected(EndCause.ADMIN_DISCONNECT);
        accounting.stopped(SessionCounters.ZERO, EndCause.AUTH_FAILED);
        assertThat(events).isEmpty();
        assertThat(accounting.active()).isEmpty();
    }

    @Test
    void theFirstOperatorCauseIsReportedWhateverTheSessionEndedWith() {
        up();
        accounting.disconnected(EndCause.ADMIN_DISCONNECT);
        accounting.disconnected(EndCause.SHUTDOWN);
        accounting.stopped(SessionCounters.ZERO, EndCause.IDLE_TIMEOUT);
        assertThat(events).last().isEqualTo("stop ADMIN_RESET 0");
    }
}
