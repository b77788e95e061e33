package net.l2sec.concentrator;

import java.util.Arrays;
import java.util.List;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every session event to several observers in order (RADIUS accounting, the session meters), so that the
 * registry's single observer slot serves them all. One observer failing does not keep the event from the others.
 */
record FanOutObserver(List<SessionObserver> observers) implements SessionObserver {
    private static final Logger log = LoggerFactory.getLogger(FanOutObserver.class);

    FanOutObserver {
        observers = List.copyOf(observers);
    }

    static SessionObserver of(SessionObserver... observers) {
        List<SessionObserver> real = Arrays.stream(observers).filter(o -> o != SessionObserver.NONE).toList();
        return real.size() == 1 ? real.getFirst() : new FanOutObserver(real);
    }

    @Override
    public void started(ActiveSession session) {
        for (SessionObserver o : observers) {
            try {
                o.started(session);
            } catch (RuntimeException e) {
                log.error("session={} observer={} failed on start: {}", session.tag(), o.getClass().getName(), e.toString());
            }
        }
    }

    @Override
    public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
        for (SessionObserver o : observers) {
            try {
                o.stopped(session, counters, cause);
            } catch (RuntimeException e) {
                log.error("session={} observer={} failed on stop: {}", session.tag(), o.getClass().getName(), e.toString());
            }
        }
    }

    @Override
    public void peerMoved(ActiveSession session, java.net.InetSocketAddress from) {
        for (SessionObserver o : observers) {
            try {
                o.peerMoved(session, from);
            } catch (RuntimeException e) {
                log.error("session={} observer={} failed on peer move: {}", session.tag(), o.getClass().getName(), e.toString());
            }
        }
    }
}
