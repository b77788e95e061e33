package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.RejectReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RadiusAuthenticator} against real FreeRADIUS instances on 127.0.0.1 (ports 18120, 18121, 18124-18127). */
class RadiusAuthenticatorIT {
    private static final String SECRET = "it-shared-secret";
    private static final String USERS = """
            alice Cleartext-Password := "secret"
            \tClass = "gold-class",
            \tClass = "second",
            \tFilter-Id = "vpn-users",
            \tFramed-Pool = "pool-a",
            \tSession-Timeout = 3600,
            \tIdle-Timeout = 600,
            \tFramed-IP-Address = 10.9.8.7,
            \tFramed-IPv6-Prefix = 2001:db8:77:5::/64,
            \tFramed-Interface-Id = 0:0:0:42,
            \tDelegated-IPv6-Prefix = 2001:db8:7700::/56
            bob Cleartext-Password := "hunter2"
            \tFramed-IP-Address = 255.255.255.254
            carol Cleartext-Password := "split"
            \tFramed-Route = "10.1.0.0/16 0.0.0.0 1",
            \tFramed-Route = "192.168.50.0 0.0.0.0 1",
            \tWISPr-Bandwidth-Max-Down = 10000000,
            \tWISPr-Bandwidth-Max-Up = 2000000
            """;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SessionContext SESSION =
            new SessionContext("t7/s9", new InetSocketAddress("192.0.2.10", 4500), 7, 9, Instant.parse("2026-01-01T00:00:00Z"));

    private static FreeRadiusServer main;
    private static FreeRadiusServer first;
    private static FreeRadiusServer second;

    @BeforeAll
    static void start() throws Exception {
        FreeRadiusServer.assumeInstalled();
        main = FreeRadiusServer.builder().authPort(18120).acctPort(18121).secret(SECRET).users(USERS).build().start();
        first = FreeRadiusServer.builder().authPort(18124).acctPort(18125).secret(SECRET).users(USERS).build().start();
        second = FreeRadiusServer.builder().authPort(18126).acctPort(18127).secret(SECRET).users(USERS).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (FreeRadiusServer s : new FreeRadiusServer[] {main, first, second}) if (s != null) s.close();
    }

    private static RadiusServer server(String name, int port) {
        return new RadiusServer(name, new InetSocketAddress("127.0.0.1", port), Optional.empty(),
                SECRET.getBytes(StandardCharsets.UTF_8));
    }

