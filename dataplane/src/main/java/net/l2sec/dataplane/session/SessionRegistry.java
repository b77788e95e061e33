package net.l2sec.dataplane.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
 * The established sessions of every event loop, PPP ones and IKEv2 ones alike ({@link ClientSession}): tells the {@link SessionObserver} (accounting) when a session
 * becomes established and when it ends, and serves {@link SessionControl} for RADIUS Disconnect/CoA and the admin
 * interface. One registry serves all the worker loops: each session is recorded with the loop that owns it, and
 * whatever reads or changes a session runs on that loop; the maps themselves are concurrent. {@link #sessionsOf}
 * is readable from any thread (the policy's concurrent-session limit runs on a virtual thread).
 *
 * <p>Sessions per user are counted from authentication, not from IPCP: a session takes its {@link Reservation}
 * when the backend's accept reaches its loop, in the same atomic step that compares the count with the
 * authorization's {@code maxSessions}, and gives it back when it ends however it ends. So logins in parallel, on
 * one loop or on several, cannot together exceed the limit, and the policy's own check ({@link #sessionsOf}) sees
 * the sessions still negotiating.
 *
 * <p>A rule's {@code max-sessions-total} (a licence-like cap on the sessions one policy rule may hold, all users
 * together) is counted the same way and in the same step: a {@link Reservation} holds a place in its user's count
 * and, when the authorization names a cap, one in its rule's; a login that would pass either limit takes neither.
 */
public final class SessionRegistry implements SessionControl {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    /** An established session and the loop it belongs to. */
    private record Established(ClientSession session, Scheduler loop) {}

    private final Map<String, Established> established = new ConcurrentHashMap<>();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> perRule = new ConcurrentHashMap<>();
    private volatile SessionObserver observer = SessionObserver.NONE;

    /** Who is told about sessions starting and stopping (accounting); set before the first session. */
    public void observer(SessionObserver observer) {
        this.observer = observer;
    }

    /** Sessions of {@code user} (case-insensitive) right now, from their authentication to their end. */
    public int sessionsOf(String user) {
        return perUser.getOrDefault(key(user), 0);
    }

    /** Sessions admitted by the policy rule {@code rule} right now (counted only for rules with a cap). */
    public int sessionsOfRule(String rule) {
        return perRule.getOrDefault(rule, 0);
    }

    /**
     * One session's place in its user's count, and in its rule's when the rule has a cap ({@code rule} null when
     * not); {@link #release} gives them back, once.
     */
    public final class Reservation {
        private final String key;
        private final String rule;
        private boolean released;

        private Reservation(String key, String rule) {
            this.key = key;
            this.rule = rule;
        }

        public void release() {
            if (released) return;
            released = true;
            perUser.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            if (rule != null) perRule.computeIfPresent(rule, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Which limit refused a {@link #reserve}. */
    public enum Refusal { USER_LIMIT, RULE_LIMIT }

    /**
     * Counts one more session of {@code user}, unless {@code limit} says the user holds that many already: then
     * empty, and nothing is counted. Atomic, so sessions of one user on different loops cannot pass it together.
     */
    public Optional<Reservation> reserve(String user, OptionalInt limit) {
        return reserve(user, limit, null, OptionalInt.empty()).left();
    }

    /** What {@link #reserve(String, OptionalInt, String, OptionalInt)} gives: a reservation, or why not. */
    public record Outcome(Optional<Reservation> left, Optional<Refusal> refusal) {}

    /**
     * Counts one more session of {@code user} and, when {@code ruleCap} is present, of {@code rule}, unless the user
     * holds {@code limit} sessions already or the rule {@code ruleCap}: then nothing is counted, and the outcome says
     * which limit refused. Atomic for each count, and the rule's place is taken back when the user's cannot be had,
     * so sessions on different loops cannot together pass either limit.
     */
    public Outcome reserve(String user, OptionalInt limit, String rule, OptionalInt ruleCap) {
        boolean capped = rule != null && ruleCap.isPresent();
        if (capped && !take(perRule, rule, ruleCap)) return new Outcome(Optional.empty(), Optional.of(Refusal.RULE_LIMIT));
        String key = key(user);
        if (!take(perUser, key, limit)) {
            if (capped) perRule.computeIfPresent(rule, (k, n) -> n <= 1 ? null : n - 1);
            return new Outcome(Optional.empty(), Optional.of(Refusal.USER_LIMIT));
        }
        return new Outcome(Optional.of(new Reservation(key, capped ? rule : null)), Optional.empty());
    }

    /** One more in {@code counts} under {@code key} unless it holds {@code limit} already; atomic. */
    private static boolean take(Map<String, Integer> counts, String key, OptionalInt limit) {
        boolean[] taken = {false};
        counts.compute(key, (k, held) -> {
            int n = held == null ? 0 : held;
            if (limit.isPresent() && n >= limit.getAsInt()) return held;
            taken[0] = true;
            return n + 1;
        });
        return taken[0];
    }

    /** The session is established (PPP: IPCP opened the first time); on the session's loop. */
    public void started(ClientSession session, ActiveSession active) {
        established.put(active.acctSessionId(), new Established(session, session.scheduler()));
        try {
            observer.started(active);
        } catch (RuntimeException e) {
            log.error("session={} session observer failed on start: {}", active.tag(), e.toString());
        }
    }

    /** The session ended for {@code cause}: accounting gets its Acct-Terminate-Cause. On the session's loop. */
    public void stopped(ClientSession session, ActiveSession active, SessionCounters counters, EndCause cause) {
        Established e = established.get(active.acctSessionId());
        if (e == null || e.session() != session || !established.remove(active.acctSessionId(), e)) return;
        try {
            observer.stopped(active, counters, cause.terminateCause());
        } catch (RuntimeException ex) {
            log.error("session={} session observer failed on stop: {}", active.tag(), ex.toString());
        }
    }

    /**
     * The established session's client moved: {@code moved} is its view with the new peer, which the admin view
     * reads from the session itself; accounting is told. Sessions are keyed by Acct-Session-Id, not by peer: nothing
     * here changes. On the session's loop.
     */
    public void peerMoved(ClientSession session, ActiveSession moved, java.net.InetSocketAddress from) {
        Established e = established.get(moved.acctSessionId());
        if (e == null || e.session() != session) return;
        try {
            observer.peerMoved(moved, from);
        } catch (RuntimeException ex) {
            log.error("session={} session observer failed on peer move: {}", moved.tag(), ex.toString());
        }
    }

    /** Every loop's sessions, each read on its own loop. */
    @Override
    public CompletionStage<List<ActiveSession>> sessions() {
        Map<Scheduler, List<ClientSession>> byLoop = new java.util.IdentityHashMap<>();
        for (Established e : established.values()) byLoop.computeIfAbsent(e.loop(), l -> new ArrayList<>()).add(e.session());
        List<CompletableFuture<List<ActiveSession>>> parts = new ArrayList<>();
        byLoop.forEach((loop, sessions) -> parts.add(LoopCalls.supplyOn(loop, () -> {
            List<ActiveSession> all = new ArrayList<>(sessions.size());
            for (ClientSession s : sessions) s.active().ifPresent(all::add);
            return all;
        }).toCompletableFuture()));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<ActiveSession> all = new ArrayList<>();
            for (CompletableFuture<List<ActiveSession>> p : parts) all.addAll(p.join());
            all.sort(java.util.Comparator.comparing(ActiveSession::authorized));
            return all;
        });
    }

    @Override
    public CompletionStage<Optional<SessionCounters>> counters(String acctSessionId) {
        return onLoopOf(acctSessionId, Optional.empty(), s -> Optional.of(s.counters()));
    }

    @Override
    public CompletionStage<Boolean> disconnect(String acctSessionId, TerminateCause cause) {
        if (cause != EndCause.ADMIN_DISCONNECT.terminateCause()) {
            throw new IllegalArgumentException("an operator disconnects with Admin-Reset, not " + cause);
        }
        return onLoopOf(acctSessionId, false, s -> {
            s.disconnect(EndCause.ADMIN_DISCONNECT);
            return true;
        });
    }

    @Override
    public CompletionStage<Boolean> reauthorize(String acctSessionId, Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        return onLoopOf(acctSessionId, false, s -> {
            s.reauthorize(sessionTimeout, idleTimeout);
            return true;
        });
    }

    /**
     * {@code work} on the established session {@code acctSessionId}, on its loop; {@code absent} when there is no
     * such session (now, or by the time the loop runs the work).
     */
    private <T> CompletionStage<T> onLoopOf(String acctSessionId, T absent, java.util.function.Function<ClientSession, T> work) {
        Established e = established.get(acctSessionId);
        if (e == null) return CompletableFuture.completedFuture(absent);
        return LoopCalls.supplyOn(e.loop(), () -> established.get(acctSessionId) == e ? work.apply(e.session()) : absent);
    }

    private static String key(String user) {
        return user.toLowerCase(java.util.Locale.ROOT);
    }
}
