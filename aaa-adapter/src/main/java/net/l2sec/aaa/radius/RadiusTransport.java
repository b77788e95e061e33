package net.l2sec.aaa.radius;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.tinyradius.core.RadiusPacketException;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RadiusSender} over UDP: one {@link DatagramChannel} (ephemeral port, blocking) per request on its own
 * virtual thread.
 *
 * <p>Per server: the request is encoded once with a new Identifier and Request Authenticator, and retransmitted
 * unchanged up to {@code retries} times, each waiting {@code timeout} (RFC 5080 section 2.2.1: a retransmission
 * to the same server keeps Identifier and authenticator). Without a valid answer the server is marked dead for
 * {@code deadTime} and the next live one gets a freshly encoded copy. When every server is dead they are tried
 * anyway, the one dead longest first. A dead server whose dead time has passed is tried again by the next
 * request and is back in service when it answers.
 *
 * <p>Responses from another address, with another Identifier or failing the authenticator checks of
 * {@link RadiusWire#verifyResponse} are dropped, counted in {@code l2sec.aaa.radius.invalid.responses} and the
 * wait continues.
 */
public final class RadiusTransport implements RadiusSender {
    /** A server and the address this transport sends to (its auth or its accounting address). */
    public record Target(RadiusServer server, InetSocketAddress address) {
        public Target {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(address, "address");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(RadiusTransport.class);

    private final String purpose;
    private final List<ServerState> servers;
    private final Duration timeout;
    private final int retries;
    private final Duration deadTime;
    private final MeterRegistry registry;
    private final Clock clock;
    private final AtomicInteger nextIdentifier = new AtomicInteger(new java.security.SecureRandom().nextInt(256));

    /**
     * @param purpose  {@code auth} or {@code acct}: the metric tag and log key
     * @param targets  in failover order
     */
    public RadiusTransport(String purpose, List<Target> targets, Duration timeout, int retries, Duration deadTime,
                           MeterRegistry registry, Clock clock) {
        if (!purpose.equals("auth") && !purpose.equals("acct")) throw new IllegalArgumentException("purpose auth or acct: " + purpose);
        if (targets.isEmpty()) throw new IllegalArgumentException("no RADIUS " + purpose + " servers");
        this.purpose = purpose;
        this.timeout = Objects.requireNonNull(timeout);
        this.retries = retries;
        this.deadTime = Objects.requireNonNull(deadTime);
        this.registry = Objects.requireNonNull(registry);
        this.clock = Objects.requireNonNull(clock);
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
        for (ServerState s : order()) {
            Optional<RadiusResponse> response = exchange(s, request);
            if (response.isPresent()) return response.get();
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

    /** Transmits to one server until a genuine answer or retries are exhausted. */
    private Optional<RadiusResponse> exchange(ServerState s, RadiusRequest request) throws IOException {
        byte[] secret = s.target.server().secret();
        RadiusWire.Encoded encoded = RadiusWire.encodeRequest(request, nextIdentifier.getAndIncrement() & 0xff, secret);
        long started = System.nanoTime();
        try (DatagramChannel channel = DatagramChannel.open()) {
            DatagramSocket socket = channel.socket();
            socket.bind(new InetSocketAddress(s.target.address().getAddress().isLoopbackAddress()
                    ? s.target.address().getAddress() : null, 0));
            byte[] buffer = new byte[RadiusWire.MAX_PACKET + 1];
            for (int attempt = 0; attempt <= retries; attempt++) {
                socket.send(new DatagramPacket(encoded.packet(), encoded.packet().length, s.target.address()));
                long deadline = System.nanoTime() + timeout.toNanos();
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                    DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(in);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    Optional<RadiusResponse> ok = accept(s, encoded, in, secret);
                    if (ok.isPresent()) {
                        record(s, started, result(ok.get().getType() & 0xff));
                        s.answered();
                        return ok;
                    }
                }
                s.timeouts.increment();
                log.debug("radius server={} purpose={} id={} timeout attempt={}/{}", s.name(), purpose,
                        encoded.identifier(), attempt + 1, retries + 1);
            }
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        record(s, started, "timeout");
        s.markDead();
        return Optional.empty();
    }

    private Optional<RadiusResponse> accept(ServerState s, RadiusWire.Encoded encoded, DatagramPacket in, byte[] secret) {
        InvalidResponseReason reason;
        if (!(in.getSocketAddress() instanceof InetSocketAddress from) || !from.equals(s.target.address())) {
            reason = InvalidResponseReason.SOURCE;
        } else {
            byte[] packet = Arrays.copyOfRange(in.getData(), in.getOffset(), in.getOffset() + in.getLength());
            Optional<InvalidResponseReason> bad = RadiusWire.verifyResponse(packet, encoded, secret,
                    s.target.server().requireMessageAuthenticator());
            if (bad.isEmpty()) {
                try {
                    int length = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
                    return Optional.of(RadiusResponse.fromByteBuf(RadiusDictionary.get(),
                            Unpooled.wrappedBuffer(packet, 0, length)));
                } catch (RadiusPacketException | RuntimeException e) {
                    reason = InvalidResponseReason.MALFORMED;
                }
            } else {
                reason = bad.get();
            }
        }
        Counter.builder("l2sec.aaa.radius.invalid.responses").tags("server", s.name(), "purpose", purpose, "reason", reason.tag())
                .description("RADIUS responses dropped as malformed, unexpected or failing authentication")
                .register(registry).increment();
        log.warn("radius server={} purpose={} dropped response from={} reason={}", s.name(), purpose,
                in.getSocketAddress(), reason.tag());
        return Optional.empty();
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

    /** Liveness of one server for this purpose. */
    private final class ServerState {
        final Target target;
        final Counter timeouts;
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
        }

        String name() {
            return target.server().name();
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
        return "RadiusTransport[purpose=" + purpose + ", servers=" + servers.stream().map(ServerState::name).toList() + "]";
    }
}
