package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tinyradius.core.dictionary.Dictionary;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/** Edge cases of {@link RadiusTransport} against an in-process fake RADIUS server on 127.0.0.1. */
class RadiusTransportTest {
    private static final byte[] SECRET = "unit-secret".getBytes(StandardCharsets.UTF_8);
    private final Dictionary d = RadiusDictionary.get();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private FakeServer fake;

    @AfterEach
    void close() {
        if (fake != null) fake.close();
    }

    private RadiusTransport transport(boolean requireMessageAuthenticator, int retries) {
        RadiusServer s = new RadiusServer("fake", fake.address(), Optional.empty(), SECRET, requireMessageAuthenticator);
        return new RadiusTransport("auth", List.of(new RadiusTransport.Target(s, s.auth())), Duration.ofMillis(300), retries,
                Duration.ofSeconds(30), registry, Clock.systemUTC());
    }

    private RadiusTransport transport(int socketsPerServer, Duration timeout, int retries) {
        RadiusServer s = new RadiusServer("fake", fake.address(), Optional.empty(), SECRET, true);
        return new RadiusTransport("auth", List.of(new RadiusTransport.Target(s, s.auth())), timeout, retries,
                Duration.ofSeconds(30), socketsPerServer, registry, Clock.systemUTC());
    }

    private RadiusRequest papRequest() throws Exception {
        return papRequest("alice");
    }

    private RadiusRequest papRequest(String user) throws Exception {
        return RadiusRequest.create(d, (byte) 1, (byte) 0, new byte[16],
                List.of(d.createAttribute("User-Name", user), d.createAttribute("User-Password", "pw")));
    }

    /** An Access-Accept for {@code request} that echoes its User-Name attribute. */
    private static byte[] echo(byte[] request) {
        int at = indexOfAttribute(request, 1);
        return reply(request, 2, true, Arrays.copyOfRange(request, at, at + (request[at + 1] & 0xff)), false);
    }

