package net.l2sec.aaa.radius;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import net.l2sec.aaa.OverloadReason;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RadiusSender} over UDP. Each server has a small set of sockets (at most {@code socketsPerServer}, opened as
 * they are needed and kept until {@link #close}); each socket carries up to 256 outstanding requests, one per
 * Identifier ({@link RadiusSocket}, {@link IdentifierSpace}; RFC 2865 section 3). So however many requests are in
 * flight, the transport uses at most {@code socketsPerServer} source ports per server. A request runs on its own
 * virtual thread ({@link #send}) or the caller's ({@link #sendBlocking}).
 *
 * <p>Per server: the request takes an Identifier on the first socket that has one free, is encoded once with it and
 * a new Request Authenticator, and is retransmitted unchanged from the same socket up to {@code retries} times, each
 * waiting {@code timeout} (RFC 5080 section 2.2.1: a retransmission keeps source port, Identifier and
 * authenticator). Without a valid answer the server is marked dead for {@code deadTime} and the next live one gets a
 * freshly encoded copy. When every server is dead they are tried anyway, the one dead longest first. A dead server
 * whose dead time has passed is tried again by the next request and is back in service when it answers.
 *
 * <p>When every Identifier of every socket towards a server is outstanding, the request waits up to {@code timeout}
 * for one to be released; if none is, that is counted as {@code l2sec.aaa.overload{backend="radius",
 * reason="identifiers_exhausted"}} and the request goes to the next server (the saturated one is not marked dead).
 * If no server had room, it fails with {@link RadiusUnavailableException}.
 *
 * <p>Datagrams that are not a genuine answer to an outstanding request (from another address, with an Identifier no
 * request holds, failing the authenticator checks of {@link RadiusWire#verifyResponse}) are dropped, counted in
 * {@code l2sec.aaa.radius.invalid.responses} and logged; the wait continues. A genuine but late answer (to a request
 * already answered or given up) is counted with reason {@code late} and logged at DEBUG only.
 */
public final class RadiusTransport implements RadiusSender, AutoCloseable {
    /** A server and the address this transport sends to (its auth or its accounting address). */
    public record Target(RadiusServer server, InetSocketAddress address) {
        public Target {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(address, "address");
        }
    }

    /** Sockets per server unless configured otherwise: 1024 outstanding requests per server. */
    public static final int DEFAULT_SOCKETS_PER_SERVER = 4;
    static final int MAX_SOCKETS_PER_SERVER = 64;

    private static final Logger log = LoggerFactory.getLogger(RadiusTransport.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String purpose;
    private final List<ServerState> servers;
    private final Duration timeout;
    private final int retries;
    private final Duration deadTime;
    private final int socketsPerServer;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter exhausted;
    private volatile boolean closed;

    /**
     * With {@link #DEFAULT_SOCKETS_PER_SERVER} sockets per server.
     *
     * @param purpose  {@code auth} or {@code acct}: the metric tag and log key
     * @param targets  in failover order
     */
    public RadiusTransport(String purpose, List<Target> targets, Duration timeout, int retries, Duration deadTime,
                           MeterRegistry registry, Clock clock) {
        this(purpose, targets, timeout, retries, deadTime, DEFAULT_SOCKETS_PER_SERVER, registry, clock);
    }

    /** @param socketsPerServer how many sockets (source ports) each server gets at most, 1 to 64 */
    public RadiusTransport(String purpose, List<Target> targets, Duration timeout, int retries, Duration deadTime,
                           int socketsPerServer, MeterRegistry registry, Clock clock) {
        if (!purpose.equals("auth") && !purpose.equals("acct")) throw new IllegalArgumentException("purpose auth or acct: " + purpose);
        if (targets.isEmpty()) throw new IllegalArgumentException("no RADIUS " + purpose + " servers");
        if (socketsPerServer < 1 || socketsPerServer > MAX_SOCKETS_PER_SERVER) {
            throw new IllegalArgumentException("sockets per server 1.." + MAX_SOCKETS_PER_SERVER + ": " + socketsPerServer);
        }
        this.purpose = purpose;
        this.timeout = Objects.requireNonNull(timeout);
        this.retries = retries;
        this.deadTime = Objects.requireNonNull(deadTime);
        this.socketsPerServer = socketsPerServer;
        this.registry = Objects.requireNonNull(registry);
        this.clock = Objects.requireNonNull(clock);
        this.exhausted = OverloadReason.IDENTIFIERS_EXHAUSTED.counter(registry, "radius");
        this.servers = targets.stream().map(ServerState::new).toList();
    }

    /** Access-Requests to every server's auth address. */
    public static RadiusTransport authentication(RadiusClientSettings settings, MeterRegistry registry) {
        List<Target> targets = settings.servers().stream().map(s -> new Target(s, s.auth())).toList();
        return new RadiusTransport("auth", targets, settings.timeout(), settings.retries(), settings.deadTime(), registry,
                Clock.systemUTC());
    }

    /** Accounting-Requests to the accounting address of every server that has one. */
    public static RadiusTransport accounting(RadiusClientSettings settings, MeterRegistry registry) {
        List<Target> targets = settings.servers().stream()
                .flatMap(s -> s.accounting().map(a -> new Target(s, a)).stream()).toList();
        return new RadiusTransport("acct", targets, settings.timeout(), settings.retries(), settings.deadTime(), registry,
                Clock.systemUTC());
    }

    public String purpose() {
        return purpose;
    }

    @Override
    public CompletionStage<RadiusResponse> send(RadiusRequest request) {
        CompletableFuture<RadiusResponse> result = new CompletableFuture<>();
        Thread.ofVirtual().name("radius-" + purpose).start(() -> {
            try {
                result.complete(sendBlocking(request));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** What {@link #send} does, on the calling thread. */
    public RadiusResponse sendBlocking(RadiusRequest request) throws IOException {
        int saturated = 0;
        for (ServerState s : order()) {
            if (closed) break;
            Optional<RadiusSocket.Exchange> exchange = s.reserve(timeout);
            if (exchange.isEmpty()) {
                saturated++;
                exhausted.increment();
                log.warn("radius server={} purpose={} reason={}: all {} identifiers of its {} sockets outstanding for {}, "
                        + "trying the next server", s.name(), purpose, OverloadReason.IDENTIFIERS_EXHAUSTED.tag(),
                        IdentifierSpace.SIZE * socketsPerServer, socketsPerServer, timeout);
                continue;
            }
            Optional<RadiusResponse> response = exchange(s, exchange.get(), request);
            if (response.isPresent()) return response.get();
        }
        if (closed) throw new RadiusUnavailableException("RADIUS " + purpose + " transport closed");
        if (saturated == servers.size()) {
            throw new RadiusUnavailableException("every RADIUS " + purpose + " server has all its identifiers outstanding ("
                    + OverloadReason.IDENTIFIERS_EXHAUSTED.tag() + ")");
        }
        throw new RadiusUnavailableException("no RADIUS " + purpose + " server answered (" + servers.size() + " tried, "
                + (retries + 1) + " transmissions each)");
    }

    /** Live servers in configured order, then the dead ones, dead longest first. */
    private List<ServerState> order() {
        Instant now = clock.instant();
        List<ServerState> live = new ArrayList<>();
        List<ServerState> dead = new ArrayList<>();
        for (ServerState s : servers) (s.isDead(now) ? dead : live).add(s);
        dead.sort(Comparator.comparing(s -> s.deadSince));
        live.addAll(dead);
        return live;
    }

    /** Transmits to one server until a genuine answer or retries are exhausted; releases the Identifier. */
    private Optional<RadiusResponse> exchange(ServerState s, RadiusSocket.Exchange exchange, RadiusRequest request)
            throws IOException {
        byte[] secret = s.target.server().secret();
        long started = System.nanoTime();
        try {
            RadiusWire.Encoded encoded = RadiusWire.encodeRequest(request, exchange.identifier(), secret);
            for (int attempt = 0; attempt <= retries; attempt++) {
                exchange.transmit(encoded);
                try {
                    RadiusResponse response = exchange.await(timeout);
                    record(s, started, result(response.getType() & 0xff));
                    s.answered();
                    return Optional.of(response);
                } catch (TimeoutException e) {
                    s.timeouts.increment();
                    log.debug("radius server={} purpose={} id={} timeout attempt={}/{}", s.name(), purpose,
                            encoded.identifier(), attempt + 1, retries + 1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for RADIUS server " + s.name());
        } finally {
            Arrays.fill(secret, (byte) 0);
            exchange.release();
        }
        record(s, started, "timeout");
        s.markDead();
        return Optional.empty();
    }

    private void dropped(ServerState s, InvalidResponseReason reason, SocketAddress from, int identifier) {
        Counter.builder("l2sec.aaa.radius.invalid.responses").tags("server", s.name(), "purpose", purpose, "reason", reason.tag())
                .description("RADIUS responses dropped as malformed, unexpected or failing authentication")
                .register(registry).increment();
        if (reason == InvalidResponseReason.LATE) {
            log.debug("radius server={} purpose={} id={} late answer dropped (already answered or given up)", s.name(),
                    purpose, identifier);
        } else {
            log.warn("radius server={} purpose={} dropped response from={} id={} reason={}", s.name(), purpose, from,
                    identifier, reason.tag());
        }
    }

    private void record(ServerState s, long startedNanos, String result) {
        Timer.builder("l2sec.aaa.request.duration")
                .description("RADIUS request round trip per server")
                .tags("backend", "radius", "server", s.name(), "purpose", purpose, "result", result)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    private static String result(int code) {
        return switch (code) {
            case RadiusWire.ACCESS_ACCEPT -> "accept";
            case RadiusWire.ACCESS_REJECT -> "reject";
            case RadiusWire.ACCESS_CHALLENGE -> "challenge";
            default -> "response";
        };
    }

    /** Closes every socket; requests waiting for an answer fail with {@link RadiusUnavailableException}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        servers.forEach(ServerState::close);
    }

    /** Source ports in use towards each server (sockets opened so far), for tests and the log. */
    List<Integer> socketCounts() {
        return servers.stream().map(ServerState::socketCount).toList();
    }

    /** Liveness and sockets of one server for this purpose. */
    private final class ServerState {
        final Target target;
        final Counter timeouts;
        final ReentrantLock lock = new ReentrantLock();
        final Condition released = lock.newCondition();
        final List<RadiusSocket> sockets = new ArrayList<>(); // guarded by lock
        volatile boolean dead;
        volatile Instant deadSince = Instant.MIN;
        volatile Instant deadUntil = Instant.MIN;

        ServerState(Target target) {
            this.target = target;
            this.timeouts = Counter.builder("l2sec.aaa.timeouts")
                    .description("RADIUS transmissions that got no valid answer in time")
                    .tags("backend", "radius", "server", target.server().name(), "purpose", purpose)
                    .register(registry);
            Gauge.builder("l2sec.aaa.server.up", this, st -> st.dead ? 0 : 1)
                    .description("1 while the RADIUS server is in service, 0 while marked dead")
                    .tags("backend", "radius", "server", target.server().name(), "purpose", purpose)
                    .register(registry);
            Gauge.builder("l2sec.aaa.radius.outstanding", this, ServerState::outstanding)
                    .description("RADIUS requests sent to the server and not yet answered or given up (Identifiers in use)")
                    .tags("server", target.server().name(), "purpose", purpose)
                    .register(registry);
        }

        String name() {
            return target.server().name();
        }

        /**
         * An Identifier on the first of this server's sockets with one free, opening another socket (up to the
         * bound) when all are taken; otherwise waits up to {@code wait} for one to be released.
         */
        Optional<RadiusSocket.Exchange> reserve(Duration wait) throws IOException {
            long deadline = System.nanoTime() + wait.toNanos();
            lock.lock();
            try {
                while (true) {
                    if (closed) throw new RadiusUnavailableException("RADIUS " + purpose + " transport closed");
                    for (RadiusSocket socket : sockets) {
                        Optional<RadiusSocket.Exchange> x = socket.reserve();
                        if (x.isPresent()) return x;
                    }
                    if (sockets.size() < socketsPerServer) {
                        RadiusSocket socket = open();
                        sockets.add(socket);
                        return socket.reserve();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return Optional.empty();
                    released.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for a RADIUS identifier towards " + name());
            } finally {
                lock.unlock();
            }
        }

        private RadiusSocket open() throws IOException {
            byte[] secret = target.server().secret();
            try {
                RadiusSocket socket = new RadiusSocket(target.address(), secret, target.server().requireMessageAuthenticator(),
                        RANDOM.nextInt(IdentifierSpace.SIZE), "radius-" + purpose + "-" + name() + "-" + sockets.size(),
                        (reason, from, id) -> dropped(this, reason, from, id), this::signalReleased);
                log.info("radius server={} purpose={} socket {} of at most {} opened from {}", name(), purpose,
                        sockets.size() + 1, socketsPerServer, socket.localAddress());
                return socket;
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }

        private void signalReleased() {
            lock.lock();
            try {
                released.signal();
            } finally {
                lock.unlock();
            }
        }

        int outstanding() {
            lock.lock();
            try {
                return sockets.stream().mapToInt(RadiusSocket::outstanding).sum();
            } finally {
                lock.unlock();
            }
        }

        int socketCount() {
            lock.lock();
            try {
                return sockets.size();
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                sockets.forEach(RadiusSocket::close);
                sockets.clear();
                released.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Dead and its dead time not yet over. */
        boolean isDead(Instant now) {
            return dead && now.isBefore(deadUntil);
        }

        synchronized void markDead() {
            Instant now = clock.instant();
            boolean wasDead = dead;
            if (!wasDead) deadSince = now;
            dead = true;
            deadUntil = now.plus(deadTime);
            if (wasDead) {
                log.warn("radius server={} purpose={} address={} still dead after {} transmissions, retry after {}",
                        name(), purpose, target.address(), retries + 1, deadTime);
            } else {
                log.warn("radius server={} purpose={} address={} marked dead after {} unanswered transmissions for {}",
                        name(), purpose, target.address(), retries + 1, deadTime);
            }
        }

        synchronized void answered() {
            if (dead) {
                dead = false;
                log.info("radius server={} purpose={} address={} back in service (dead since {})", name(), purpose,
                        target.address(), deadSince);
            }
        }
    }

    @Override
    public String toString() {
        return "RadiusTransport[purpose=" + purpose + ", servers=" + servers.stream().map(ServerState::name).toList()
                + ", socketsPerServer=" + socketsPerServer + "]";
    }
}
