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
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private RadiusRequest papRequest() throws Exception {
        return RadiusRequest.create(d, (byte) 1, (byte) 0, new byte[16],
                List.of(d.createAttribute("User-Name", "alice"), d.createAttribute("User-Password", "pw")));
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

    /** Answers every datagram with whatever {@code handler} returns, in order. */
    static final class FakeServer implements AutoCloseable {
        final List<byte[]> received = new CopyOnWriteArrayList<>();
        private final DatagramSocket socket;

        FakeServer(Function<byte[], List<byte[]>> handler) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[4096];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        byte[] req = Arrays.copyOf(p.getData(), p.getLength());
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

        @Override
        public void close() {
            socket.close();
        }
    }
}
