package net.l2sec.concentrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.l2sec.concentrator.PrivateFiles;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AaaConfigTest {
    @TempDir
    Path dir;

    private ConcentratorConfig load(String aaa) throws Exception {
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        PrivateFiles.write(dir.resolve("radius.secret"), "a-radius-secret-of-length\n");
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, """
                l2tp:
                  require-ipsec: false
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                  - name: admins
                    range: 10.99.0.30-10.99.0.40
                """ + aaa);
        return ConfigLoader.load(f);
    }

    private List<String> problems(String aaa) {
        try {
            load(aaa);
        } catch (ConfigException e) {
            return e.problems();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted");
    }

    @Test
    void radiusWithPolicyAndDefaultRouting() throws Exception {
        var c = load("""
                aaa:
                  local:
                    users-file: users
                  radius:
                    servers:
                      - name: rad1
                        address: 127.0.0.1:1812
                        secret-file: radius.secret
                      - address: 127.0.0.2:1812
                        secret-file: radius.secret
                        require-message-authenticator: false
                    accounting:
                      interim-interval: 5m
                      spool-dir: spool
                    dynamic-authorization:
                      clients:
                        - address: 127.0.0.1
                          secret-file: radius.secret
                  policy:
                    rules:
                      - name: admins
                        groups: [VPN-Admins]
                        pool: admins
                        max-sessions: 2
                        session-timeout: 12h
                      - name: contractors
                        groups: ["CN=Contractors,DC=corp"]
                        action: deny
                """).aaa();
        var radius = c.radius().orElseThrow();
        assertThat(radius.servers()).hasSize(2);
        assertThat(radius.servers().getFirst().requireMessageAuthenticator()).isTrue();
        assertThat(radius.servers().get(1).requireMessageAuthenticator()).isFalse();
        assertThat(radius.servers().get(1).accounting().orElseThrow().getPort()).isEqualTo(1813);
        assertThat(radius.servers().toString()).doesNotContain("a-radius-secret");
        assertThat(radius.accounting().spoolDir()).isEqualTo(dir.resolve("spool"));
        assertThat(radius.dynamicAuthorization().orElseThrow().listen().getPort()).isEqualTo(3799);
        assertThat(c.methods().get(AuthMethod.MSCHAPV2)).containsExactly("radius", "local");
        assertThat(c.methods().get(AuthMethod.EAP_MSCHAPV2)).containsExactly("radius");
        assertThat(c.policy().rules()).hasSize(2);
        assertThat(c.policy().fallback().allow()).as("with rules the default is deny").isFalse();
        assertThat(c.policy().decide(Set.of("CN=VPN-Admins,OU=G,DC=corp")).pool()).contains("admins");
        assertThat(c.policy().rules().getFirst().sessionTimeout()).contains(Duration.ofHours(12));
    }

    @Test
    void withoutRulesEveryAcceptedUserIsAllowed() throws Exception {
        var c = load("""
                aaa:
                  local:
                    users-file: users
                """).aaa();
        assertThat(c.policy().fallback().allow()).isTrue();
        assertThat(c.methods().get(AuthMethod.PAP)).containsExactly("local");
    }

    @Test
    void badAaaConfigIsRefusedWithFileKeyAndReason() {
        var p = problems("""
                aaa:
                  radius:
                    servers:
                      - address: 127.0.0.1:1812
                        secret: tiny-pw
                    accounting:
                      interim-interval: 10s
                    dynamic-authorization:
                      clients:
                        - address: 127.0.0.1
                          secret: short-dynauth
                  methods:
                    mschapv2: [ldap]
                    eap: [radius, local]
                  policy:
                    groups-from-ldap: true
                    rules:
                      - name: a
                        pool: nowhere
                        action: maybe
                """);
        String f = dir.resolve("c.yaml") + ": ";
        assertThat(p).contains(
                f + "aaa.radius.servers[0].secret: at least 16 characters: a short RADIUS secret can be guessed offline",
                f + "aaa.radius.dynamic-authorization.clients[0].secret: at least 16 characters: whoever guesses it can disconnect every session",
                f + "aaa.radius.accounting.interim-interval: at least 60s (RFC 2869 section 2.1), or 0s to send no Interim-Update",
                f + "aaa.methods.mschapv2: backend \"ldap\" is not configured (aaa.ldap)",
                f + "aaa.methods.eap: backend \"local\" is not configured (aaa.local)",
                f + "aaa.methods.eap: EAP relayed to RADIUS has no fallback: list radius alone, or local alone",
                f + "aaa.policy.groups-from-ldap: needs aaa.ldap",
                f + "aaa.policy.rules[0].pool: no pool named \"nowhere\" in pools",
                f + "aaa.policy.rules[0].action: must be allow or deny");
        assertThat(String.join("\n", p)).doesNotContain("tiny-pw").doesNotContain("short-dynauth");
    }

    @Test
    void ldapRefusesCleartextAndNonPapRoutes() throws IOException {
        PrivateFiles.write(dir.resolve("ldap.pw"), "pw\n");
        var p = problems("""
                aaa:
                  ldap:
                    urls: [ldap://dc1.corp.example]
                    bind-dn: CN=svc,DC=corp
                    bind-password-file: ldap.pw
                    base-dn: DC=corp
                  methods:
                    mschapv2: [ldap]
                """);
        assertThat(p).anySatisfy(s -> assertThat(s).contains("aaa.ldap.urls: ldap:// without start-tls sends passwords in clear"));
        assertThat(p).anySatisfy(s -> assertThat(s).contains("aaa.methods.mschapv2: ldap verifies PAP only"));
    }

    @Test
    void noBackendAtAll() {
        assertThat(problems("aaa: {}\n")).anySatisfy(s -> assertThat(s).contains("no authentication backend"));
    }

    @Test
    void aRuleGivesRoutesADomainAndATotalCap() throws Exception {
        var c = load("""
                aaa:
                  local:
                    users-file: users
                  policy:
                    rules:
                      - name: staff
                        routes: [10.1.0.0/16, 192.168.50.0/24, 10.9.9.9]
                        domain: corp.example.com
                        max-sessions-total: 250
                        rate-limit: 10mbit
                      - name: guests
                        rate-limit: {down: 2mbit, up: 512kbit}
                """).aaa();
        var rule = c.policy().rules().getFirst();
        assertThat(rule.rateLimit()).contains(new net.l2sec.spi.auth.RateLimit(10_000_000, 10_000_000));
        assertThat(c.policy().rules().get(1).rateLimit()).contains(new net.l2sec.spi.auth.RateLimit(2_000_000, 512_000));
        assertThat(rule.routes()).extracting(Object::toString).containsExactly("10.1.0.0/16", "192.168.50.0/24", "10.9.9.9/32");
        assertThat(rule.domain()).contains("corp.example.com");
        assertThat(rule.maxSessionsTotal()).hasValue(250);
    }

    @Test
    void badRoutesDomainOrCapAreRefusedWithFileKeyAndReason() {
        var p = problems("""
                aaa:
                  local:
                    users-file: users
                  policy:
                    rules:
                      - name: staff
                        routes: [10.1.2.0/16, 0.0.0.0/0, 10.1.0.0/40, nonsense]
                        domain: "corp example"
                        max-sessions-total: 0
                        rate-limit: fast
                      - name: other
                        rate-limit: {down: 1kbit}
                """);
        String f = dir.resolve("c.yaml") + ": aaa.policy.rules[0].";
        assertThat(p).contains(
                f + "routes: 10.1.2.0/16 has host bits set (the network is 10.1.0.0/16)",
                f + "routes: 0.0.0.0/0 is the default route: leave routes out to keep the tunnel as the default route",
                f + "routes: prefix length 40 outside 0..32",
                f + "routes: \"nonsense\": not an IPv4 address",
                f + "domain: must be a DNS domain name such as corp.example.com, got \"corp example\"");
        assertThat(p).anySatisfy(s -> assertThat(s).startsWith(f + "max-sessions-total:"));
        assertThat(p).contains(f + "rate-limit: \"fast\" is not a rate such as 10mbit, 512kbit or 1gbit",
                dir.resolve("c.yaml") + ": aaa.policy.rules[1].rate-limit.down: at least 16kbit, got 1kbit");
    }

    private static final String LDAP = """
              ldap:
                urls: [ldaps://dc1.corp.example]
                bind-dn: CN=svc,DC=corp
                bind-password-file: ldap.pw
                base-dn: DC=corp
            """;
    private static final String RADIUS = """
              radius:
                servers:
                  - address: 127.0.0.1:1812
                    secret-file: radius.secret
            """;
    private static final String LOCAL = """
              local:
                users-file: users
            """;

    /**
     * IKEv2 PSK and certificate clients are routed by default to every configured backend that can authorize an
     * identity without its password, the directory first and the local file last; never to RADIUS.
     */
    @Test
    void ikev2PskAndCertificateDefaultToLdapThenLocalNeverRadius() throws Exception {
        PrivateFiles.write(dir.resolve("ldap.pw"), "pw\n");
        var all = load("aaa:\n" + LOCAL + RADIUS + LDAP).aaa();
        assertThat(all.methods().get(AuthMethod.IKEV2_PSK)).containsExactly("ldap", "local");
        assertThat(all.methods().get(AuthMethod.IKEV2_CERTIFICATE)).containsExactly("ldap", "local");
        assertThat(all.methods().get(AuthMethod.PAP)).as("PPP defaults unchanged").containsExactly("radius", "local");
        assertThat(all.methods().get(AuthMethod.EAP_MSCHAPV2)).containsExactly("radius");

        var radiusAndLocal = load("aaa:\n" + LOCAL + RADIUS).aaa();
        assertThat(radiusAndLocal.methods().get(AuthMethod.IKEV2_PSK)).containsExactly("local");
        assertThat(radiusAndLocal.methods().get(AuthMethod.IKEV2_CERTIFICATE)).containsExactly("local");

        var ldapOnly = load("aaa:\n" + LDAP).aaa();
        assertThat(ldapOnly.methods().get(AuthMethod.IKEV2_CERTIFICATE)).containsExactly("ldap");
        assertThat(ldapOnly.methods().get(AuthMethod.PAP)).containsExactly("ldap");
        assertThat(ldapOnly.methods().get(AuthMethod.MSCHAPV2)).isEmpty();

        var radiusOnly = load("aaa:\n" + RADIUS).aaa();
        assertThat(radiusOnly.methods().get(AuthMethod.IKEV2_PSK)).as("no backend can authorize them").isEmpty();
        assertThat(radiusOnly.methods().get(AuthMethod.IKEV2_CERTIFICATE)).isEmpty();
    }

    /** ldap may be listed for the IKEv2 keys (it authorizes without a bind); "ldap verifies PAP only" is for the PPP keys. */
    @Test
    void ikev2KeysRouteToLdapAndLocalInTheGivenOrder() throws Exception {
        PrivateFiles.write(dir.resolve("ldap.pw"), "pw\n");
        var c = load("aaa:\n" + LOCAL + RADIUS + LDAP + """
                  methods:
                    ikev2-psk: [local, ldap]
                    ikev2-certificate: [radius, ldap]
                """).aaa();
        assertThat(c.methods().get(AuthMethod.IKEV2_PSK)).containsExactly("local", "ldap");
        assertThat(c.methods().get(AuthMethod.IKEV2_CERTIFICATE)).as("radius answers method_unsupported, ldap decides")
                .containsExactly("radius", "ldap");
        assertThat(c.methods().get(AuthMethod.PAP)).as("an unlisted key keeps its default").containsExactly("radius", "local");
    }

    @Test
    void ikev2RoutesThatCannotAuthorizeAreRefusedWithFileKeyAndReason() throws Exception {
        PrivateFiles.write(dir.resolve("ldap.pw"), "pw\n");
        var p = problems("aaa:\n" + LOCAL + RADIUS + """
                  methods:
                    ikev2-psk: [radius]
                    ikev2-certificate: [ldap, kerberos, local, local]
                    mschapv2: [ldap]
                """);
        String f = dir.resolve("c.yaml") + ": aaa.methods.";
        assertThat(p).containsExactlyInAnyOrder(
                f + "ikev2-psk: radius cannot authorize IKEv2 PSK or certificate clients (an Access-Request needs a password"
                        + " or EAP to send): list local or ldap",
                f + "ikev2-certificate: backend \"ldap\" is not configured (aaa.ldap)",
                f + "ikev2-certificate: unknown backend \"kerberos\" (local, radius or ldap)",
                f + "ikev2-certificate: lists a backend twice",
                f + "mschapv2: backend \"ldap\" is not configured (aaa.ldap)");
        assertThat(problems("aaa:\n" + RADIUS + LDAP + """
                  methods:
                    ikev2-certificate: [radius]
                    mschapv2: [ldap]
                """)).containsExactlyInAnyOrder(
                f + "ikev2-certificate: radius cannot authorize IKEv2 PSK or certificate clients (an Access-Request needs a"
                        + " password or EAP to send): list local or ldap",
                f + "mschapv2: ldap verifies PAP only (an LDAP bind needs the cleartext password); route mschapv2 to radius");
    }
}
