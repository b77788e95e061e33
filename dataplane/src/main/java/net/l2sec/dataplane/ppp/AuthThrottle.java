package net.l2sec.dataplane.ppp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.l2sec.spi.time.Scheduler;

/**
 * Authentication failures counted per tunnel and per user name, and attempts refused without asking the backend
 * while either is held down (config {@code ppp.auth-throttle}): a password guesser gets few guesses, and the
 * directory behind the backend few wrong passwords to count towards its own lockout.
 *
 * <p>A key (a tunnel, or a user name compared case-insensitively) with {@link PppSettings.Throttle#tunnelFailures()}
 * or {@link PppSettings.Throttle#userFailures()} failures within {@link PppSettings.Throttle#window()} is held down
 * for {@link PppSettings.Throttle#holdDown()} from the failure that reached the count; then its failures are
 * forgotten. Refused attempts are not failures: they neither extend a hold-down nor count towards the next one.
 * So however long a guesser keeps going, a name is refused at most one hold-down after the guesser stops.
 *
 * <p>The hold-down of a user name does not apply to an address the name authenticated from before (the outer
 * address of the last {@link #KNOWN_ADDRESSES} successes, the port ignored): a guesser elsewhere cannot keep a user
 * out who comes back from where they connected before. From such an address only the tunnel's own count holds.
 *
 * <p>What counts as a failure is the caller's choice (wrong credentials, an unknown user, an invalid name); the
 * tables are bounded ({@link #MAX_ENTRIES} each, least recently used entries go first). One throttle serves every
 * worker loop's sessions (a guesser's attempts count together whichever loop they reach): its methods are
 * synchronized, and called once per authentication, never per packet.
 */
public final class AuthThrottle {
    /** Entries per table (tunnels, user names, known addresses). */
    static final int MAX_ENTRIES = 65_536;
    /** Successful addresses remembered per user name. */
    static final int KNOWN_ADDRESSES = 4;

    /** What a hold-down applies to: the {@code scope} of its log line. */
    enum Scope {
        TUNNEL, USER_NAME;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One tunnel, as PPP knows it: our Tunnel ID and the peer's outer address (an ID is reused by later tunnels). */
    record Tunnel(int localTunnelId, InetSocketAddress peer) {}

    /** A hold-down that just began. */
    record HoldDown(Scope scope, int failures) {}

    /** The failures of one key within the window, oldest first, and the end of its hold-down (0: none). */
    private static final class Failures {
        final ArrayDeque<Long> times = new ArrayDeque<>();
        long heldUntil;
    }

    private final Scheduler clock;
    private volatile PppSettings.Throttle settings;
    private final Map<Tunnel, Failures> tunnels = lru();
    private final Map<String, Failures> users = lru();
    private final Map<String, ArrayDeque<InetAddress>> known = lru();

    /** @param clock read for the time only (from any thread) */
    public AuthThrottle(Scheduler clock, PppSettings.Throttle settings) {
        this.clock = clock;
        this.settings = settings;
    }

    /** A reload: the new limits apply from now on; what was counted stays. */
    void settings(PppSettings.Throttle next) {
        settings = next;
    }

    PppSettings.Throttle settings() {
        return settings;
    }

    /** Whether an attempt for {@code user} on {@code tunnel} from {@code from} is refused now, and by which hold-down. */
    synchronized Optional<Scope> heldDown(Tunnel tunnel, String user, InetAddress from) {
        long now = clock.nanoTime();
        if (held(tunnels, tunnel, now)) return Optional.of(Scope.TUNNEL);
        String key = key(user);
        if (held(users, key, now)) {
            ArrayDeque<InetAddress> good = known.get(key);
            if (good == null || !good.contains(from)) return Optional.of(Scope.USER_NAME);
        }
        return Optional.empty();
    }

    /**
     * A failure on {@code tunnel}, and for {@code user} when present (a name that may be someone's; not for a name
     * that could not be one). Returns the hold-downs it began.
     */
    synchronized java.util.List<HoldDown> failed(Tunnel tunnel, Optional<String> user) {
        PppSettings.Throttle s = settings;
        if (s.holdDown().isZero()) return java.util.List.of();
        long now = clock.nanoTime();
        var started = new java.util.ArrayList<HoldDown>(2);
        if (count(tunnels, tunnel, s.tunnelFailures(), now, s)) started.add(new HoldDown(Scope.TUNNEL, s.tunnelFailures()));
        if (user.isPresent() && count(users, key(user.get()), s.userFailures(), now, s)) {
            started.add(new HoldDown(Scope.USER_NAME, s.userFailures()));
        }
        return started;
    }

    /** {@code user} authenticated from {@code from}: the address is exempt from the name's hold-downs from now on. */
    synchronized void succeeded(String user, InetAddress from) {
        ArrayDeque<InetAddress> good = known.computeIfAbsent(key(user), k -> new ArrayDeque<>(KNOWN_ADDRESSES));
        good.remove(from);
        good.addFirst(from);
        while (good.size() > KNOWN_ADDRESSES) good.removeLast();
    }

    private static <K> boolean held(Map<K, Failures> table, K key, long now) {
        Failures f = table.get(key);
        if (f == null || f.heldUntil == 0) return false;
        if (now - f.heldUntil < 0) return true;
        table.remove(key);                       // the hold-down is over: its failures are forgotten
        return false;
    }

    /** Adds a failure to {@code key}; true when it reached {@code limit} and a hold-down began. */
    private static <K> boolean count(Map<K, Failures> table, K key, int limit, long now, PppSettings.Throttle s) {
        Failures f = table.computeIfAbsent(key, k -> new Failures());
        if (f.heldUntil != 0) {
            if (now - f.heldUntil < 0) return false; // already held: a refused attempt never gets here; a late result may
            f.heldUntil = 0;
            f.times.clear();
        }
        long window = s.window().toNanos();
        while (!f.times.isEmpty() && now - f.times.peekFirst() >= window) f.times.pollFirst();
        f.times.addLast(now);
        if (f.times.size() < limit) return false;
        f.times.clear();
        f.heldUntil = now + s.holdDown().toNanos();
        if (f.heldUntil == 0) f.heldUntil = 1;
        return true;
    }

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }

    /** Least recently used first out once {@link #MAX_ENTRIES} are held. */
    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > MAX_ENTRIES;
            }
        };
    }
}
