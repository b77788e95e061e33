package net.l2sec.concentrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import net.l2sec.concentrator.PrivateFiles;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ikev2.Ikev2Settings;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static final String MINIMAL = """
            l2tp:
              require-ipsec: false
            pools:
              - name: default
                range: 10.99.0.10-10.99.0.20
            aaa:
              local:
                users-file: users
            """;

    @Test
    void shippedConfigIsValidAndSafe() throws Exception {
        Files.copy(Path.of("../conf/concentrator.yaml"), dir.resolve("concentrator.yaml"));
        // as git checks it out: readable by everyone, refused until chmod 600 (scripts/start.sh does it)
        Files.setPosixFilePermissions(Files.copy(Path.of("../conf/users"), dir.resolve("users")),
                PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("concentrator.yaml"))).isInstanceOfSatisfying(
                ConfigException.class, e -> assertThat(e.problems()).contains(dir.resolve("concentrator.yaml") + ": aaa.local.users-file: "
                        + dir.resolve("users") + " is readable by group/others (mode 0644): chmod 600 it"));
        PrivateFiles.restrict(dir.resolve("users"));
        // without the key scripts/start.sh generates, the refusal names the file and the key
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("concentrator.yaml"))).isInstanceOfSatisfying(
                ConfigException.class, e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                        .contains("concentrator.yaml: ipsec.psk-file: cannot read")));
        PrivateFiles.write(dir.resolve("ipsec.psk"), "0123456789abcdef0123456789\n");
        // likewise the admin token
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("concentrator.yaml"))).isInstanceOfSatisfying(
                ConfigException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
                        .contains("concentrator.yaml: admin.token-file: cannot read")));
        PrivateFiles.write(dir.resolve("admin.token"), "abcdefghijklmnopqrstuvwxyz012345\n");
        ConcentratorConfig c = ConfigLoader.load(dir.resolve("concentrator.yaml"));
        assertThat(c.admin().enabled()).isTrue();
        assertThat(c.admin().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.admin().listen().getPort()).isEqualTo(9118);
        assertThat(new String(c.admin().token(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("abcdefghijklmnopqrstuvwxyz012345");
        assertThat(c.l2tp().requireIpsec()).isTrue();
        assertThat(c.l2tp().listen().getPort()).isEqualTo(1701);
        assertThat(c.ipsec().ikeListen().getPort()).isEqualTo(500);
        assertThat(c.ipsec().nattListen().getPort()).isEqualTo(4500);
        IkeSettings ike = c.ipsec().ike().orElseThrow();
        assertThat(ike.legacyModp1024()).isFalse();
        assertThat(ike.legacy3des()).isFalse();
        assertThat(ike.aggressiveMode()).isFalse();
        assertThat(c.ppp().authMethods().getFirst()).isEqualTo(AuthMethod.MSCHAPV2);
        assertThat(c.ppp().authMethods()).doesNotContain(AuthMethod.EAP_MD5);
        // MSS clamping on by default: the tunnel interface's 1400 and our MRU of 1400 bound what the tunnel carries
        assertThat(c.ppp().mssClamp()).isEqualTo(net.l2sec.dataplane.ppp.PppSettings.MssClamp.auto(1400));
        assertThat(c.ppp().mssClamp().limit(c.ppp().mru(), 1500, 1396)).isEqualTo(1352);
        assertThat(c.ppp().subnetPrefixLength()).isEqualTo(24);
        assertThat(c.metrics().listen().getAddress().isLoopbackAddress()).isTrue();
    }

    /**
     * Every file that holds a secret is refused, at start and at reload (both load the file this way), while group or
     * others may read or write it; the problem names the key, the file, its mode and the fix, never the secret.
     */
    @Test
    void secretFilesOthersCanReadOrWriteAreRefusedWithFileAndMode() throws Exception {
        Path yaml = write("""
                l2tp:
                  tunnel-secret-file: l2tp.secret
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                aaa:
                  local:
                    users-file: users
                  radius:
                    servers:
                      - address: 127.0.0.1:1812
                        secret-file: radius.secret
                    dynamic-authorization:
                      clients:
                        - address: 127.0.0.1
                          secret-file: dynauth.secret
                  ldap:
                    urls: [ldaps://dc1.corp.example.com]
                    bind-dn: CN=svc,DC=corp
                    bind-password-file: ldap.password
                    base-dn: DC=corp
                ipsec:
                  psk-file: ipsec.psk
                admin:
                  token-file: admin.token
                """);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("users", "rw-r-----");
        files.put("radius.secret", "rw----r--");
        files.put("dynauth.secret", "rw--w----");
        files.put("ldap.password", "rw-rw-rw-");
        files.put("ipsec.psk", "rw-r--r--");
        files.put("l2tp.secret", "r--r-----");
        files.put("admin.token", "rw-----w-");
        for (var f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.writeString(p, f.getKey().equals("users") ? "alice plain:password\n" : "a-secret-of-20-chars\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(f.getValue()));
        }
        String c = yaml + ": ";
        assertThatThrownBy(() -> ConfigLoader.load(yaml)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).contains(
                    c + "aaa.local.users-file: " + dir.resolve("users") + " is readable by group/others (mode 0640): chmod 600 it",
                    c + "aaa.radius.servers[0].secret-file: " + dir.resolve("radius.secret")
                            + " is readable by group/others (mode 0604): chmod 600 it",
                    c + "aaa.radius.dynamic-authorization.clients[0].secret-file: " + dir.resolve("dynauth.secret")
                            + " is writable by group/others (mode 0620): chmod 600 it",
                    c + "aaa.ldap.bind-password-file: " + dir.resolve("ldap.password")
                            + " is readable and writable by group/others (mode 0666): chmod 600 it",
                    c + "ipsec.psk-file: " + dir.resolve("ipsec.psk") + " is readable by group/others (mode 0644): chmod 600 it",
                    c + "l2tp.tunnel-secret-file: " + dir.resolve("l2tp.secret") + " is readable by group/others (mode 0440): chmod 600 it",
                    c + "admin.token-file: " + dir.resolve("admin.token") + " is writable by group/others (mode 0602): chmod 600 it");
            assertThat(e.getMessage()).doesNotContain("a-secret-of-20-chars");
        });
        for (String f : files.keySet()) Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("r--------"));
        assertThat(ConfigLoader.load(yaml).admin().enabled()).as("0400 is fine too").isTrue();
    }

    @Test
    void defaultsAreSafe() throws Exception {
        ConcentratorConfig c = ConfigLoader.load(write("""
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                aaa:
                  local:
                    users-file: users
                ipsec:
                  psk: a-long-enough-pre-shared-key
                """));
        assertThat(c.l2tp().requireIpsec()).isTrue();
        IkeSettings ike = c.ipsec().ike().orElseThrow();
        assertThat(ike.allowedGroups()).doesNotContain(DhGroup.MODP1024).contains(DhGroup.MODP2048, DhGroup.ECP256);
        assertThat(ike.legacy3des()).isFalse();
        assertThat(ike.allowedEspCiphers()).doesNotContain(EspCipher.TRIPLE_DES_CBC).contains(EspCipher.AES_GCM_16);
        assertThat(ike.espAesKeyBits()).contains(128);
        assertThat(ike.aggressiveMode()).isFalse();
        assertThat(c.ipsec().replayWindow()).isGreaterThanOrEqualTo(128);
        assertThat(c.ipsec().toString()).doesNotContain("a-long-enough");
        assertThat(c.ppp().authMethods()).containsExactly(AuthMethod.MSCHAPV2, AuthMethod.EAP_MSCHAPV2, AuthMethod.CHAP_MD5,
                AuthMethod.PAP);
        assertThat(c.l2tp().settings().tunnelSecret()).isEmpty();
        assertThat(c.l2tp().settings().helloInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.server().transport()).isEqualTo(net.l2sec.dataplane.udp.Transport.Choice.AUTO);
    }

    /**
     * The operator who writes a minimal file with LDAP (which verifies PAP only) and no ppp.auth-methods line: PAP
     * is offered, last, and routed to LDAP, so PAP clients are not refused with no_common_auth_method; L2TP is
     * accepted only inside IPsec, so the password is never in clear on the network.
     */
    @Test
    void ldapForPapWithoutAuthMethodsOffersPap() throws Exception {
        PrivateFiles.write(dir.resolve("ldap.password"), "a-bind-password\n");
        ConcentratorConfig c = ConfigLoader.load(write("""
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                aaa:
                  ldap:
                    urls: [ldaps://dc1.corp.example.com]
                    bind-dn: CN=svc-vpn,OU=Service Accounts,DC=corp,DC=example,DC=com
                    bind-password-file: ldap.password
                    base-dn: DC=corp,DC=example,DC=com
                ipsec:
                  psk: a-long-enough-pre-shared-key
                """));
        assertThat(c.ppp().authMethods()).containsExactly(AuthMethod.MSCHAPV2, AuthMethod.EAP_MSCHAPV2, AuthMethod.CHAP_MD5,
                AuthMethod.PAP);
        assertThat(c.aaa().methods().get(AuthMethod.PAP)).containsExactly("ldap");
        assertThat(c.l2tp().requireIpsec()).isTrue();
    }

    @Test
    void everyProblemNamesFileKeyAndReason() throws Exception {
        Path f = write("""
                server:
                  transport: io_uring
                l2tp:
                  listen: 0.0.0.0:99999
                  hello-intervall: 10s
                  retransmit:
                    initial: fast
                ppp:
                  auth-methods: [mschapv2, kerberos]
                  dns: [10.0.0.1, 10.0.0.2, 10.0.0.3]
                  mru: 70000
                  mss-clamp: 9000
                tunnel-interface:
                  address: 10.99.0.1
                pools:
                  - name: default
                    range: 10.98.0.10-10.98.0.20
                aaa:
                  local:
                    users-file: missing
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).allSatisfy(p -> assertThat(p).startsWith(f + ": "));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("server.transport: must be auto, epoll or nio, not \"io_uring\""));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("l2tp.listen: must be address:port"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("l2tp.hello-intervall: unknown key"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("l2tp.retransmit.initial: must be a duration"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ppp.auth-methods: unknown method \"kerberos\""));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ppp.dns: at most 2 entries"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ppp.mru: must be between 576 and 1500"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ppp.mss-clamp: must be auto, off or an MSS of 536..1460, got \"9000\""));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("tunnel-interface.address: must be"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("aaa.local.users-file: cannot read"));
        });
    }

    @Test
    void cryptoWorkersDefaultToTheProcessorsAndAreValidated() throws Exception {
        ConcentratorConfig c = ConfigLoader.load(write(MINIMAL));
        assertThat(c.ipsec().cryptoWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        Path f = write(MINIMAL + """
                ipsec:
                  crypto-workers: 0
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(
                e.problems()).anySatisfy(p -> assertThat(p).startsWith(f + ": ipsec.crypto-workers: must be between 1 and 256")));
    }

    @Test
    void poolOutsideTunnelSubnetIsRefused() throws Exception {
        Path f = write(MINIMAL.replace("10.99.0.10-10.99.0.20", "10.98.0.10-10.98.0.20"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("pools[0].range: must lie inside")));
    }

    @Test
    void secretFromFileAndNeverEchoed() throws Exception {
        PrivateFiles.write(dir.resolve("l2tp-secret"), "s3cr3t-value\n");
        ConcentratorConfig c = ConfigLoader.load(write(MINIMAL.replace("require-ipsec: false",
                "require-ipsec: false\n  tunnel-secret-file: l2tp-secret")));
        assertThat(c.l2tp().settings().tunnelSecret()).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo("s3cr3t-value"));
        assertThat(c.l2tp().toString()).doesNotContain("s3cr3t");

        Path both = write(MINIMAL.replace("require-ipsec: false",
                "require-ipsec: false\n  tunnel-secret: inline-s3cr3t\n  tunnel-secret-file: l2tp-secret"));
        assertThatThrownBy(() -> ConfigLoader.load(both)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.getMessage()).contains("l2tp.tunnel-secret: give either").doesNotContain("inline-s3cr3t"));
    }

    @Test
    void ipsecRequiresAKeyAndGatesLegacyAlgorithms() throws Exception {
        Path noPsk = write(MINIMAL.replace("require-ipsec: false", "require-ipsec: true"));
        assertThatThrownBy(() -> ConfigLoader.load(noPsk)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.psk-file: a pre-shared key (psk-file, or psk) or a certificate section is required")));

        Path legacyOff = write(MINIMAL + """
                ipsec:
                  psk: short
                  ike:
                    groups: [modp2048, modp1024]
                    encryption: [aes256, 3des, blowfish]
                """);
        assertThatThrownBy(() -> ConfigLoader.load(legacyOff)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.psk: too short"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.ike.groups: modp1024 is legacy: set ipsec.legacy.modp1024: true"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.ike.encryption: 3des is legacy"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.ike.encryption: unknown algorithm \"blowfish\""));
            assertThat(e.getMessage()).doesNotContain("short\n");
        });

        ConcentratorConfig on = ConfigLoader.load(write(MINIMAL + """
                ipsec:
                  psk: a-long-enough-pre-shared-key
                  legacy:
                    modp1024: true
                """));
        assertThat(on.ipsec().ike().orElseThrow().allowedGroups()).contains(DhGroup.MODP1024);
        ConcentratorConfig aggressive = ConfigLoader.load(write(MINIMAL
                + "ipsec:\n  psk: a-long-enough-pre-shared-key\n  aggressive-mode: true\n"));
        assertThat(aggressive.ipsec().ike().orElseThrow().aggressiveMode()).isTrue();
        assertThat(on.ipsec().ike().orElseThrow().legacyModp1024()).isTrue();
    }

    @Test
    void algorithmNamesBecomeTheResponderSettings() throws Exception {
        String base = MINIMAL + "ipsec:\n  psk: a-long-enough-pre-shared-key\n";
        IkeSettings d = ConfigLoader.load(write(base)).ipsec().ike().orElseThrow();
        assertThat(d.ikeAesKeyBits()).containsExactly(256, 128);
        assertThat(d.ikeHashes()).containsExactly(IkeHash.SHA2_256, IkeHash.SHA2_384, IkeHash.SHA2_512, IkeHash.SHA1);
        // groups 14, 19, 20, 21 (what IKEv2 clients offer: Android and strongSwan ECP256, macOS/iOS and Windows with
        // non-default proposals MODP2048/ECP384) and 5
        assertThat(d.allowedGroups()).containsExactly(DhGroup.MODP2048, DhGroup.ECP256, DhGroup.ECP384, DhGroup.ECP521,
                DhGroup.MODP1536);
        assertThat(d.allowedEspCiphers()).containsExactly(EspCipher.AES_CBC, EspCipher.AES_GCM_16);
        assertThat(d.espAesKeyBits()).containsExactly(256, 128);
        assertThat(d.espIntegrity()).containsExactly(EspIntegrity.HMAC_SHA1_96, EspIntegrity.HMAC_SHA2_256_128,
                EspIntegrity.HMAC_SHA2_384_192, EspIntegrity.HMAC_SHA2_512_256);
        assertThat(d.ikeLifetimeMax()).isEqualTo(Duration.ofHours(24));
        assertThat(d.childLifetimeMax()).isEqualTo(Duration.ofHours(8));
        assertThat(d.halfOpenLimit()).isEqualTo(1024);
        assertThat(d.halfOpenTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.newSasPerSourcePerSecond()).isEqualTo(5);
        assertThat(d.pskAuth()).isTrue();
        assertThat(d.psk()).hasValueSatisfying(k -> assertThat(new String(k)).isEqualTo("a-long-enough-pre-shared-key"));

        IkeSettings mixed = ConfigLoader.load(write(base + """
                  legacy:
                    3des: true
                    modp1024: true
                  ike:
                    encryption: [3des, AES128]
                    groups: [modp1024, ecp384]
                  esp:
                    encryption: [aes128gcm16, 3des, aes256, aes192]
                    integrity: [sha512]
                """)).ipsec().ike().orElseThrow();
        assertThat(mixed.ikeAesKeyBits()).containsExactly(128);
        assertThat(mixed.legacy3des()).isTrue();
        assertThat(mixed.allowedGroups()).containsExactly(DhGroup.MODP1024, DhGroup.ECP384);
        assertThat(mixed.allowedEspCiphers()).containsExactly(EspCipher.AES_CBC, EspCipher.AES_GCM_16, EspCipher.TRIPLE_DES_CBC);
        assertThat(mixed.espAesKeyBits()).containsExactly(256, 192, 128);
        assertThat(mixed.espIntegrity()).containsExactly(EspIntegrity.HMAC_SHA2_512_256);

        Path twice = write(base + "  esp:\n    encryption: [aes256, AES256]\n    integrity: []\n");
        assertThatThrownBy(() -> ConfigLoader.load(twice)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).endsWith("ipsec.esp.encryption: \"AES256\" is listed twice"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).endsWith("ipsec.esp.integrity: at least one algorithm is required"));
        });
        assertThat(ConfigLoader.load(write(MINIMAL)).ipsec().ike()).as("no key, no certificate: IPsec off").isEmpty();
    }

    @Test
    void localIdIsAnIpv4AddressOrADnsName() throws Exception {
        String base = MINIMAL + "ipsec:\n  psk: a-long-enough-pre-shared-key\n";
        assertThat(localId(base)).isEmpty();
        assertThat(localId(base + "  local-id: 203.0.113.10\n")).contains("203.0.113.10");
        assertThat(localId(base + "  local-id: vpn.example.com\n")).contains("vpn.example.com");
        for (String bad : new String[] {"300.1.1.1", "vpn corp", "-vpn.example.com", "vpn..example.com"}) {
            assertThatThrownBy(() -> ConfigLoader.load(write(base + "  local-id: \"" + bad + "\"\n")))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                            .satisfies(p -> assertThat(p).contains("ipsec.local-id: must be an IPv4 address").contains(bad)));
        }
    }

    private Optional<String> localId(String yaml) throws Exception {
        return ConfigLoader.load(write(yaml)).ipsec().ike().orElseThrow().localId();
    }

    private static final Path CERTS = Path.of("../dataplane/src/test/resources/ike/certs").toAbsolutePath().normalize();

    @Test
    void certificateAuthenticationLoadsAndChecksItsFiles() throws Exception {
        ConcentratorConfig c = ConfigLoader.load(write(MINIMAL.replace("require-ipsec: false", "require-ipsec: true") + """
                ipsec:
                  certificate:
                    chain-file: %1$s/server.crt.pem
                    key-file: %1$s/server.key.pem
                    ca-file: %1$s/ca.crt.pem
                """.formatted(CERTS)));
        IkeSettings ike = c.ipsec().ike().orElseThrow();
        assertThat(ike.psk()).isEmpty();
        assertThat(ike.pskAuth()).isFalse();
        assertThat(ike.certificates()).hasValueSatisfying(a ->
                assertThat(a.certificate().getSubjectX500Principal().getName()).contains("CN=vpn.l2sec.test"));
        assertThat(ike.fragmentation().enabled()).isTrue();

        Path wrongKey = write(MINIMAL + """
                ipsec:
                  psk: a-long-enough-pre-shared-key
                  certificate:
                    chain-file: %1$s/server.crt.pem
                    key-file: %1$s/client.key.pem
                    ca-file: %1$s/missing-ca.pem
                    peer-id: anything
                """.formatted(CERTS));
        assertThatThrownBy(() -> ConfigLoader.load(wrongKey)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.certificate.ca-file:").contains("missing-ca.pem"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.certificate.peer-id: must be"));
            assertThat(e.getMessage()).doesNotContain("PRIVATE KEY");
        });

        Path mismatch = write(MINIMAL + """
                ipsec:
                  certificate:
                    chain-file: %1$s/server.crt.pem
                    key-file: %1$s/client.key.pem
                    ca-file: %1$s/ca.crt.pem
                """.formatted(CERTS));
        assertThatThrownBy(() -> ConfigLoader.load(mismatch)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ipsec.certificate.key-file: does not belong to the first certificate");
    }

    @Test
    void ikev2IsOnWheneverIpsecIsAndItsSectionIsChecked() throws Exception {
        String base = MINIMAL + "ipsec:\n  psk: a-long-enough-pre-shared-key\n";
        ConcentratorConfig.Ipsec d = ConfigLoader.load(write(base)).ipsec();
        assertThat(d.ikev2()).isEqualTo(Ikev2Settings.defaults());
        assertThat(d.ikev2().enabled()).isTrue();
        assertThat(d.ikev2Enabled()).isTrue();
        assertThat(ConfigLoader.load(write(MINIMAL)).ipsec().ikev2Enabled()).as("no key, no certificate: IPsec off").isFalse();

        ConcentratorConfig.Ipsec set = ConfigLoader.load(write(base + """
                  ikev2:
                    enabled: false
                    cookie-threshold: 0
                    mobike: false
                    auth-timeout: 90s
                """)).ipsec();
        assertThat(set.ikev2()).isEqualTo(new Ikev2Settings(false, 0, false, Duration.ofSeconds(90)));
        assertThat(set.ikev2Enabled()).isFalse();
        assertThat(set.ike()).as("IKEv1 stays on").isPresent();

        Path bad = write(base + """
                  ikev2:
                    enabled: "yes"
                    cookie-threshold: -1
                    mobike: 3
                    auth-timeout: 1s
                    eap: mschapv2
                """);
        assertThatThrownBy(() -> ConfigLoader.load(bad)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.enabled: must be true or false"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.cookie-threshold:"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.mobike: must be true or false"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.auth-timeout: must be between"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ipsec.ikev2").contains("eap"));
        });
    }

    @Test
    void ikev2ClientAuthenticationIsEapUnlessTheOperatorAddsPskOrCertificates() throws Exception {
        String psk = MINIMAL + "ipsec:\n  psk: a-long-enough-pre-shared-key\n";
        assertThat(ConfigLoader.load(write(psk)).ipsec().ikev2().clientAuth()).containsExactly(Ikev2Settings.ClientAuth.EAP);

        String withCerts = psk + """
                  certificate:
                    chain-file: %1$s/server.crt.pem
                    key-file: %1$s/server.key.pem
                    ca-file: %1$s/ca.crt.pem
                """.formatted(CERTS);
        Ikev2Settings all = ConfigLoader.load(write(withCerts + """
                  ikev2:
                    client-auth: [eap, psk, certificate]
                """)).ipsec().ikev2();
        assertThat(all.clientAuth()).containsExactlyInAnyOrder(Ikev2Settings.ClientAuth.values());
        assertThat(all.eapOnly()).isFalse();

        Path noCas = write(psk + """
                  ikev2:
                    client-auth: [certificate, fido]
                    eap-only: true
                """);
        assertThatThrownBy(() -> ConfigLoader.load(noCas)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.client-auth: unknown method \"fido\""));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.client-auth: certificate needs the CAs"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.ikev2.eap-only: EAP-only authentication needs eap"));
        });
        assertThat(ConfigLoader.load(write(psk + """
                  ikev2:
                    client-auth: [eap, psk]
                    eap-only: true
                """)).ipsec().ikev2().eapOnly()).isTrue();
    }

    @Test
    void anEcCertificateOrOneWithoutClientCasServesIkev2() throws Exception {
        ConcentratorConfig ec = ConfigLoader.load(write(MINIMAL.replace("require-ipsec: false", "require-ipsec: true") + """
                ipsec:
                  psk: a-long-enough-pre-shared-key
                  certificate:
                    chain-file: %1$s/server-ec.crt.pem
                    key-file: %1$s/server-ec.sec1.key.pem
                """.formatted(CERTS)));
        IkeSettings ike = ec.ipsec().ike().orElseThrow();
        assertThat(ike.certificates()).hasValueSatisfying(a -> {
            assertThat(a.rsa()).isFalse();
            assertThat(a.trustAnchors()).as("ca-file is optional").isEmpty();
            assertThat(a.certificate().getSubjectX500Principal().getName()).contains("CN=vpn-ec.l2sec.test");
        });
        assertThat(ike.ikev1Certificates()).as("IKEv1: PSK only").isEmpty();
        assertThat(ike.pskAuth()).isTrue();

        IkeSettings rsaNoCas = ConfigLoader.load(write(MINIMAL + """
                ipsec:
                  certificate:
                    chain-file: %1$s/server.crt.pem
                    key-file: %1$s/server.pkcs8.key.pem
                """.formatted(CERTS))).ipsec().ike().orElseThrow();
        assertThat(rsaNoCas.certificates()).isPresent();
        assertThat(rsaNoCas.ikev1Certificates()).isEmpty();

        Path ikev2Off = write(MINIMAL + """
                ipsec:
                  certificate:
                    chain-file: %1$s/server-ec.crt.pem
                    key-file: %1$s/server-ec.key.pem
                    ca-file: %1$s/ca.crt.pem
                  ikev2:
                    enabled: false
                """.formatted(CERTS));
        assertThatThrownBy(() -> ConfigLoader.load(ikev2Off)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.certificate: serves IKEv2 only")
                        .contains("an EC key").contains("ipsec.ikev2.enabled is false")));

        Path mismatch = write(MINIMAL + """
                ipsec:
                  certificate:
                    chain-file: %1$s/server-ec.crt.pem
                    key-file: %1$s/server.key.pem
                """.formatted(CERTS));
        assertThatThrownBy(() -> ConfigLoader.load(mismatch)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: ipsec.certificate.key-file: does not belong "
                        + "to the first certificate of").contains("server-ec.crt.pem")));
    }

    @Test
    void adminInterfaceIsLoopbackOnlyAndNeedsAToken() throws Exception {
        assertThat(ConfigLoader.load(write(MINIMAL)).admin().enabled()).isFalse();
        Path publicListen = write(MINIMAL + """
                admin:
                  listen: 0.0.0.0:9118
                  token-file: missing.token
                """);
        assertThatThrownBy(() -> ConfigLoader.load(publicListen)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: admin.listen: must be a loopback address"));
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("c.yaml: admin.token-file: cannot read"));
        });
        assertThatThrownBy(() -> ConfigLoader.load(write(MINIMAL + "admin:\n  enabled: true\n"))).isInstanceOfSatisfying(
                ConfigException.class, e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("admin.token-file: is required")));
        PrivateFiles.write(dir.resolve("admin.token"), "0123456789abcdef0123\n");
        ConcentratorConfig c = ConfigLoader.load(write(MINIMAL + """
                admin:
                  listen: 127.0.0.1:19118
                  token-file: admin.token
                """));
        assertThat(c.admin().listen()).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 19118));
        assertThat(c.admin().tokenFile()).isEqualTo(dir.resolve("admin.token").toAbsolutePath());
        assertThat(c.admin().toString()).doesNotContain("0123456789abcdef");
        assertThat(ConfigLoader.load(write(MINIMAL + "admin:\n  enabled: false\n  token-file: admin.token\n")).admin().enabled()).isFalse();
    }

    @Test
    void invalidYamlNamesTheLine() throws Exception {
        Path f = write("l2tp:\n  listen: [\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class).hasMessageContaining("line ");
    }

    @Test
    void yaml12KeepsNoAsAString() throws Exception {
        Path f = write(MINIMAL.replace("require-ipsec: false", "require-ipsec: no"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("l2tp.require-ipsec: must be true or false");
    }

    @Test
    void mssClampIsAutoOffOrANumber() throws Exception {
        for (var v : java.util.Map.of("off", net.l2sec.dataplane.ppp.PppSettings.MssClamp.off(),
                "1300", net.l2sec.dataplane.ppp.PppSettings.MssClamp.fixed(1300),
                "auto", net.l2sec.dataplane.ppp.PppSettings.MssClamp.auto(1400)).entrySet()) {
            ConcentratorConfig c = ConfigLoader.load(write(MINIMAL + "ppp:\n  mss-clamp: " + v.getKey() + "\n"));
            assertThat(c.ppp().mssClamp()).isEqualTo(v.getValue());
        }
    }
}