    private static String userName(RadiusResponse r) {
        return new String(r.getAttribute("User-Name").orElseThrow().getValue(), StandardCharsets.UTF_8);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private double overload() {
        return registry.get("l2sec.aaa.overload").tag("backend", "radius").tag("reason", "identifiers_exhausted").counter().count();
    }

    private double outstanding() {
        return registry.get("l2sec.aaa.radius.outstanding").gauge().value();
    }

    /** An Access-Accept (code 2) for {@code request}, with or without Message-Authenticator, optionally corrupted. */
    static byte[] reply(byte[] request, int code, boolean messageAuthenticator, byte[] extraAttrs, boolean corruptAuthenticator) {
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        int maAt = -1;
        if (messageAuthenticator) {
            maAt = 20 + 2;
            attrs.writeBytes(new byte[18]);
        }
        attrs.writeBytes(extraAttrs);
        byte[] body = attrs.toByteArray();
        if (messageAuthenticator) body[0] = 80;
        if (messageAuthenticator) body[1] = 18;
        byte[] p = new byte[20 + body.length];
        p[0] = (byte) code;
        p[1] = request[1];
        p[2] = (byte) (p.length >> 8);
        p[3] = (byte) p.length;
        System.arraycopy(request, 4, p, 4, 16); // Request Authenticator, for the MAC and the hash
        System.arraycopy(body, 0, p, 20, body.length);
        if (maAt >= 0) System.arraycopy(RadiusWire.hmacMd5(SECRET, p), 0, p, maAt, 16);
        byte[] auth = RadiusWire.md5(p, SECRET);
        if (corruptAuthenticator) auth[0] ^= 1;
        System.arraycopy(auth, 0, p, 4, 16);
        return p;
    }

    private double invalid(String reason) {
        var c = registry.find("l2sec.aaa.radius.invalid.responses").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void requestCarriesMessageAuthenticatorFirstAndHidesThePassword() throws Exception {
        fake = new FakeServer(req -> List.of(reply(req, 2, true, new byte[0], false)));
        RadiusResponse r = transport(true, 0).sendBlocking(papRequest());
        assertThat(r.getType()).isEqualTo((byte) 2);
        byte[] req = fake.received.getFirst();
        assertThat(req[0]).isEqualTo((byte) 1);
        assertThat(req[20]).as("first attribute type").isEqualTo((byte) 80);
        assertThat(req[21]).isEqualTo((byte) 18);
        byte[] zeroed = req.clone();
        Arrays.fill(zeroed, 22, 38, (byte) 0);
        assertThat(Arrays.copyOfRange(req, 22, 38)).isEqualTo(RadiusWire.hmacMd5(SECRET, zeroed));
        assertThat(new String(req, StandardCharsets.ISO_8859_1)).doesNotContain("pw\0");
        // RFC 2865 section 5.2: the hidden password XORed with MD5(secret + Request Authenticator) gives "pw" + padding
        int at = indexOfAttribute(req, 2);
        byte[] hidden = Arrays.copyOfRange(req, at + 2, at + (req[at + 1] & 0xff));
        byte[] key = RadiusWire.md5(SECRET, Arrays.copyOfRange(req, 4, 20));
        byte[] clear = new byte[16];
        for (int i = 0; i < 16; i++) clear[i] = (byte) (hidden[i] ^ key[i]);
        assertThat(Arrays.copyOf(clear, 3)).isEqualTo(new byte[] {'p', 'w', 0});
    }

    private static int indexOfAttribute(byte[] p, int type) {
        for (int i = 20; i < p.length; i += p[i + 1] & 0xff) if ((p[i] & 0xff) == type) return i;
        throw new AssertionError("attribute " + type + " missing");
    }

    @Test
    void responseWithoutMessageAuthenticatorRefusedByDefault() throws Exception {
        fake = new FakeServer(req -> List.of(reply(req, 2, false, new byte[0], false)));
        RadiusTransport t = transport(true, 0);
        assertThatThrownBy(() -> t.sendBlocking(papRequest())).isInstanceOf(RadiusUnavailableException.class);
        assertThat(invalid("missing_message_authenticator")).isEqualTo(1.0);
        assertThat(registry.get("l2sec.aaa.server.up").gauge().value()).isZero();
    }

    @Test
    void responseWithoutMessageAuthenticatorAcceptedWhenServerConfiguredSo() throws Exception {
        fake = new FakeServer(req -> List.of(reply(req, 2, false, new byte[0], false)));
        assertThat(transport(false, 0).sendBlocking(papRequest()).getType()).isEqualTo((byte) 2);
        assertThat(invalid("missing_message_authenticator")).isZero();
    }

    @Test
    void badResponseAuthenticatorIsDroppedAndTheWaitContinues() throws Exception {
        fake = new FakeServer(req -> List.of(reply(req, 3, true, new byte[0], true), reply(req, 2, true, new byte[0], false)));
        assertThat(transport(true, 0).sendBlocking(papRequest()).getType()).isEqualTo((byte) 2);
        assertThat(invalid("response_authenticator")).isEqualTo(1.0);
    }

    @Test
    void wrongIdentifierIsDropped() throws Exception {
        fake = new FakeServer(req -> {
            byte[] other = req.clone();
            other[1]++;
            return List.of(reply(other, 2, true, new byte[0], false));
        });
        assertThatThrownBy(() -> transport(true, 0).sendBlocking(papRequest())).isInstanceOf(RadiusUnavailableException.class);
        assertThat(invalid("identifier")).isEqualTo(1.0);
    }

    @Test
    void timeoutRetransmitsTheSamePacketThenGivesUp() throws Exception {
        fake = new FakeServer(req -> List.of());
        RadiusTransport t = transport(true, 2);
        assertThatThrownBy(() -> t.sendBlocking(papRequest())).isInstanceOf(RadiusUnavailableException.class);
        assertThat(fake.received).hasSize(3);
        assertThat(fake.received.get(1)).isEqualTo(fake.received.get(0));
        assertThat(fake.received.get(2)).isEqualTo(fake.received.get(0));
        assertThat(registry.get("l2sec.aaa.timeouts").counter().count()).isEqualTo(3.0);
        assertThat(registry.get("l2sec.aaa.request.duration").tag("result", "timeout").timer().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.aaa.server.up").gauge().value()).isZero();
        // dead: the next request still tries it (it is the only one), with a new Identifier and authenticator
        assertThatThrownBy(() -> t.sendBlocking(papRequest())).isInstanceOf(RadiusUnavailableException.class);
        assertThat(fake.received).hasSize(6);
        assertThat(Arrays.copyOf(fake.received.get(3), 20)).isNotEqualTo(Arrays.copyOf(fake.received.get(0), 20));
    }

    @Test
    void accountingRequestAuthenticatorIsTheMd5OfThePacket() throws Exception {
        fake = new FakeServer(req -> List.of(reply(req, 5, false, new byte[0], false)));
        RadiusRequest acct = RadiusRequest.create(d, (byte) 4, (byte) 0, new byte[16],
                List.of(d.createAttribute("Acct-Status-Type", "Start"), d.createAttribute("Acct-Session-Id", "x")));
        RadiusServer s = new RadiusServer("fake", fake.address(), Optional.of(fake.address()), SECRET);
        RadiusTransport t = RadiusTransport.accounting(new RadiusClientSettings(List.of(s), Duration.ofMillis(300), 0,
                Duration.ofSeconds(1), "nas", Optional.empty(), List.of()), registry);
        assertThat(t.sendBlocking(acct).getType()).isEqualTo((byte) 5);
        byte[] req = fake.received.getFirst();
        byte[] zeroed = req.clone();
        Arrays.fill(zeroed, 4, 20, (byte) 0);
        assertThat(Arrays.copyOfRange(req, 4, 20)).isEqualTo(RadiusWire.md5(zeroed, SECRET));
    }

    @Test
    void secretsAreRedacted() {
        RadiusServer s = new RadiusServer("r1", new InetSocketAddress("127.0.0.1", 1812), Optional.empty(), SECRET);
        assertThat(s.toString()).doesNotContain("unit-secret").contains("redacted");
        assertThat(s.requireMessageAuthenticator()).isTrue();
    }

    @Test
    void concurrentRequestsShareTheSocketsAndEachGetsItsOwnAnswer() throws Exception {
        fake = new FakeServer(req -> List.of()); // answers below, all at once, in reverse order
        int n = 300;
        try (RadiusTransport t = transport(2, Duration.ofSeconds(5), 0)) {
            List<CompletableFuture<RadiusResponse>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) results.add(t.send(papRequest("user" + i)).toCompletableFuture());
            await(() -> fake.received.size() == n, n + " requests at the server");
            assertThat(outstanding()).isEqualTo(n);
            // 256 per socket: the 257th request opened the second socket, nothing opened a third
            assertThat(new HashSet<>(fake.sources)).hasSize(2);
            assertThat(t.socketCounts()).containsExactly(2);
            for (int i = n - 1; i >= 0; i--) fake.answer(i, echo(fake.received.get(i)));
            Map<String, String> answeredTo = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String asked = "user" + i;
                answeredTo.put(asked, userName(results.get(i).get(10, TimeUnit.SECONDS)));
            }
            answeredTo.forEach((asked, answered) -> assertThat(answered).as("answer to " + asked).isEqualTo(asked));
            assertThat(registry.find("l2sec.aaa.radius.invalid.responses").counters()).isEmpty();
            await(() -> outstanding() == 0, "identifiers released");
        }
    }

    @Test
    void anAnswerAfterTheTimeoutIsCountedLateNotAsAForgery() throws Exception {
        fake = new FakeServer(req -> List.of());
        try (RadiusTransport t = transport(1, Duration.ofMillis(200), 0)) {
            assertThatThrownBy(() -> t.sendBlocking(papRequest())).isInstanceOf(RadiusUnavailableException.class);
            fake.answer(0, echo(fake.received.getFirst()));
            await(() -> invalid("late") == 1, "the late answer counted");
            assertThat(invalid("identifier")).isZero();
            assertThat(invalid("response_authenticator")).isZero();
        }
    }

    @Test
    void aSecondAnswerToTheSameRequestIsCountedLate() throws Exception {
        fake = new FakeServer(req -> List.of(echo(req), echo(req)));
        try (RadiusTransport t = transport(1, Duration.ofSeconds(2), 0)) {
            assertThat(userName(t.sendBlocking(papRequest("bob")))).isEqualTo("bob");
            await(() -> invalid("late") == 1, "the duplicate counted");
            assertThat(invalid("identifier") + invalid("response_authenticator")).isZero();
        }
    }

    @Test
    void aLateAnswerToAnIdentifierAlreadyReusedIsToldApartFromTheNewRequestsAnswer() throws Exception {
        fake = new FakeServer(req -> List.of());
        List<InvalidResponseReason> drops = new CopyOnWriteArrayList<>();
        try (RadiusSocket socket = new RadiusSocket(fake.address(), SECRET, true, 7, "test",
                (reason, from, id) -> drops.add(reason), () -> {})) {
            RadiusSocket.Exchange a = socket.reserve().orElseThrow();
            assertThat(a.identifier()).isEqualTo(7);
            RadiusWire.Encoded first = RadiusWire.encodeRequest(papRequest("first"), 7, SECRET);
            a.transmit(first);
            a.release();
            for (int i = 0; i < 255; i++) socket.reserve().orElseThrow().release(); // 8 .. 255, 0 .. 6
            RadiusSocket.Exchange b = socket.reserve().orElseThrow();
            assertThat(b.identifier()).as("Identifier 7 again").isEqualTo(7);
            RadiusWire.Encoded second = RadiusWire.encodeRequest(papRequest("second"), 7, SECRET);
            b.transmit(second);

            socket.accept(echo(first.packet()), fake.address());
            assertThat(drops).containsExactly(InvalidResponseReason.LATE);
            byte[] forged = echo(second.packet());
            forged[forged.length - 1] ^= 1;
            socket.accept(forged, fake.address());
            assertThat(drops).containsExactly(InvalidResponseReason.LATE, InvalidResponseReason.RESPONSE_AUTHENTICATOR);
            socket.accept(echo(second.packet()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 1));
            assertThat(drops).endsWith(InvalidResponseReason.SOURCE);
            byte[] otherId = echo(second.packet());
            otherId[1] = 8;
            socket.accept(otherId, fake.address());
            assertThat(drops).endsWith(InvalidResponseReason.IDENTIFIER);
            socket.accept(new byte[5], fake.address());
            assertThat(drops).endsWith(InvalidResponseReason.MALFORMED);

            socket.accept(echo(second.packet()), fake.address());
            assertThat(userName(b.await(Duration.ofSeconds(1)))).isEqualTo("second");
            b.release();
            assertThat(socket.outstanding()).isZero();
        }
    }

    @Test
    void aFullWindowWaitsForAnIdentifierToBeReleased() throws Exception {
        fake = new FakeServer(req -> List.of());
        try (RadiusTransport t = transport(1, Duration.ofSeconds(3), 0)) {
            List<CompletableFuture<RadiusResponse>> held = new ArrayList<>();
            for (int i = 0; i < 256; i++) held.add(t.send(papRequest("held" + i)).toCompletableFuture());
            await(() -> fake.received.size() == 256, "256 requests outstanding");
            CompletableFuture<RadiusResponse> waiting = t.send(papRequest("waiting")).toCompletableFuture();
            Thread.sleep(200);
            assertThat(fake.received).as("no Identifier free: not sent yet").hasSize(256);
            fake.answer(0, echo(fake.received.getFirst()));
            await(() -> held.stream().anyMatch(CompletableFuture::isDone), "one held request answered");
            await(() -> fake.received.size() == 257, "the waiting request sent on the released Identifier");
            assertThat(fake.received.get(256)[1]).isEqualTo(fake.received.getFirst()[1]);
            fake.answer(256, echo(fake.received.get(256)));
            assertThat(userName(waiting.get(5, TimeUnit.SECONDS))).isEqualTo("waiting");
            assertThat(overload()).isZero();
            assertThat(new HashSet<>(fake.sources)).hasSize(1);
        }
    }

    @Test
    void aWindowFullForAWholeTimeoutFailsCleanlyAndIsCounted() throws Exception {
        fake = new FakeServer(req -> List.of());
        try (RadiusTransport t = transport(1, Duration.ofMillis(600), 1)) { // held for 2 x 600 ms, the 257th waits 600 ms
            List<CompletableFuture<RadiusResponse>> held = new ArrayList<>();
            for (int i = 0; i < 256; i++) held.add(t.send(papRequest("held" + i)).toCompletableFuture());
            await(() -> fake.received.size() >= 256, "256 requests outstanding");
            assertThatThrownBy(() -> t.sendBlocking(papRequest("one too many")))
                    .isInstanceOf(RadiusUnavailableException.class).hasMessageContaining("identifiers_exhausted");
            assertThat(overload()).isEqualTo(1);
            assertThat(new HashSet<>(fake.sources)).as("still one source port").hasSize(1);
            for (CompletableFuture<RadiusResponse> f : held) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RadiusUnavailableException.class);
            }
        }
    }

    @Test
    void closingFailsWaitingRequestsAndRefusesNewOnes() throws Exception {
        fake = new FakeServer(req -> List.of());
        RadiusTransport t = transport(1, Duration.ofSeconds(10), 0);
        CompletableFuture<RadiusResponse> waiting = t.send(papRequest()).toCompletableFuture();
        await(() -> fake.received.size() == 1, "the request sent");
        t.close();
        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(RadiusUnavailableException.class);
        assertThatThrownBy(() -> t.sendBlocking(papRequest())).isInstanceOf(RadiusUnavailableException.class);
    }

    /** Answers every datagram with whatever {@code handler} returns, in order. */
    static final class FakeServer implements AutoCloseable {
        final List<byte[]> received = new CopyOnWriteArrayList<>();
        /** Where each received datagram came from (our source port), in order. */
        final List<SocketAddress> sources = new CopyOnWriteArrayList<>();
        private final DatagramSocket socket;

        FakeServer(Function<byte[], List<byte[]>> handler) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setReceiveBufferSize(4 << 20); // a burst of hundreds of requests must not overflow it on a busy host
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[4096];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        byte[] req = Arrays.copyOf(p.getData(), p.getLength());
                        sources.add(p.getSocketAddress());
                        received.add(req);
                        for (byte[] r : handler.apply(req)) socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        /** Sends {@code reply} to where the {@code i}-th request came from. */
        void answer(int i, byte[] reply) throws java.io.IOException {
            socket.send(new DatagramPacket(reply, reply.length, sources.get(i)));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
