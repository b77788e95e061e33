package net.l2sec.aaa.radius;

import static net.l2sec.aaa.radius.WireAttribute.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DynamicAuthorizationServerTest {
    private static final byte[] SECRET = "das-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final InetSocketAddress CLIENT = new InetSocketAddress(FakeSessionControl.v4("127.0.0.1"), 40000);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakeSessionControl control = new FakeSessionControl();
    DynamicAuthorizationServer server;
    int nextId;

    @BeforeEach
    void start() throws Exception {
        control.add(FakeSessionControl.session("S-1", "alice", "10.8.0.5", Duration.ofMinutes(1), List.of()));
        control.add(FakeSessionControl.session("S-2", "bob", "10.8.0.6", Duration.ofMinutes(1), List.of()));
        server = new DynamicAuthorizationServer(new DynamicAuthorizationSettings(
                new InetSocketAddress(FakeSessionControl.v4("127.0.0.1"), 0),
                List.of(new DynamicAuthorizationClient(CLIENT.getAddress(), SECRET)), Duration.ofSeconds(300), true,
                "l2sec-test", Optional.of(FakeSessionControl.v4("192.0.2.1"))), control, registry);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A request as a Dynamic Authorization Client builds it (RFC 5176 section 3.1). */
    static byte[] request(int code, int identifier, byte[] secret, boolean messageAuthenticator, List<WireAttribute> attributes) {
        List<WireAttribute> all = new ArrayList<>(attributes);
        if (messageAuthenticator) all.add(new WireAttribute(MESSAGE_AUTHENTICATOR, new byte[16]));
        byte[] body = WireAttribute.encode(all);
        byte[] p = new byte[20 + body.length];
        p[0] = (byte) code;
        p[1] = (byte) identifier;
        p[2] = (byte) (p.length >> 8);
        p[3] = (byte) p.length;
        System.arraycopy(body, 0, p, 20, body.length);
        if (messageAuthenticator) {
            int at = p.length - 16; // last attribute; HMAC with both authenticators zero
            System.arraycopy(DynamicAuthorizationServer.hmacMd5(p, secret), 0, p, at, 16);
        }
        System.arraycopy(DynamicAuthorizationServer.requestAuthenticator(p, secret), 0, p, 4, 16);
        return p;
    }

    private static WireAttribute now() {
        return integer(EVENT_TIMESTAMP, System.currentTimeMillis() / 1000);
    }

    private byte[] disconnect(List<WireAttribute> attributes) {
        return request(DynamicAuthorizationServer.DISCONNECT_REQUEST, nextId++, SECRET, false, attributes);
    }

    private static int code(byte[] answer) {
        return answer[0] & 0xff;
    }

    private static Optional<Long> errorCause(byte[] answer) {
        return WireAttribute.decode(answer, 20, answer.length).stream().filter(a -> a.type() == ERROR_CAUSE)
                .map(WireAttribute::asInteger).findFirst();
    }

    /** Response Authenticator = MD5(Code, Identifier, Length, Request Authenticator, Attributes, secret). */
    private static void assertAuthenticResponse(byte[] answer, byte[] request) {
        assertThat(answer[1]).isEqualTo(request[1]);
        MessageDigest md5 = DynamicAuthorizationServer.md5();
        md5.update(answer, 0, 4);
        md5.update(request, 4, 16);
        md5.update(answer, 20, answer.length - 20);
        md5.update(SECRET);
        assertThat(Arrays.copyOfRange(answer, 4, 20)).isEqualTo(md5.digest());
    }

    private double count(String type, String result, String reason) {
        var c = registry.find("l2sec.radius.dynauth.requests").tag("type", type).tag("result", result).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void disconnectBySessionIdEndsTheSessionWithAdminResetAndAcks() {
        byte[] req = disconnect(List.of(string(ACCT_SESSION_ID, "S-1"), now()));
        byte[] answer = server.handle(req, CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
        assertAuthenticResponse(answer, req);
        assertThat(errorCause(answer)).isEmpty();
        assertThat(control.disconnected).containsExactly("S-1");
        assertThat(control.causes).containsExactly(TerminateCause.ADMIN_RESET);
        assertThat(count("disconnect", "ack", "ok")).isEqualTo(1);
    }

    @Test
    void allSelectorsPresentMustMatch() {
        byte[] answer = server.handle(disconnect(List.of(string(USER_NAME, "alice"),
                address(FRAMED_IP_ADDRESS, FakeSessionControl.v4("10.8.0.6")), now())), CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_NAK);
        assertThat(errorCause(answer)).contains(503L);
        answer = server.handle(disconnect(List.of(string(USER_NAME, "bob"),
                address(FRAMED_IP_ADDRESS, FakeSessionControl.v4("10.8.0.6")), now())), CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
        assertThat(control.disconnected).containsExactly("S-2");
    }

    @Test
    void aRetransmissionGetsTheSameAnswerAndIsNotExecutedAgain() {
        byte[] req = disconnect(List.of(string(USER_NAME, "alice"), now()));
        byte[] first = server.handle(req, CLIENT).orElseThrow();
        control.add(FakeSessionControl.session("S-1", "alice", "10.8.0.5", Duration.ZERO, List.of())); // would match again
        byte[] second = server.handle(req, CLIENT).orElseThrow();
        assertThat(second).isEqualTo(first);
        assertThat(control.disconnected).containsExactly("S-1");
        assertThat(count("disconnect", "resent", "duplicate")).isEqualTo(1);
        // the same request replayed from another source port is still the same request (RFC 5176 sections 2.3, 3.4)
        byte[] replayed = server.handle(req, new InetSocketAddress(CLIENT.getAddress(), 40001)).orElseThrow();
        assertThat(replayed).isEqualTo(first);
        assertThat(control.disconnected).as("not executed again").containsExactly("S-1");
        assertThat(count("disconnect", "resent", "duplicate")).isEqualTo(2);
        // a new request (new Identifier, new authenticator) is executed
        byte[] next = server.handle(disconnect(List.of(string(USER_NAME, "alice"), now())), CLIENT).orElseThrow();
        assertThat(code(next)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
        assertThat(control.disconnected).containsExactly("S-1", "S-1");
    }

    /** A User-Name selects a session whose name was cut to 253 octets as our accounting sent it (RFC 2865 section 5.1). */
    @Test
    void aUserNameSelectsTheSessionByTheNameAccountingSent() {
        String longName = "é".repeat(150);
        control.add(FakeSessionControl.session("S-LONG", longName, "10.8.0.9", Duration.ofMinutes(1), List.of()));
        byte[] answer = server.handle(disconnect(List.of(new WireAttribute(USER_NAME, WireAttribute.truncatedText(longName)), now())),
                CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
        assertThat(control.disconnected).containsExactly("S-LONG");
        answer = server.handle(disconnect(List.of(new WireAttribute(USER_NAME, "é".repeat(100).getBytes(StandardCharsets.UTF_8)), now())),
                CLIENT).orElseThrow();
        assertThat(code(answer)).as("a prefix is not the name").isEqualTo(DynamicAuthorizationServer.DISCONNECT_NAK);
    }

    @Test
    void aWrongSecretIsDroppedSilently() {
        byte[] req = request(DynamicAuthorizationServer.DISCONNECT_REQUEST, 1, "wrong".getBytes(StandardCharsets.UTF_8), false,
                List.of(string(USER_NAME, "alice"), now()));
        assertThat(server.handle(req, CLIENT)).isEmpty();
        assertThat(control.disconnected).isEmpty();
        assertThat(count("disconnect", "dropped", "bad_authenticator")).isEqualTo(1);
    }

    @Test
    void aTamperedPacketIsDropped() {
        byte[] req = disconnect(List.of(string(USER_NAME, "alice"), now()));
        req[req.length - 20] ^= 1; // inside User-Name... or the timestamp: either way the authenticator breaks
        assertThat(server.handle(req, CLIENT)).isEmpty();
        assertThat(control.disconnected).isEmpty();
    }

    @Test
    void anUnknownClientIsDropped() {
        byte[] req = disconnect(List.of(string(USER_NAME, "alice"), now()));
        assertThat(server.handle(req, new InetSocketAddress(FakeSessionControl.v4("127.0.0.2"), 40000))).isEmpty();
        assertThat(control.disconnected).isEmpty();
        assertThat(count("disconnect", "dropped", "unknown_client")).isEqualTo(1);
    }

    @Test
    void missingOrOldEventTimestampsAreDropped() {
        assertThat(server.handle(disconnect(List.of(string(USER_NAME, "alice"))), CLIENT)).isEmpty();
        assertThat(server.handle(disconnect(List.of(string(USER_NAME, "alice"),
                integer(EVENT_TIMESTAMP, System.currentTimeMillis() / 1000 - 301))), CLIENT)).isEmpty();
        assertThat(server.handle(disconnect(List.of(string(USER_NAME, "alice"),
                integer(EVENT_TIMESTAMP, System.currentTimeMillis() / 1000 + 400))), CLIENT)).isEmpty();
        assertThat(control.disconnected).isEmpty();
        assertThat(count("disconnect", "dropped", "no_event_timestamp")).isEqualTo(1);
        assertThat(count("disconnect", "dropped", "stale_event_timestamp")).isEqualTo(2);
        // within the window it works
        assertThat(server.handle(disconnect(List.of(string(USER_NAME, "alice"),
                integer(EVENT_TIMESTAMP, System.currentTimeMillis() / 1000 - 200))), CLIENT)).isPresent();
        assertThat(control.disconnected).containsExactly("S-1");
    }

    @Test
    void anotherNasIsNakedWith403() {
        byte[] answer = server.handle(disconnect(List.of(string(USER_NAME, "alice"), string(NAS_IDENTIFIER, "other-nas"), now())),
                CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_NAK);
        assertThat(errorCause(answer)).contains(403L);
        answer = server.handle(disconnect(List.of(string(USER_NAME, "alice"),
                address(NAS_IP_ADDRESS, FakeSessionControl.v4("192.0.2.2")), now())), CLIENT).orElseThrow();
        assertThat(errorCause(answer)).contains(403L);
        assertThat(control.disconnected).isEmpty();
        answer = server.handle(disconnect(List.of(string(USER_NAME, "alice"), string(NAS_IDENTIFIER, "l2sec-test"),
                address(NAS_IP_ADDRESS, FakeSessionControl.v4("192.0.2.1")), now())), CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
    }

    @Test
    void noMatchingSessionIsNakedWith503AndProxyStateIsEchoed() {
        byte[] proxyState = {9, 8, 7};
        byte[] req = disconnect(List.of(string(ACCT_SESSION_ID, "NOPE"), new WireAttribute(PROXY_STATE, proxyState), now()));
        byte[] answer = server.handle(req, CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_NAK);
        assertAuthenticResponse(answer, req);
        assertThat(errorCause(answer)).contains(503L);
        assertThat(WireAttribute.decode(answer, 20, answer.length)).contains(new WireAttribute(PROXY_STATE, proxyState));
        assertThat(count("disconnect", "nak", "session_not_found")).isEqualTo(1);
    }

    @Test
    void unsupportedAttributesAreNakedWith401AndNoSelectorWith402() {
        byte[] answer = server.handle(disconnect(List.of(string(USER_NAME, "alice"), string(11, "filter"), now())), CLIENT).orElseThrow();
        assertThat(errorCause(answer)).contains(401L);
        answer = server.handle(disconnect(List.of(string(NAS_IDENTIFIER, "l2sec-test"), now())), CLIENT).orElseThrow();
        assertThat(errorCause(answer)).contains(402L);
        assertThat(control.disconnected).isEmpty();
    }

    @Test
    void coaChangesTimeoutsAndRejectsAnythingElse() {
        byte[] req = request(DynamicAuthorizationServer.COA_REQUEST, 7, SECRET, false,
                List.of(string(USER_NAME, "bob"), integer(SESSION_TIMEOUT, 3600), integer(IDLE_TIMEOUT, 600), now()));
        byte[] answer = server.handle(req, CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.COA_ACK);
        assertAuthenticResponse(answer, req);
        assertThat(control.reauthorized).containsExactly(new FakeSessionControl.Reauthorization("S-2",
                Optional.of(Duration.ofHours(1)), Optional.of(Duration.ofMinutes(10))));
        answer = server.handle(request(DynamicAuthorizationServer.COA_REQUEST, 8, SECRET, false,
                List.of(string(USER_NAME, "bob"), string(11, "other-filter"), now())), CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.COA_NAK);
        assertThat(errorCause(answer)).contains(401L);
        answer = server.handle(request(DynamicAuthorizationServer.COA_REQUEST, 9, SECRET, false,
                List.of(string(USER_NAME, "nobody"), integer(SESSION_TIMEOUT, 60), now())), CLIENT).orElseThrow();
        assertThat(errorCause(answer)).contains(503L);
        assertThat(control.reauthorized).hasSize(1);
        assertThat(control.disconnected).isEmpty();
    }

    @Test
    void messageAuthenticatorIsVerifiedAndAnsweredWithOne() {
        byte[] req = request(DynamicAuthorizationServer.DISCONNECT_REQUEST, 3, SECRET, true, List.of(string(USER_NAME, "alice"), now()));
        byte[] answer = server.handle(req, CLIENT).orElseThrow();
        assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
        assertAuthenticResponse(answer, req);
        // the answer's Message-Authenticator: HMAC-MD5 over it carrying the Request Authenticator, its own value zero
        byte[] check = answer.clone();
        System.arraycopy(req, 4, check, 4, 16);
        int at = DynamicAuthorizationServer.messageAuthenticatorOffset(check);
        assertThat(at).isPositive();
        byte[] mac = Arrays.copyOfRange(check, at, at + 16);
        Arrays.fill(check, at, at + 16, (byte) 0);
        assertThat(DynamicAuthorizationServer.hmacMd5(check, SECRET)).isEqualTo(mac);

        // a wrong Message-Authenticator with a valid Request Authenticator (recomputed after tampering)
        byte[] bad = request(DynamicAuthorizationServer.DISCONNECT_REQUEST, 4, SECRET, true, List.of(string(USER_NAME, "bob"), now()));
        bad[bad.length - 1] ^= 1;
        Arrays.fill(bad, 4, 20, (byte) 0);
        System.arraycopy(DynamicAuthorizationServer.requestAuthenticator(bad, SECRET), 0, bad, 4, 16);
        assertThat(server.handle(bad, CLIENT)).isEmpty();
        assertThat(count("disconnect", "dropped", "bad_message_authenticator")).isEqualTo(1);
        assertThat(control.disconnected).containsExactly("S-1");
    }

    @Test
    void answersOverUdp() throws Exception {
        try (DatagramChannel client = DatagramChannel.open()) {
            client.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            byte[] req = disconnect(List.of(string(USER_NAME, "bob"), now()));
            client.send(ByteBuffer.wrap(req), server.localAddress());
            ByteBuffer buf = ByteBuffer.allocate(4096);
            client.configureBlocking(false);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (client.receive(buf) == null) {
                if (System.nanoTime() > deadline) throw new AssertionError("no answer within 5 s");
                Thread.sleep(10);
            }
            buf.flip();
            byte[] answer = new byte[buf.remaining()];
            buf.get(answer);
            assertThat(code(answer)).isEqualTo(DynamicAuthorizationServer.DISCONNECT_ACK);
            assertAuthenticResponse(answer, req);
            assertThat(control.disconnected).containsExactly("S-2");
        }
    }

    @Test
    void theClientSecretIsNotInToString() {
        assertThat(new DynamicAuthorizationClient(CLIENT.getAddress(), SECRET).toString()).doesNotContain("das-secret");
    }

    @Test
    void aClientSecretShorterThan16OctetsIsRefused() {
        var address = CLIENT.getAddress();
        assertThatThrownBy(() -> new DynamicAuthorizationClient(address, "fifteen-octets!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shorter than 16 octets")
                .hasMessageNotContaining("fifteen");
        assertThat(new DynamicAuthorizationClient(address, "sixteen-octets!!").secret()).hasSize(16);
    }
}