    private static RadiusClientSettings settings(Duration deadTime, RadiusServer... servers) {
        return new RadiusClientSettings(List.of(servers), Duration.ofMillis(700), 1, deadTime, "l2sec-it",
                Optional.of((java.net.Inet4Address) addr("192.0.2.1")), List.of("Filter-Id", "Class"));
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RadiusAuthenticator authenticator() {
        return RadiusAuthenticator.create(settings(Duration.ofSeconds(30), server("main", 18120)), new SimpleMeterRegistry());
    }

    private static AuthResult auth(RadiusAuthenticator a, AuthMethod method, Credentials c) throws Exception {
        return a.authenticate(new AuthRequest(SESSION, method, c)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void papAcceptCarriesAuthorization() throws Exception {
        AuthResult r = auth(authenticator(), AuthMethod.PAP, new PapCredentials("alice", "secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(r).as(main.log()).isInstanceOf(AuthResult.Accept.class);
        AuthResult.Accept accept = (AuthResult.Accept) r;
        assertThat(accept.user()).isEqualTo("alice");
        assertThat(accept.authenticatorResponse()).isEmpty();
        var z = accept.authorization();
        assertThat(z.rule()).isEqualTo("radius");
        assertThat(z.pool()).contains("pool-a");
        assertThat(z.sessionTimeout()).contains(Duration.ofHours(1));
        assertThat(z.idleTimeout()).contains(Duration.ofMinutes(10));
        assertThat(z.address()).contains((java.net.Inet4Address) addr("10.9.8.7"));
        assertThat(z.classes()).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("gold-class", "second");
        assertThat(z.groups()).containsExactlyInAnyOrder("vpn-users", "gold-class", "second");
        assertThat(z.filterId()).contains("vpn-users");
        // RFC 3162 and RFC 4818, as FreeRADIUS encodes them
        assertThat(z.ipv6().framedPrefix()).contains(new net.l2sec.spi.auth.Ipv6Framing.Prefix(
                (java.net.Inet6Address) addr("2001:db8:77:5::"), 64));
        assertThat(z.ipv6().interfaceId()).hasValue(0x42);
        assertThat(z.ipv6().delegatedPrefix()).contains(new net.l2sec.spi.auth.Ipv6Framing.Prefix(
                (java.net.Inet6Address) addr("2001:db8:7700::"), 56));
        // the server saw our NAS attributes
        String log = main.log();
        assertThat(log).contains("NAS-Identifier = \"l2sec-it\"").contains("Calling-Station-Id = \"192.0.2.10\"")
                .contains("Acct-Session-Id = \"" + SESSION.acctSessionId() + "\"").contains("Tunnel-Type:1 = L2TP")
                .contains("Tunnel-Client-Endpoint:1 = \"192.0.2.10\"").contains("NAS-Port-Type = Virtual");
    }

    /** Framed-Route (RFC 2865 5.22) and WISPr-Bandwidth-Max-Down/Up as FreeRADIUS sends them (its dictionary.wispr). */
    @Test
    void framedRoutesAndWisprBandwidthReachTheAuthorization() throws Exception {
        AuthResult r = auth(authenticator(), AuthMethod.PAP, new PapCredentials("carol", "split".getBytes(StandardCharsets.UTF_8)));
        assertThat(r).as(main.log()).isInstanceOf(AuthResult.Accept.class);
        var z = ((AuthResult.Accept) r).authorization();
        assertThat(z.routes()).extracting(Object::toString).containsExactly("10.1.0.0/16", "192.168.50.0/24");
        assertThat(z.rateLimit()).contains(new net.l2sec.spi.auth.RateLimit(10_000_000, 2_000_000));
    }

    @Test
    void papWrongPasswordRejected() throws Exception {
        AuthResult r = auth(authenticator(), AuthMethod.PAP, new PapCredentials("alice", "wrong".getBytes(StandardCharsets.UTF_8)));
        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class, x -> assertThat(x.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS));
    }

    @Test
    void nasChoosesAddressIsIgnored() throws Exception {
        AuthResult r = auth(authenticator(), AuthMethod.PAP, new PapCredentials("bob", "hunter2".getBytes(StandardCharsets.UTF_8)));
        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.authorization().address()).isEmpty();
            assertThat(a.authorization().classes()).isEmpty();
        });
    }

    private static ChapCredentials chap(String user, String password) {
        byte[] challenge = new byte[16];
        RANDOM.nextBytes(challenge);
        int id = RANDOM.nextInt(256);
        byte[] response = new ChapCredentials(user, id, challenge, new byte[16]).expectedResponse(password.getBytes(StandardCharsets.UTF_8));
        return new ChapCredentials(user, id, challenge, response);
    }

    @Test
    void chapAcceptAndReject() throws Exception {
        assertThat(auth(authenticator(), AuthMethod.CHAP_MD5, chap("alice", "secret"))).as(main.log()).isInstanceOf(AuthResult.Accept.class);
        assertThat(auth(authenticator(), AuthMethod.CHAP_MD5, chap("alice", "nope")))
                .isInstanceOfSatisfying(AuthResult.Reject.class, x -> assertThat(x.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS));
    }

    @Test
    void msChapV2AcceptReturnsAuthenticatorResponse() throws Exception {
        byte[] authChallenge = random(16), peerChallenge = random(16);
        byte[] hash = MsChapV2.ntPasswordHash("secret");
        byte[] nt = MsChapV2.generateNtResponse(authChallenge, peerChallenge, "alice", hash);
        AuthResult r = auth(authenticator(), AuthMethod.MSCHAPV2, new MsChapV2Credentials("alice", authChallenge, peerChallenge, nt));
        assertThat(r).as(main.log()).isInstanceOf(AuthResult.Accept.class);
        byte[] expected = MsChapV2.generateAuthenticatorResponse(hash, nt, peerChallenge, authChallenge, "alice");
        assertThat(((AuthResult.Accept) r).authenticatorResponse()).hasValueSatisfying(v -> assertThat(v).isEqualTo(expected));
        // FreeRADIUS' mschap (use_mppe = yes) sends the RFC 3079 keys as MS-MPPE-Recv-Key / -Send-Key: the local MSK
        assertThat(((AuthResult.Accept) r).msk()).as(main.log()).hasValueSatisfying(m -> assertThat(hex(m)).isEqualTo(hex(MsChapV2.eapMsk(hash, nt))));
    }

    @Test
    void msChapV2WrongPasswordIsBadCredentials() throws Exception {
        byte[] authChallenge = random(16), peerChallenge = random(16);
        byte[] nt = MsChapV2.generateNtResponse(authChallenge, peerChallenge, "alice", MsChapV2.ntPasswordHash("wrong"));
        AuthResult r = auth(authenticator(), AuthMethod.MSCHAPV2, new MsChapV2Credentials("alice", authChallenge, peerChallenge, nt));
        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class, x -> {
            assertThat(x.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS);
            assertThat(x.detail()).contains("MS-CHAP error 691");
        });
    }

