package net.l2sec.dataplane.ppp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.l2sec.dataplane.LoopCalls;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionControl;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The established PPP sessions of one event loop: tells the {@link SessionObserver} (accounting) when a session
 * becomes established and when it ends, and serves {@link SessionControl} for RADIUS Disconnect/CoA and the admin
 * interface. The map is confined to the loop; {@link #sessionsOf} is readable from any thread (the policy's
 * concurrent-session limit runs on a virtual thread).
 *
 * <p>Sessions per user are counted from authentication, not from IPCP: a session takes its {@link Reservation}
 * when the backend's accept reaches the loop, in the same step that compares the count with the authorization's
 * {@code maxSessions}, and gives it back when it ends however it ends. So logins in parallel cannot together
 * exceed the limit, and the policy's own check ({@link #sessionsOf}) sees the sessions still negotiating.
 */
public final class PppSessionRegistry implements SessionControl {
    private static final Logger log = LoggerFactory.getLogger(PppSessionRegistry.class);

    private final Scheduler loop;
    private final Map<String, PppSession> established = new LinkedHashMap<>();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private volatile SessionObserver observer = SessionObserver.NONE;

    public PppSessionRegistry(Scheduler loop) {
        this.loop = loop;
    }

    /** Who is told about sessions starting and stopping (accounting); set before the first session. */
    public void observer(SessionObserver observer) {
        this.observer = observer;
    }

    /** Sessions of {@code user} (case-insensitive) right now, from their authentication to their end. */
    public int sessionsOf(String user) {
        return perUser.getOrDefault(key(user), 0);
    }

    /** One session's place in its user's count; {@link #release} gives it back, once. */
    final class Reservation {
        private final String key;
        private boolean released;

        private Reservation(String key) {
            this.key = key;
        }

        void release() {
            if (released) return;
            released = true;
            perUser.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * Counts one more session of {@code user}, unless {@code limit} says the user holds that many already: then
     * empty, and nothing is counted. Call on the loop.
     */
    Optional<Reservation> reserve(String user, OptionalInt limit) {
        String key = key(user);
        int held = perUser.getOrDefault(key, 0);
        if (limit.isPresent() && held >= limit.getAsInt()) return Optional.empty();
        perUser.put(key, held + 1);
        return Optional.of(new Reservation(key));
    }

    void started(PppSession session, ActiveSession active) {
        established.put(active.acctSessionId(), session);
        try {
            observer.started(active);
        } catch (RuntimeException e) {
            log.error("session={} session observer failed on start: {}", active.tag(), e.toString());
        }
    }

    /** The session ended for {@code cause}: accounting gets its Acct-Terminate-Cause. */
    void stopped(PppSession session, ActiveSession active, SessionCounters counters, EndCause cause) {
        if (established.remove(active.acctSessionId()) == null) return;
        try {
            observer.stopped(active, counters, cause.terminateCause());
        } catch (RuntimeException e) {
            log.error("session={} session observer failed on stop: {}", active.tag(), e.toString());
        }
    }

    @Override
    public CompletionStage<List<ActiveSession>> sessions() {
        return onLoop(() -> {
            List<ActiveSession> all = new ArrayList<>(established.size());
            for (PppSession s : established.values()) s.active().ifPresent(all::add);
            return all;
        });
    }

    @Override
    public CompletionStage<Optional<SessionCounters>> counters(String acctSessionId) {
        return onLoop(() -> Optional.ofNullable(established.get(acctSessionId)).map(PppSession::counters));
    }

    @Override
    public CompletionStage<Boolean> disconnect(String acctSessionId, TerminateCause cause) {
        if (cause != EndCause.ADMIN_DISCONNECT.terminateCause()) {
            throw new IllegalArgumentException("an operator disconnects with Admin-Reset, not " + cause);
        }
        return onLoop(() -> {
            PppSession s = established.get(acctSessionId);
            if (s == null) return false;
            s.disconnect(EndCause.ADMIN_DISCONNECT);
            return true;
        });
    }

    @Override
    public CompletionStage<Boolean> reauthorize(String acctSessionId, Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        return onLoop(() -> {
            PppSession s = established.get(acctSessionId);
            if (s == null) return false;
            s.reauthorize(sessionTimeout, idleTimeout);
            return true;
        });
    }

    private <T> CompletionStage<T> onLoop(Supplier<T> work) {
        return LoopCalls.supplyOn(loop, work);
    }

    private static String key(String user) {
        return user.toLowerCase(java.util.Locale.ROOT);
    }
}
