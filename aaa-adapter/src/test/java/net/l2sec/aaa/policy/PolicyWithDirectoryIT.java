package net.l2sec.aaa.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import net.l2sec.aaa.ldap.LdapAuthenticator;
import net.l2sec.aaa.ldap.SambaAdDc;
import net.l2sec.aaa.radius.FreeRadiusServer;
import net.l2sec.aaa.radius.RadiusAuthenticator;
import net.l2sec.aaa.radius.RadiusClientSettings;
import net.l2sec.aaa.radius.RadiusServer;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy in front of REAL servers: a Samba AD DC decides by nested group membership (alice is in Staff, Staff in
 * VPN-Users; bob is in Contractors) which rule applies (allow with its pool, or deny), for users it authenticated
 * by LDAP bind (PAP) and, with groups from the directory, for users a REAL FreeRADIUS authenticated (MS-CHAPv2).
 */
class PolicyWithDirectoryIT {
    private static SambaAdDc dc;
    private static FreeRadiusServer radius;
    private static LdapAuthenticator ldap;
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        dc = SambaAdDc.start();
        ldap = new LdapAuthenticator(dc.settings(), registry);
        radius = FreeRadiusServer.builder().authPort(18160).acctPort(18161).secret("policy-secret-0123456789")
                .users("""
                        alice Cleartext-Password := "radius-Pass-1"
                        bob Cleartext-Password := "radius-Pass-2"
                        """).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ldap != null) ldap.close();
        if (dc != null) dc.close();
        if (radius != null) radius.close();
    }

    private static final Policy POLICY = new Policy(List.of(
            new PolicyRule("contractors", List.of(SambaAdDc.CONTRACTORS), false, Optional.empty(), List.of(),
                    Optional.empty(), Optional.empty(), OptionalInt.empty()),
            new PolicyRule("staff", List.of(SambaAdDc.VPN_USERS), true, Optional.of("staff"), List.of(),
                    Optional.of(Duration.ofHours(8)), Optional.empty(), OptionalInt.of(3))),
            PolicyRule.denyAll("default"));

    private static PolicyAuthenticator policy(Map<AuthMethod, List<Backend>> routes, boolean groupsFromLdap) {
        return new PolicyAuthenticator(new MethodRoutes(routes), POLICY, groupsFromLdap ? Optional.of(ldap) : Optional.empty(),
                u -> 0, Duration.ofSeconds(20), registry);
    }

    private static AuthRequest request(AuthMethod method, net.l2sec.spi.auth.Credentials c) {
        return new AuthRequest(new SessionContext("t1/s1", new InetSocketAddress("192.0.2.9", 4500), 1, 1, Instant.now()), method, c);
    }

    @Test
    void nestedAdGroupDecidesAllowAndPoolForLdapAuthenticatedUsers() {
        var p = policy(Map.of(AuthMethod.PAP, List.of(new Backend("ldap", ldap))), false);
        var alice = p.decide(request(AuthMethod.PAP, new PapCredentials("alice", SambaAdDc.ALICE_PASSWORD.getBytes(StandardCharsets.UTF_8))));
        assertThat(alice).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.authorization().rule()).isEqualTo("staff");
            assertThat(a.authorization().pool()).contains("staff");
            assertThat(a.authorization().groups()).anySatisfy(g -> assertThat(g).containsIgnoringCase("CN=VPN-Users"));
        });
        var bob = p.decide(request(AuthMethod.PAP, new PapCredentials("bob@" + SambaAdDc.DNS_DOMAIN, SambaAdDc.BOB_PASSWORD.getBytes(StandardCharsets.UTF_8))));
        assertThat(bob).isInstanceOfSatisfying(AuthResult.Reject.class, r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.POLICY_DENIED);
            assertThat(r.detail()).contains("rule=contractors");
        });
        var carol = p.decide(request(AuthMethod.PAP, new PapCredentials("carol", SambaAdDc.CAROL_PASSWORD.getBytes(StandardCharsets.UTF_8))));
        assertThat(carol).isInstanceOfSatisfying(AuthResult.Reject.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED));
    }

    @Test
    void groupsComeFromTheDirectoryForUsersRadiusAuthenticated() throws Exception {
        var settings = RadiusClientSettings.of(List.of(new RadiusServer("freeradius", new InetSocketAddress("127.0.0.1", 18160),
                Optional.empty(), "policy-secret-0123456789".getBytes(StandardCharsets.UTF_8))), "l2sec-test");
        Map<AuthMethod, List<Backend>> routes = new EnumMap<>(AuthMethod.class);
        routes.put(AuthMethod.MSCHAPV2, List.of(new Backend("radius", RadiusAuthenticator.create(settings, registry))));
        var p = policy(routes, true);
        assertThat(p.decide(request(AuthMethod.MSCHAPV2, msChapV2("alice", "radius-Pass-1"))))
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.authorization().rule()).isEqualTo("staff"));
        assertThat(p.decide(request(AuthMethod.MSCHAPV2, msChapV2("bob", "radius-Pass-2"))))
                .isInstanceOfSatisfying(AuthResult.Reject.class, r -> assertThat(r.detail()).contains("rule=contractors"));
    }

    private static MsChapV2Credentials msChapV2(String user, String password) {
        byte[] authChallenge = new byte[16];
        byte[] peerChallenge = new byte[16];
        new java.security.SecureRandom().nextBytes(authChallenge);
        new java.security.SecureRandom().nextBytes(peerChallenge);
        byte[] nt = MsChapV2.generateNtResponse(authChallenge, peerChallenge, user, MsChapV2.ntPasswordHash(password));
        return new MsChapV2Credentials(user, authChallenge, peerChallenge, nt);
    }

    /**
     * IKEv2 clients IKE verified (certificate, pre-shared key), routed local, radius, ldap: the local file knows only
     * "eve", the REAL FreeRADIUS is never sent a packet, the REAL directory authorizes alice (nested group: staff),
     * refuses bob by policy (contractors) and carol's disabled account; eve, authorized by the file, gets her groups
     * from the directory (none there: the default rule denies her).
     */
    @Test
    void provenIdentitiesAreAuthorizedByTheFileOrTheDirectoryNeverByRadius(@TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path users = dir.resolve("users");
        java.nio.file.Files.writeString(users, "eve nt:44EBBA8D5312B8D611474411F56989AE\n");
        var radiusMeters = new SimpleMeterRegistry();
        var settings = RadiusClientSettings.of(List.of(new RadiusServer("freeradius", new InetSocketAddress("127.0.0.1", 18160),
                Optional.empty(), "policy-secret-0123456789".getBytes(StandardCharsets.UTF_8))), "l2sec-test");
        Map<AuthMethod, List<Backend>> routes = new EnumMap<>(AuthMethod.class);
        List<Backend> route = List.of(new Backend("local", LocalUserAuthenticator.load(users)),
                new Backend("radius", RadiusAuthenticator.create(settings, radiusMeters)), new Backend("ldap", ldap));
        routes.put(AuthMethod.IKEV2_CERTIFICATE, route);
        routes.put(AuthMethod.IKEV2_PSK, route);
        var p = policy(routes, true);

        assertThat(p.decide(request(AuthMethod.IKEV2_CERTIFICATE, new ProvenIdentity("alice@" + SambaAdDc.DNS_DOMAIN,
                "certificate CN=alice issued by CN=Corp CA")))).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.user()).isEqualTo(SambaAdDc.ALICE);
            assertThat(a.authorization().rule()).isEqualTo("staff");
            assertThat(a.authorization().pool()).contains("staff");
        });
        assertThat(p.decide(request(AuthMethod.IKEV2_PSK, new ProvenIdentity("bob", "pre-shared key"))))
                .isInstanceOfSatisfying(AuthResult.Reject.class, r -> {
                    assertThat(r.reason()).isEqualTo(RejectReason.POLICY_DENIED);
                    assertThat(r.detail()).contains("rule=contractors");
                });
        assertThat(p.decide(request(AuthMethod.IKEV2_CERTIFICATE, new ProvenIdentity("carol", "certificate CN=carol"))))
                .isInstanceOfSatisfying(AuthResult.Reject.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED));
        assertThat(p.decide(request(AuthMethod.IKEV2_PSK, new ProvenIdentity("eve", "pre-shared key"))))
                .isInstanceOfSatisfying(AuthResult.Reject.class, r -> assertThat(r.detail()).contains("rule=default"));
        assertThat(p.decide(request(AuthMethod.IKEV2_PSK, new ProvenIdentity("mallory", "pre-shared key"))))
                .isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
        assertThat(radiusMeters.find("l2sec.aaa.request.duration").timers()).as("no Access-Request was sent").isEmpty();
    }
}
