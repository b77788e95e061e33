package net.l2sec.aaa.radius;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionControl;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;

/** Sessions in a map; records disconnect and reauthorize calls. */
final class FakeSessionControl implements SessionControl {
    record Reauthorization(String acctSessionId, Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {}

    final Map<String, ActiveSession> sessions = new ConcurrentHashMap<>();
    final Map<String, SessionCounters> counters = new ConcurrentHashMap<>();
    final List<String> disconnected = new CopyOnWriteArrayList<>();
    final List<TerminateCause> causes = new CopyOnWriteArrayList<>();
    final List<Reauthorization> reauthorized = new CopyOnWriteArrayList<>();

    void add(ActiveSession s) {
        sessions.put(s.acctSessionId(), s);
    }

    @Override
    public CompletionStage<List<ActiveSession>> sessions() {
        return CompletableFuture.completedFuture(List.copyOf(sessions.values()));
    }

    @Override
    public CompletionStage<Optional<SessionCounters>> counters(String acctSessionId) {
        return CompletableFuture.completedFuture(sessions.containsKey(acctSessionId)
                ? Optional.of(counters.getOrDefault(acctSessionId, SessionCounters.ZERO)) : Optional.empty());
    }

    @Override
    public CompletionStage<Boolean> disconnect(String acctSessionId, TerminateCause cause) {
        boolean present = sessions.remove(acctSessionId) != null;
        if (present) {
            disconnected.add(acctSessionId);
            causes.add(cause);
        }
        return CompletableFuture.completedFuture(present);
    }

    @Override
    public CompletionStage<Boolean> reauthorize(String acctSessionId, Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        boolean present = sessions.containsKey(acctSessionId);
        if (present) reauthorized.add(new Reauthorization(acctSessionId, sessionTimeout, idleTimeout));
        return CompletableFuture.completedFuture(present);
    }

    static Inet4Address v4(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** A session of {@code user} at {@code address}, authorized {@code age} ago, with the given Class values. */
    static ActiveSession session(String acctSessionId, String user, String address, Duration age, List<byte[]> classes) {
        Authorization authz = new Authorization("radius", Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), classes, Set.of(), Optional.empty());
        return new ActiveSession(acctSessionId, "t1/s2", user, AuthMethod.MSCHAPV2,
                new InetSocketAddress(v4("127.0.0.9"), 4500), v4(address), (1L << 16) | 2, Instant.now().minus(age), authz);
    }
}
