package net.l2sec.concentrator.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionControl;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {
    static final byte[] TOKEN = "s3cr3t-admin-token-0123456789".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    /** Sessions in a map; disconnect removes and records the cause. */
    static final class FakeSessions implements SessionControl {
        final Map<String, ActiveSession> live = new LinkedHashMap<>();
        final List<String> ended = new ArrayList<>();

        @Override
        public CompletionStage<List<ActiveSession>> sessions() {
            return CompletableFuture.completedFuture(List.copyOf(live.values()));
        }

        @Override
        public CompletionStage<Optional<SessionCounters>> counters(String id) {
            return CompletableFuture.completedFuture(live.containsKey(id)
                    ? Optional.of(new SessionCounters(1000 + id.length(), 2000, 10, 20)) : Optional.empty());
        }

        @Override
        public CompletionStage<Boolean> disconnect(String id, TerminateCause cause) {
            boolean had = live.remove(id) != null;
            if (had) ended.add(id + ":" + cause);
            return CompletableFuture.completedFuture(had);
        }

        @Override
        public CompletionStage<Boolean> reauthorize(String id, Optional<Duration> s, Optional<Duration> i) {
            return CompletableFuture.completedFuture(false);
        }
    }

    final FakeSessions sessions = new FakeSessions();
    final List<Boolean> drainCalls = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final HttpClient http = HttpClient.newHttpClient();
    AdminServer server;
    String base;

    static ActiveSession session(String id, String user, String peerIp, int port, String address, Instant authorized) throws Exception {
        return new ActiveSession(id, "t1/s" + id, user, AuthMethod.MSCHAPV2, new InetSocketAddress(peerIp, port),
                (Inet4Address) InetAddress.getByName(address), 0x00010002L, authorized,
                new Authorization("staff", Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                        List.of(), Set.of("vpn-users", "admins"), Optional.empty()));
    }

    @BeforeEach
    void start() throws Exception {
        sessions.live.put("00000001", session("00000001", "alice", "198.51.100.7", 4500, "10.99.0.10", NOW.minusSeconds(3725))
                .withClient(ClientIdentity.ofL2tp("DESKTOP-4F2KQ", "Microsoft")
                        .withLcpIdentification(List.of("MSRASV5.20", "MSRAS-0-DESKTOP-4F2KQ"))
                        .withIke(List.of("ms-nt5-isakmpoakley/v9", "rfc3947"), "ecp384"))
                .withIpv6(new net.l2sec.spi.auth.Ipv6Framing(Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(
                        (java.net.Inet6Address) InetAddress.getByName("2001:db8:99:1::"), 64)), java.util.OptionalLong.empty(),
                        Optional.empty())));
        // a peer's host name with a line feed and an escape sequence: shown escaped, never raw; with routes, domain, rate
        var bob = session("00000002", "bob", "198.51.100.8", 1701, "10.99.0.11", NOW.minusSeconds(5));
        sessions.live.put("00000002", new ActiveSession(bob.acctSessionId(), bob.tag(), bob.user(), bob.method(), bob.peer(),
                bob.address(), bob.nasPort(), bob.authorized(), bob.authorization()
                        .withRoutes(List.of(net.l2sec.spi.auth.Ipv4Route.parse("10.1.0.0/16")))
                        .withDomain(Optional.of("corp.example.com"))
                        .withRateLimit(Optional.of(new net.l2sec.spi.auth.RateLimit(10_000_000, 2_000_000))))
                .withClient(ClientIdentity.ofL2tp("evil\n\u001b[2Jhost", "xelerance.com")));
        sessions.live.put("00000003", session("00000003", "Alice", "198.51.100.9", 4500, "10.99.0.12", NOW.minusSeconds(50))
                .withProtocol(net.l2sec.spi.session.SessionProtocol.IKEV2));
        AdminServer.Backend backend = new AdminServer.Backend() {
            @Override
            public SessionControl sessions() {
                return sessions;
            }

            @Override
            public CompletionStage<Optional<IpsecInfo>> ipsecOf(InetSocketAddress peer) {
                if (peer.getAddress().getHostAddress().equals("198.51.100.9")) { // the IKEv2 session
                    return CompletableFuture.completedFuture(Optional.of(new IpsecInfo("00112233aabbccdd",
                            "aes256gcm16-prfsha384-ecp384", null, true, "\"alice@example.com\"", Duration.ofSeconds(50),
                            List.of(new IpsecInfo.Child(0x22, 0xfeed, "aes256gcm16")), "ecp384", List.of(), 2)));
                }
                return CompletableFuture.completedFuture(peer.getPort() == 4500
                        ? Optional.of(new IpsecInfo("0a0b0c0d", "aes256-sha256-modp2048", "main", true, "10.0.2.15",
                        Duration.ofSeconds(3730), List.of(new IpsecInfo.Child(0x11, 0xc0ffee, "aes128-sha1"))))
                        : Optional.empty());
            }

            @Override
            public CompletionStage<Void> draining(boolean on) {
                drainCalls.add(on);
                return CompletableFuture.completedFuture(null);
            }
        };
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), TOKEN, backend, registry,
                Clock.fixed(NOW, ZoneOffset.UTC)).start();
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    record Resp(int status, JsonNode body) {}

    Resp call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Resp(r.statusCode(), AdminServer.JSON.readTree(r.body()));
    }

    Resp call(String method, String path) throws Exception {
        return call(method, path, new String(TOKEN, StandardCharsets.UTF_8));
    }

    double count(String action, String result) {
        var c = registry.find("l2sec.admin.requests").tags("action", action, "result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        assertThat(call("GET", "/sessions", null).status()).isEqualTo(401);
        assertThat(call("GET", "/sessions", "s3cr3t-admin-token-012345678X").status()).isEqualTo(401); // same length
        assertThat(call("GET", "/sessions", "short").status()).isEqualTo(401);
        assertThat(call("POST", "/sessions/00000001/disconnect", "nope").status()).isEqualTo(401);
        assertThat(call("POST", "/drain", null).status()).isEqualTo(401);
        assertThat(sessions.ended).isEmpty();
        assertThat(drainCalls).isEmpty();
        assertThat(count("list", "unauthorized")).isEqualTo(3);
        assertThat(count("disconnect", "unauthorized")).isEqualTo(1);
        assertThat(call("GET", "/sessions").status()).isEqualTo(200);
        assertThat(count("list", "ok")).isEqualTo(1);
    }

    @Test
    void listShowsUsersAddressesCountersAndIpsec() throws Exception {
        Resp r = call("GET", "/sessions");
        assertThat(r.status()).isEqualTo(200);
        JsonNode all = r.body().path("sessions");
        assertThat(all).hasSize(3);
        JsonNode alice = all.get(0);
        assertThat(alice.path("id").asText()).isEqualTo("00000001");
        assertThat(alice.path("user").asText()).isEqualTo("alice");
        assertThat(alice.path("rule").asText()).isEqualTo("staff");
        assertThat(alice.path("groups").toString()).isEqualTo("[\"admins\",\"vpn-users\"]");
        assertThat(alice.path("routes").toString()).isEqualTo("[]");
        assertThat(alice.path("domain").isNull()).isTrue();
        assertThat(alice.path("rateLimit").isNull()).isTrue();
        JsonNode bobsJson = null;
        for (JsonNode n : all) if (n.path("user").asText().equals("bob")) bobsJson = n;
        assertThat(bobsJson).isNotNull();
        assertThat(bobsJson.path("routes").toString()).isEqualTo("[\"10.1.0.0/16\"]");
        assertThat(bobsJson.path("domain").asText()).isEqualTo("corp.example.com");
        assertThat(bobsJson.path("rateLimit").path("downBitsPerSecond").asLong()).isEqualTo(10_000_000);
        assertThat(bobsJson.path("rateLimit").path("upBitsPerSecond").asLong()).isEqualTo(2_000_000);
        assertThat(alice.path("clientAddress").asText()).isEqualTo("198.51.100.7");
        assertThat(alice.path("clientPort").asInt()).isEqualTo(4500);
        assertThat(alice.path("address").asText()).isEqualTo("10.99.0.10");
        assertThat(alice.path("ipv6Prefix").asText()).isEqualTo("2001:db8:99:1::/64");
        assertThat(alice.path("delegatedIpv6Prefix").isNull()).isTrue();
        assertThat(all.get(1).path("ipv6Prefix").isNull()).as("an IPv4-only session").isTrue();
        assertThat(alice.path("uptimeSeconds").asLong()).isEqualTo(3725);
        assertThat(alice.path("inputOctets").asLong()).isEqualTo(1008);
        assertThat(alice.path("outputOctets").asLong()).isEqualTo(2000);
        assertThat(alice.path("ipsec").path("ike").asText()).isEqualTo("aes256-sha256-modp2048");
        assertThat(alice.path("ipsec").path("esp").get(0).path("transform").asText()).isEqualTo("aes128-sha1");
        assertThat(alice.path("ipsec").path("esp").get(0).path("spiOut").asText()).isEqualTo("00c0ffee");
        assertThat(all.get(1).path("ipsec").isNull()).isTrue(); // plain L2TP
        JsonNode client = alice.path("client");
        assertThat(client.path("kind").asText()).isEqualTo("windows");
        assertThat(client.path("host").asText()).isEqualTo("DESKTOP-4F2KQ");
        assertThat(client.path("l2tpVendorName").asText()).isEqualTo("Microsoft");
        assertThat(client.path("lcpIdentification").toString()).isEqualTo("[\"MSRASV5.20\",\"MSRAS-0-DESKTOP-4F2KQ\"]");
        assertThat(client.path("ikeVendorIds").toString()).isEqualTo("[\"ms-nt5-isakmpoakley/v9\",\"rfc3947\"]");
        assertThat(client.path("ikeGroup").asText()).isEqualTo("ecp384");
        assertThat(all.get(1).path("client").path("kind").asText()).isEqualTo("linux_strongswan");
        assertThat(all.get(1).path("client").path("host").asText()).isEqualTo("evil\n\u001b[2Jhost");
        assertThat(all.get(2).path("client").path("kind").asText()).isEqualTo("other");
        assertThat(all.get(2).path("client").path("host").isNull()).isTrue();
        assertThat(alice.path("protocol").asText()).isEqualTo("l2tp");
        assertThat(all.get(2).path("id").asText() + " " + all.get(2).path("protocol").asText()).isEqualTo("00000003 ikev2");
        assertThat(alice.path("ipsec").path("ikeVersion").asInt()).isEqualTo(1);
        assertThat(alice.path("ipsec").path("mode").asText()).isEqualTo("main");
        // the IKEv2 session's IKE SA: version 2, no phase 1 mode, its child SA
        JsonNode ikev2 = call("GET", "/sessions/00000003").body().path("ipsec");
        assertThat(ikev2.path("ikeVersion").asInt()).isEqualTo(2);
        assertThat(ikev2.path("ikeSa").asText()).isEqualTo("00112233aabbccdd");
        assertThat(ikev2.path("ike").asText()).isEqualTo("aes256gcm16-prfsha384-ecp384");
        assertThat(ikev2.path("mode").isNull()).isTrue();
        assertThat(ikev2.path("peerId").asText()).isEqualTo("\"alice@example.com\"");
        assertThat(ikev2.path("ageSeconds").asLong()).isEqualTo(50);
        assertThat(ikev2.path("esp").get(0).path("transform").asText()).isEqualTo("aes256gcm16");
        assertThat(ikev2.path("esp").get(0).path("spiIn").asText()).isEqualTo("00000022");

        Resp one = call("GET", "/sessions/00000002");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body().path("user").asText()).isEqualTo("bob");
        assertThat(call("GET", "/sessions/nope").status()).isEqualTo(404);
        assertThat(count("show", "not_found")).isEqualTo(1);
        assertThat(call("GET", "/nothing/here").status()).isEqualTo(404);
        assertThat(call("POST", "/sessions").status()).isEqualTo(405);
        assertThat(call("GET", "/sessions/00000001/disconnect").status()).isEqualTo(405);

        Resp status = call("GET", "/status");
        assertThat(status.body().path("sessions").asInt()).isEqualTo(3);
        assertThat(status.body().path("draining").asBoolean()).isFalse();
    }

    @Test
    void disconnectOneOrEveryOneOfAUser() throws Exception {
        Resp r = call("POST", "/sessions/00000002/disconnect");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("disconnected").toString()).isEqualTo("[\"00000002\"]");
        assertThat(sessions.ended).containsExactly("00000002:ADMIN_RESET");
        assertThat(call("POST", "/sessions/00000002/disconnect").status()).isEqualTo(404);

        Resp u = call("POST", "/users/ALICE/disconnect");
        assertThat(u.status()).isEqualTo(200);
        assertThat(sessions.ended).containsExactly("00000002:ADMIN_RESET", "00000001:ADMIN_RESET", "00000003:ADMIN_RESET");
        assertThat(call("POST", "/users/alice/disconnect").status()).isEqualTo(404);
        assertThat(count("disconnect", "ok")).isEqualTo(1);
        assertThat(count("disconnect_user", "ok")).isEqualTo(1);
        assertThat(count("disconnect_user", "not_found")).isEqualTo(1);
    }

    @Test
    void drainFlagReachesTheDataplaneAndTheGauge() throws Exception {
        assertThat(registry.get("l2sec.admin.draining").gauge().value()).isZero();
        assertThat(call("POST", "/drain").body().path("draining").asBoolean()).isTrue();
        assertThat(server.draining()).isTrue();
        assertThat(registry.get("l2sec.admin.draining").gauge().value()).isEqualTo(1);
        assertThat(call("GET", "/status").body().path("draining").asBoolean()).isTrue();
        assertThat(call("POST", "/undrain").body().path("draining").asBoolean()).isFalse();
        assertThat(registry.get("l2sec.admin.draining").gauge().value()).isZero();
        assertThat(drainCalls).containsExactly(true, false);
    }

    @Test
    void nonLoopbackListenIsRefused() {
        assertThatThrownBy(() -> new AdminServer(new InetSocketAddress("0.0.0.0", 0), TOKEN, null, registry,
                Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void commandLineClientPrintsATableAndUsesExitCodes(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, new String(TOKEN, StandardCharsets.UTF_8) + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AdminClient client = new AdminClient(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] common = {"--url", base, "--token-file", tokenFile.toString()};

        assertThat(client.run(concat(common, "sessions"))).isZero();
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("USER").contains("alice").contains("198.51.100.7:4500").contains("10.99.0.10")
                .contains("1h02m05s").contains("aes256-sha256-modp2048").contains("aes128-sha1").contains("3 sessions");
        assertThat(table).contains("PROTO").containsPattern("00000001 +l2tp +alice").containsPattern("00000003 +ikev2 +Alice");
        assertThat(table).containsPattern("00000003 .* aes256gcm16-prfsha384-ecp384 +aes256gcm16 ");
        assertThat(table).contains("KIND").contains("HOST").containsPattern("windows +DESKTOP-4F2KQ")
                .contains("linux_strongswan \"evil\\n\\u001B[2Jhost\"").doesNotContain("\u001b");
        assertThat(table.lines()).hasSize(5);   // header, three sessions, the count: the line feed stayed escaped

        assertThat(client.run(concat(common, "disconnect", "00000001"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("disconnected 00000001");
        assertThat(client.run(concat(common, "disconnect", "00000001"))).isEqualTo(1);
        assertThat(client.run(concat(common, "disconnect"))).isEqualTo(2);
        assertThat(client.run(concat(common, "frobnicate"))).isEqualTo(2);
        Files.writeString(tokenFile, "wrong-token\n");
        assertThat(client.run(concat(common, "status"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused");
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
