package net.l2sec.concentrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.concentrator.PrivateFiles;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ip.nd.RouterPreference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tunnel-interface.address6}, {@code pools6} and the {@code ppp} IPv6 keys: IPv6 is off until a pool is configured. */
class Ipv6ConfigTest {
    @TempDir
    Path dir;

    private static final String BASE = """
            l2tp:
              require-ipsec: false
            tunnel-interface:
              address: 10.99.0.1/24
            %s
            pools:
              - name: default
                range: 10.99.0.10-10.99.0.20
            %s
            ppp:
              echo-interval: 30s
            %s
            aaa:
              local:
                users-file: users
            """;

    private Path write(String tun, String pools6, String ppp) throws IOException {
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, BASE.formatted(tun.indent(2), pools6, ppp.indent(2)));
        return f;
    }

    private static final String POOLS6 = """
            pools6:
              - name: default6
                prefix: 2001:db8:99::/48
            """;

    private List<String> problems(Path f) {
        try {
            ConfigLoader.load(f);
        } catch (ConfigException e) {
            return e.problems();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("config accepted: " + f);
    }

    @Test
    void withoutPools6ClientsStayIpv4Only() throws Exception {
        ConcentratorConfig c = ConfigLoader.load(write("", "", ""));
        assertThat(c.pools6()).isEmpty();
        assertThat(c.ppp().ipv6().enabled()).isFalse();
        assertThat(c.tun().address6()).isEmpty();
    }

    @Test
    void aPoolTurnsIpv6On() throws Exception {
        ConcentratorConfig c = ConfigLoader.load(write("address6: 2001:db8:99::1/48", POOLS6,
                "dns6: [2001:db8:99::53, 2001:db8:98::53]\nrouter-advertisement-interval: 200s\nrouter-preference: medium"));
        assertThat(c.tun().address6()).contains((java.net.Inet6Address) InetAddress.getByName("2001:db8:99::1"));
        assertThat(c.tun().prefixLength6()).isEqualTo(48);
        assertThat(c.pools6()).containsExactly(new ConcentratorConfig.Pool6("default6", new Ipv6Prefix(0x2001_0db8_0099_0000L, 48)));
        assertThat(c.ppp().ipv6().pool()).contains("default6");
        assertThat(c.ppp().ipv6().dns()).hasSize(2);
        assertThat(c.ppp().ipv6().maxRtrAdvInterval()).isEqualTo(Duration.ofSeconds(200));
        assertThat(c.ppp().ipv6().routerPreference()).isEqualTo(RouterPreference.MEDIUM);
        assertThat(ConfigLoader.load(write("address6: 2001:db8:99::1/48", POOLS6, "")).ppp().ipv6().routerPreference())
                .isEqualTo(RouterPreference.HIGH);
    }

    @Test
    void badIpv6SettingsAreRefusedWithKeyAndReason() throws Exception {
        Path f = write("", POOLS6, "");
        assertThat(problems(f)).anySatisfy(p -> assertThat(p).isEqualTo(f + ": tunnel-interface.address6: is required with pools6: "
                + "the concentrator's IPv6 tunnel-side address with the prefix that covers the pools, such as 2001:db8:99::1/48"));
        assertThat(problems(write("address6: fe80::1/64", POOLS6, ""))).anySatisfy(p -> assertThat(p).contains("tunnel-interface.address6: must be"));
        assertThat(problems(write("address6: 2001:db8:99::1", POOLS6, ""))).anySatisfy(p -> assertThat(p).contains("tunnel-interface.address6: must be"));
        assertThat(problems(write("address6: 2001:db8:98::1/48", POOLS6, "")))
                .anySatisfy(p -> assertThat(p).contains("pools6[0].prefix: must lie inside tunnel-interface.address6 2001:db8:98::1/48"));
        assertThat(problems(write("address6: 2001:db8:99::1/48", POOLS6.replace("/48", "/64"), "")))
                .anySatisfy(p -> assertThat(p).contains("pools6[0].prefix: must be an IPv6 prefix of /32 to /63"));
        assertThat(problems(write("address6: 2001:db8:99::1/48", POOLS6.replace("2001:db8:99::/48", "2001:db8:99::1/48"), "")))
                .anySatisfy(p -> assertThat(p).contains("pools6[0].prefix: has bits set past /48"));
        assertThat(problems(write("address6: 2001:db8::1/32", POOLS6 + """
                  - name: other6
                    prefix: 2001:db8:99:8000::/49
                """, ""))).anySatisfy(p -> assertThat(p).contains("pools6[1].prefix: overlaps IPv6 pool \"default6\""));
        assertThat(problems(write("address6: 2001:db8:99::1/48", POOLS6, "pool6: nope")))
                .anySatisfy(p -> assertThat(p).contains("ppp.pool6: no IPv6 pool named \"nope\""));
        assertThat(problems(write("address6: 2001:db8:99::1/48", POOLS6, "dns6: [10.0.0.1]")))
                .anySatisfy(p -> assertThat(p).contains("ppp.dns6[0]: must be an IPv6 address"));
        assertThat(problems(write("address6: 2001:db8:99::1/48", POOLS6, "router-preference: highest")))
                .anySatisfy(p -> assertThat(p).contains("ppp.router-preference: must be high, medium or low"));
        assertThat(problems(write("address6: 2001:db8:99::1/48", POOLS6, "router-advertisement-interval: 2s")))
                .anySatisfy(p -> assertThat(p).contains("ppp.router-advertisement-interval: must be between"));
    }

    /** The IPv6 example in the shipped file, uncommented, is valid and means what it says. */
    @Test
    void theShippedIpv6ExampleIsValid() throws Exception {
        String shipped = Files.readString(Path.of("../conf/concentrator.yaml"))
                .replace("  # address6: 2001:db8:99::1/48", "  address6: 2001:db8:99::1/48")
                .replace("# pools6:\n#   - name: default6\n#     prefix: 2001:db8:99::/48", "pools6:\n  - name: default6\n    prefix: 2001:db8:99::/48")
                .replace("  # pool6: default6\n  # dns6: [2001:db8:99::53]\n  # router-advertisement-interval: 600s\n  # router-preference: high",
                        "  pool6: default6\n  dns6: [2001:db8:99::53]\n  router-advertisement-interval: 600s\n  router-preference: high")
                .replace("require-ipsec: true", "require-ipsec: false");
        assertThat(shipped).contains("\npools6:\n", "  address6: 2001", "  dns6: [");
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        Path f = dir.resolve("shipped.yaml");
        Files.writeString(f, shipped);
        List<String> problems = List.of();
        try {
            ConcentratorConfig c = ConfigLoader.load(f);
            assertThat(c.ppp().ipv6().pool()).isEqualTo(Optional.of("default6"));
            assertThat(c.pools6()).hasSize(1);
        } catch (ConfigException e) {
            problems = e.problems();
        }
        assertThat(problems).noneMatch(p -> p.matches(".*(address6|pools6|pool6|dns6|router-advertisement|router-preference).*"));
    }
}
