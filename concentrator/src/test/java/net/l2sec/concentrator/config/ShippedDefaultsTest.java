package net.l2sec.concentrator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.concentrator.PrivateFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/concentrator.yaml shows every key with its default, and the code states each default once: the two must
 * agree. The shipped file is loaded beside a minimal one that holds only what has no default; every setting they
 * produce must be equal (settings compare by value). Changing a default on either side alone fails here.
 */
class ShippedDefaultsTest {
    private static final Path SHIPPED = Path.of("../conf/concentrator.yaml");

    /** What has no default: the pools, a user store, a pre-shared key, and the admin token (the section turns it on). */
    private static final String MINIMAL = """
            pools:
              - name: default
                range: 10.99.0.10-10.99.0.250
            aaa:
              local:
                users-file: users
            ipsec:
              psk-file: ipsec.psk
            admin:
              token-file: admin.token
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        PrivateFiles.restrict(Files.copy(Path.of("../conf/users"), dir.resolve("users")));
        PrivateFiles.write(dir.resolve("ipsec.psk"), "0123456789abcdef0123456789\n");
        PrivateFiles.write(dir.resolve("admin.token"), "abcdefghijklmnopqrstuvwxyz012345\n");
        PrivateFiles.write(dir.resolve("radius-nps1.secret"), "radius-secret-0123456789\n");
        PrivateFiles.write(dir.resolve("radius-nps2.secret"), "radius-secret-9876543210\n");
        PrivateFiles.write(dir.resolve("ldap-bind.password"), "bind-password\n");
        Files.writeString(dir.resolve("corp-ca.pem"), "");
    }

    private ConcentratorConfig load(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    private static void assertSameSettings(ConcentratorConfig shipped, ConcentratorConfig minimal) {
        assertThat(shipped.l2tp()).as("l2tp").isEqualTo(minimal.l2tp());
        assertThat(shipped.ppp()).as("ppp").isEqualTo(minimal.ppp());
        assertThat(shipped.tun()).as("tunnel-interface").isEqualTo(minimal.tun());
        assertThat(shipped.pools()).as("pools").isEqualTo(minimal.pools());
        assertThat(shipped.aaa()).as("aaa").isEqualTo(minimal.aaa());
        assertThat(shipped.metrics()).as("metrics").isEqualTo(minimal.metrics());
        assertThat(shipped.ipsec()).as("ipsec").isEqualTo(minimal.ipsec());
        assertThat(shipped.logging()).as("logging").isEqualTo(minimal.logging());
        assertThat(shipped.admin()).as("admin").isEqualTo(minimal.admin());
    }

    @Test
    void theShippedFileShowsTheCodesDefaults() throws Exception {
        String shipped = Files.readString(SHIPPED);
        assertSameSettings(load("shipped.yaml", shipped), load("minimal.yaml", MINIMAL));

        // the comparison notices a default that moved on one side only
        ConcentratorConfig changed = load("changed.yaml", shipped.replace("  mtu: 1400\n", "  mtu: 1380\n"));
        assertThat(changed.tun()).isNotEqualTo(load("minimal.yaml", MINIMAL).tun());
    }

    /** The RADIUS and LDAP examples, commented out in the shipped file, show those sections' defaults. */
    @Test
    void theCommentedRadiusAndLdapExamplesShowTheCodesDefaults() throws Exception {
        String shipped = Files.readString(SHIPPED);
        String examples = uncommented(shipped, "  # radius:") + uncommented(shipped, "  # ldap:");
        ConcentratorConfig documented = load("examples.yaml", MINIMAL.replace("aaa:\n", "aaa:\n" + examples));
        ConcentratorConfig minimal = load("minimal-aaa.yaml", MINIMAL.replace("aaa:\n", "aaa:\n" + """
                  radius:
                    servers:
                      - name: nps1
                        address: 10.0.0.5:1812
                        secret-file: radius-nps1.secret
                      - name: nps2
                        address: 10.0.0.6:1812
                        secret-file: radius-nps2.secret
                    dynamic-authorization:
                      clients:
                        - address: 10.0.0.5
                          secret-file: radius-nps1.secret
                  ldap:
                    urls: [ldaps://dc1.corp.example.com, ldaps://dc2.corp.example.com]
                    ca-file: corp-ca.pem
                    bind-dn: CN=svc-vpn,OU=Service Accounts,DC=corp,DC=example,DC=com
                    bind-password-file: ldap-bind.password
                    base-dn: DC=corp,DC=example,DC=com
                """));
        assertThat(documented.aaa().radius()).isPresent();
        assertThat(documented.aaa().ldap()).isPresent();
        assertSameSettings(documented, minimal);
    }

    /** The commented block that starts with {@code firstLine}, up to the next blank line, with its comment marks removed. */
    private static String uncommented(String yaml, String firstLine) {
        List<String> lines = yaml.lines().toList();
        int start = lines.indexOf(firstLine);
        assertThat(start).as(firstLine).isNotNegative();
        List<String> block = new ArrayList<>();
        for (int i = start; i < lines.size() && !lines.get(i).isBlank(); i++) {
            block.add(lines.get(i).replaceFirst("^( *)# ", "$1"));
        }
        return String.join("\n", block) + "\n";
    }
}
