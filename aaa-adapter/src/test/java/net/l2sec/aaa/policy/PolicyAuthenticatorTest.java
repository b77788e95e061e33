package net.l2sec.aaa.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.l2sec.aaa.GroupDirectory;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import net.l2sec.aaa.radius.RadiusAuthenticator;
import net.l2sec.aaa.radius.RadiusClientSettings;
import net.l2sec.aaa.radius.RadiusServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyAuthenticatorTest {
    static final String STAFF = "CN=Staff,OU=Groups,DC=l2sec,DC=test";
    static final String VPN_USERS = "CN=VPN-Users,OU=Groups,DC=l2sec,DC=test";
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<String> asked = new ArrayList<>();

    Backend backend(String name, AuthResult result) {
        return new Backend(name, r -> {
            asked.add(name);
            return CompletableFuture.completedFuture(result);
        });
    }

    static AuthResult.Accept accept(Set<String> groups) {
        return new AuthResult.Accept("alice", Optional.empty(), new Authorization("radius", Optional.empty(), List.of(),
                Optional.of(Duration.ofHours(1)), Optional.empty(), Optional.empty(), List.of(), groups, Optional.empty()));
    }

    static AuthRequest pap() {
        return new AuthRequest(new SessionContext("t1/s1", new InetSocketAddress("192.0.2.7", 1701), 1, 1, Instant.EPOCH),
                AuthMethod.PAP, new PapCredentials("alice", "pw".getBytes()));
    }

    static PolicyRule rule(String name, List<String> groups, boolean allow, String pool, Integer max) {
        return new PolicyRule(name, groups, allow, Optional.ofNullable(pool), List.of(), Optional.of(Duration.ofHours(8)),
                Optional.of(Duration.ofMinutes(30)), max == null ? OptionalInt.empty() : OptionalInt.of(max));
    }

    PolicyAuthenticator service(List<Backend> route, Policy policy, GroupDirectory directory, int activeSessions) {
        Map<AuthMethod, List<Backend>> m = new EnumMap<>(AuthMethod.class);
        m.put(AuthMethod.PAP, route);
        return new PolicyAuthenticator(new MethodRoutes(m), policy, Optional.ofNullable(directory), u -> activeSessions,
                Duration.ofSeconds(5), registry);
    }

    final Policy policy = new Policy(List.of(
            rule("contractors", List.of("Contractors"), false, null, null),
            rule("staff", List.of("VPN-Users"), true, "staff", 2)), PolicyRule.denyAll("default"));

    @Test
    void firstMatchingRuleDecidesWithNestedGroupsFromTheDirectoryMatchedByCn() {
        GroupDirectory dir = u -> CompletableFuture.completedFuture(Set.of(STAFF, VPN_USERS));
        var r = (AuthResult.Accept) service(List.of(backend("radius", accept(Set.of()))), policy, dir, 0).decide(pap());
        assertThat(r.authorization().rule()).isEqualTo("staff");
        assertThat(r.authorization().pool()).contains("staff");
        assertThat(r.authorization().sessionTimeout()).contains(Duration.ofHours(1));   // RADIUS's wins over the rule's
        assertThat(r.authorization().idleTimeout()).contains(Duration.ofMinutes(30));   // the rule fills the gap
        assertThat(r.authorization().groups()).contains(VPN_USERS);
    }

    /** The backend's MSK (EAP-MSCHAPv2, for IKEv2's AUTH) passes the policy unchanged. */
    @Test
    void theBackendsMskPassesThePolicy() {
        GroupDirectory dir = u -> CompletableFuture.completedFuture(Set.of(STAFF, VPN_USERS));
        byte[] msk = new byte[64];
        msk[63] = 9;
        var r = (AuthResult.Accept) service(List.of(backend("radius", accept(Set.of()).withMsk(Optional.of(msk)))), policy, dir, 0)
                .decide(pap());
        assertThat(r.authorization().rule()).isEqualTo("staff");
        assertThat(r.msk()).hasValueSatisfying(m -> assertThat(m).isEqualTo(msk));
    }

    /** RADIUS's IPv6 assignments (RFC 3162, RFC 4818) pass the policy unchanged. */
    @Test
    void theBackendsIpv6AssignmentsPassThePolicy() throws Exception {
        var ipv6 = new net.l2sec.spi.auth.Ipv6Framing(Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(
                (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8:77:5::"), 64)), java.util.OptionalLong.of(0x42),
                Optional.empty());
        AuthResult.Accept given = accept(Set.of(VPN_USERS));
        given = new AuthResult.Accept(given.user(), given.authenticatorResponse(), given.authorization().withIpv6(ipv6));
        var r = (AuthResult.Accept) service(List.of(backend("radius", given)), policy, null, 0).decide(pap());
        assertThat(r.authorization().ipv6()).isEqualTo(ipv6);
    }

    @Test
    void denyRuleAndDefaultRuleRefuseWithPolicyDenied() {
        var denied = (AuthResult.Reject) service(List.of(backend("radius", accept(Set.of("contractors")))), policy, null, 0).decide(pap());
        assertThat(denied.reason()).isEqualTo(RejectReason.POLICY_DENIED);
        assertThat(denied.detail()).contains("rule=contractors");
        var nobody = (AuthResult.Reject) service(List.of(backend("radius", accept(Set.of("Other")))), policy, null, 0).decide(pap());
        assertThat(nobody.detail()).contains("rule=default");
        assertThat(registry.get("l2sec.aaa.rejects").tags("backend", "radius", "reason", "policy_denied").counter().count()).isEqualTo(2);
    }

    @Test
    void sessionLimitPerUser() {
        var r = (AuthResult.Reject) service(List.of(backend("ldap", accept(Set.of(VPN_USERS)))), policy, null, 2).decide(pap());
        assertThat(r.detail()).contains("allows 2 sessions, user has 2");
        assertThat(service(List.of(backend("ldap", accept(Set.of(VPN_USERS)))), policy, null, 1).decide(pap()))
                .isInstanceOf(AuthResult.Accept.class);
    }

    @Test
    void fallbackOnlyWhenTheFirstBackendDoesNotKnowTheUserOrDoesNotAnswer() {
        var unknown = backend("local", new AuthResult.Reject(RejectReason.UNKNOWN_USER, "no"));
        var down = backend("radius", new AuthResult.Reject(RejectReason.BACKEND_TIMEOUT, "no answer"));
        var ok = backend("ldap", accept(Set.of(VPN_USERS)));
        assertThat(service(List.of(unknown, down, ok), policy, null, 0).decide(pap())).isInstanceOf(AuthResult.Accept.class);
        assertThat(asked).containsExactly("local", "radius", "ldap");
        asked.clear();
        var wrong = backend("local", new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password"));
        var r = (AuthResult.Reject) service(List.of(wrong, ok), policy, null, 0).decide(pap());
        assertThat(r.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS);
        assertThat(asked).containsExactly("local");
    }

    @Test
    void failedGroupLookupRefusesInsteadOfGuessing() {
        GroupDirectory broken = u -> CompletableFuture.failedFuture(new IllegalStateException("ldap down"));
        var r = (AuthResult.Reject) service(List.of(backend("radius", accept(Set.of()))), policy, broken, 0).decide(pap());
        assertThat(r.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
    }

    @Test
    void eapRelayFollowsTheFirstBackendOfTheEapRoute() {
        Authenticator relaying = new Authenticator() {
            @Override
            public CompletionStage<AuthResult> authenticate(AuthRequest request) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean relaysEap() {
                return true;
            }
        };
        Map<AuthMethod, List<Backend>> m = new EnumMap<>(AuthMethod.class);
        m.put(AuthMethod.EAP_MSCHAPV2, List.of(new Backend("radius", relaying)));
        assertThat(new PolicyAuthenticator(new MethodRoutes(m), policy, Optional.empty(), u -> 0, Duration.ofSeconds(1), registry)
                .relaysEap()).isTrue();
        m.put(AuthMethod.EAP_MSCHAPV2, List.of(backend("local", accept(Set.of()))));
        assertThat(new PolicyAuthenticator(new MethodRoutes(m), policy, Optional.empty(), u -> 0, Duration.ofSeconds(1), registry)
                .relaysEap()).isFalse();
    }

    @Test
    void groupMatchingByDnOrCn() {
        assertThat(PolicyRule.sameGroup("vpn-users", VPN_USERS)).isTrue();
        assertThat(PolicyRule.sameGroup("cn=vpn-users, ou=groups, dc=l2sec, dc=test", VPN_USERS)).isTrue();
        assertThat(PolicyRule.sameGroup("VPN", VPN_USERS)).isFalse();
        assertThat(PolicyRule.firstRdnValue("CN=Smith\\, John,OU=x")).isEqualTo("Smith, John");
    }

    @Test
    void theRulesRoutesDomainAndTotalCapReachTheAuthorizationAndRadiusRoutesWin() {
        var routes = List.of(net.l2sec.spi.auth.Ipv4Route.parse("10.1.0.0/16"), net.l2sec.spi.auth.Ipv4Route.parse("192.168.50.0/24"));
        var split = new PolicyRule("split", List.of(), true, Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                OptionalInt.empty(), routes, Optional.of("corp.example.com"), OptionalInt.of(100),
                Optional.of(new net.l2sec.spi.auth.RateLimit(10_000_000, 2_000_000)));
        Policy p = new Policy(List.of(split), PolicyRule.denyAll("default"));
        var r = (AuthResult.Accept) service(List.of(backend("local", accept(Set.of()))), p, null, 0).decide(pap());
        assertThat(r.authorization().routes()).isEqualTo(routes);
        assertThat(r.authorization().domain()).contains("corp.example.com");
        assertThat(r.authorization().maxSessionsTotal()).hasValue(100);
        assertThat(r.authorization().rateLimit()).contains(new net.l2sec.spi.auth.RateLimit(10_000_000, 2_000_000));
        var fromRadius = List.of(net.l2sec.spi.auth.Ipv4Route.parse("172.16.0.0/12"));
        var radius = new AuthResult.Accept("alice", Optional.empty(), accept(Set.of()).authorization().withRoutes(fromRadius)
                .withRateLimit(Optional.of(new net.l2sec.spi.auth.RateLimit(1_000_000, 0))));
        var r2 = (AuthResult.Accept) service(List.of(backend("radius", radius)), p, null, 0).decide(pap());
        assertThat(r2.authorization().routes()).as("Framed-Route wins over the rule's").isEqualTo(fromRadius);
        assertThat(r2.authorization().rateLimit()).as("WISPr wins over the rule's").contains(new net.l2sec.spi.auth.RateLimit(1_000_000, 0));
    }

    @TempDir
    java.nio.file.Path dir;

    static AuthRequest proven(AuthMethod method, String user) {
        return new AuthRequest(new SessionContext("t1/s1", new InetSocketAddress("192.0.2.7", 4500), 1, 1, Instant.EPOCH),
                method, new ProvenIdentity(user, "certificate CN=" + user + " issued by CN=Corp CA serial 1f"));
    }

    /** The real local backend over {@code lines}, asking nothing it should not: recorded in {@link #asked} as "local". */
    Backend local(String... lines) throws Exception {
        java.nio.file.Path file = dir.resolve("users");
        java.nio.file.Files.write(file, List.of(lines));
        LocalUserAuthenticator a = LocalUserAuthenticator.load(file);
        return new Backend("local", r -> {
            asked.add("local");
            return a.authenticate(r);
        });
    }

    /** The real RADIUS backend whose sender records every packet it is given. */
    Backend radius(List<Object> packets) {
        var settings = new RadiusClientSettings(List.of(new RadiusServer("r", new InetSocketAddress("127.0.0.1", 1812),
                Optional.empty(), "a-radius-secret-of-16".getBytes())), Duration.ofSeconds(1), 0, Duration.ofSeconds(1), "nas",
                Optional.empty(), RadiusClientSettings.DEFAULT_GROUP_ATTRIBUTES);
        RadiusAuthenticator a = new RadiusAuthenticator(settings, packet -> {
            packets.add(packet);
            return CompletableFuture.failedFuture(new IllegalStateException("no RADIUS server in this test"));
        });
        return new Backend("radius", r -> {
            asked.add("radius");
            return a.authenticate(r);
        });
    }

    /** A directory that knows alice (groups from the directory) and nobody else; records the credentials it was given. */
    Backend ldap(Set<String> groups, List<Object> given) {
        return new Backend("ldap", r -> {
            asked.add("ldap");
            given.add(r.credentials());
            return CompletableFuture.completedFuture(r.credentials().user().equals("alice")
                    ? new AuthResult.Accept("alice", Optional.empty(), new Authorization("ldap", Optional.empty(), List.of(),
                            Optional.empty(), Optional.empty(), Optional.empty(), List.of(), groups, Optional.empty()))
                    : new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
        });
    }

    PolicyAuthenticator provenService(AuthMethod method, List<Backend> route, GroupDirectory directory) {
        Map<AuthMethod, List<Backend>> m = new EnumMap<>(AuthMethod.class);
        m.put(method, route);
        return new PolicyAuthenticator(new MethodRoutes(m), policy, Optional.ofNullable(directory), u -> 0, Duration.ofSeconds(5), registry);
    }

    /**
     * An IKEv2 certificate client the local file does not know: local says unknown_user, RADIUS cannot authorize it
     * (method_unsupported, no packet), the directory knows it: its groups decide the rule, pool and timeouts as for a
     * password login.
     */
    @Test
    void provenIdentityFallsFromLocalUnknownPastRadiusToTheDirectory() throws Exception {
        List<Object> packets = new ArrayList<>();
        List<Object> ldapGot = new ArrayList<>();
        var service = provenService(AuthMethod.IKEV2_CERTIFICATE,
                List.of(local("bob plain:pw"), radius(packets), ldap(Set.of(STAFF, VPN_USERS), ldapGot)), null);

        var r = service.decide(proven(AuthMethod.IKEV2_CERTIFICATE, "alice"));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.user()).isEqualTo("alice");
            assertThat(a.authorization().rule()).isEqualTo("staff");
            assertThat(a.authorization().pool()).contains("staff");
            assertThat(a.authorization().sessionTimeout()).contains(Duration.ofHours(8));
            assertThat(a.authorization().groups()).containsExactlyInAnyOrder(STAFF, VPN_USERS);
        });
        assertThat(asked).containsExactly("local", "radius", "ldap");
        assertThat(packets).as("RADIUS sent nothing").isEmpty();
        assertThat(ldapGot).singleElement().isInstanceOf(ProvenIdentity.class);
        assertThat(registry.find("l2sec.aaa.rejects").counters()).isEmpty();
    }

    /** A user the local file knows is authorized there (any stored form); the directory's groups still apply. */
    @Test
    void provenIdentityAcceptedLocallyGetsTheDirectorysGroups() throws Exception {
        GroupDirectory dir = u -> CompletableFuture.completedFuture(u.equals("alice") ? Set.of(VPN_USERS) : Set.of());
        var service = provenService(AuthMethod.IKEV2_PSK, List.of(local("alice nt:44EBBA8D5312B8D611474411F56989AE"),
                ldap(Set.of(), new ArrayList<>())), dir);

        var r = service.decide(proven(AuthMethod.IKEV2_PSK, "alice"));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.authorization().rule()).isEqualTo("staff"));
        assertThat(asked).containsExactly("local");
    }

    /** The policy denies by group for a proven identity as for a password; a disabled local user is final. */
    @Test
    void provenIdentityIsDeniedByGroupAndADisabledUserIsFinal() throws Exception {
        var contractors = provenService(AuthMethod.IKEV2_CERTIFICATE, List.of(local("bob plain:pw"),
                ldap(Set.of("CN=Contractors,OU=Groups,DC=l2sec,DC=test"), new ArrayList<>())), null);
        assertThat(contractors.decide(proven(AuthMethod.IKEV2_CERTIFICATE, "alice"))).isInstanceOfSatisfying(AuthResult.Reject.class, r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.POLICY_DENIED);
            assertThat(r.detail()).isEqualTo("rule=contractors denies groups=[Contractors]");
        });
        assertThat(registry.get("l2sec.aaa.rejects").tags("backend", "ldap", "reason", "policy_denied").counter().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.aaa.policy.decisions").tags("rule", "contractors", "result", "deny").counter().count()).isEqualTo(1);

        asked.clear();
        var disabled = provenService(AuthMethod.IKEV2_PSK, List.of(local("alice plain:pw disabled"),
                ldap(Set.of(VPN_USERS), new ArrayList<>())), null);
        assertThat(disabled.decide(proven(AuthMethod.IKEV2_PSK, "alice"))).isInstanceOfSatisfying(AuthResult.Reject.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED));
        assertThat(asked).containsExactly("local");
    }

    /** Nobody knows the user: the reject is the last backend's, counted under it. */
    @Test
    void provenIdentityNobodyKnowsIsUnknown() throws Exception {
        var service = provenService(AuthMethod.IKEV2_PSK, List.of(local("bob plain:pw"), ldap(Set.of(), new ArrayList<>())), null);
        assertThat(service.decide(proven(AuthMethod.IKEV2_PSK, "mallory"))).isEqualTo(
                new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
        assertThat(registry.get("l2sec.aaa.rejects").tags("backend", "ldap", "reason", "unknown_user").counter().count()).isEqualTo(1);
    }
}