    @Test
    void eapMsChapV2PassThroughAccept() throws Exception {
        EapMsChapV2Peer peer = new EapMsChapV2Peer("alice", "secret");
        AuthResult r = peer.run(authenticator());
        assertThat(r).as(main.log()).isInstanceOf(AuthResult.Accept.class);
        assertThat(peer.successVerified).isTrue();
        assertThat(((AuthResult.Accept) r).authorization().filterId()).contains("vpn-users");
        // the last Access-Accept of the relay carries the EAP-MSCHAPv2 MSK: what the peer computes from its password
        byte[] local = MsChapV2.eapMsk(MsChapV2.ntPasswordHash("secret"), peer.ntResponse());
        assertThat(((AuthResult.Accept) r).msk()).as(main.log()).hasValueSatisfying(m -> assertThat(hex(m)).isEqualTo(hex(local)));
    }

    @Test
    void eapMsChapV2PassThroughReject() throws Exception {
        EapMsChapV2Peer peer = new EapMsChapV2Peer("alice", "wrong");
        AuthResult r = peer.run(authenticator());
        assertThat(peer.ntResponse).as("the server challenged and got our response").isNotNull();
        assertThat(peer.successVerified).isFalse();
        assertThat(r).as(main.log()).isInstanceOfSatisfying(AuthResult.Reject.class,
                x -> assertThat(x.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS));
    }

    @Test
    void failoverToSecondAndBackAfterDeadTime() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Duration deadTime = Duration.ofSeconds(3);
        RadiusAuthenticator a = RadiusAuthenticator.create(settings(deadTime, server("first", 18124), server("second", 18126)), registry);
        PapCredentials alice = new PapCredentials("alice", "secret".getBytes(StandardCharsets.UTF_8));
        try {
            first.stop();
            assertThat(auth(a, AuthMethod.PAP, alice)).isInstanceOf(AuthResult.Accept.class);
            assertThat(up(registry, "first")).isZero();
            assertThat(up(registry, "second")).isEqualTo(1.0);
            assertThat(accepts(registry, "second")).isEqualTo(1);
            assertThat(registry.get("l2sec.aaa.timeouts").tag("server", "first").counter().count()).isEqualTo(2.0);

            // still dead: goes straight to the second server
            assertThat(auth(a, AuthMethod.PAP, alice)).isInstanceOf(AuthResult.Accept.class);
            assertThat(accepts(registry, "second")).isEqualTo(2);

            first.start();
            Thread.sleep(deadTime.toMillis() + 200);
            assertThat(auth(a, AuthMethod.PAP, alice)).isInstanceOf(AuthResult.Accept.class);
            assertThat(accepts(registry, "first")).isEqualTo(1);
            assertThat(up(registry, "first")).isEqualTo(1.0);
        } finally {
            if (!first.running()) first.start();
        }
    }

    private static double up(MeterRegistry r, String server) {
        return r.get("l2sec.aaa.server.up").tag("server", server).tag("purpose", "auth").gauge().value();
    }

    private static long accepts(MeterRegistry r, String server) {
        var t = r.find("l2sec.aaa.request.duration").tag("server", server).tag("result", "accept").timer();
        return t == null ? 0 : t.count();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
