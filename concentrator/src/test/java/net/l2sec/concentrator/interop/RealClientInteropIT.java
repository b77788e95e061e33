package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end with a REAL Linux client (Debian's xl2tpd + pppd 2.4.9 in a qemu VM, from ../shared/interop) against
 * the built concentrator jar. Both run inside a network namespace this test creates: the concentrator's TUN
 * device, addresses and routes never touch the host, and the VM's slirp NAT reaches the namespace's loopback.
 *
 * <p>Needs root and the interop harness (its setup.sh run once). Without them the test is skipped, unless
 * {@code -Dl2sec.interop.required=true} (set by scripts/test.sh in CI) turns that into a failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClientInteropIT {
    private static final Pattern RESULT = Pattern.compile("^RESULT .*$", Pattern.MULTILINE);
    private static final boolean REQUIRED = Boolean.getBoolean("l2sec.interop.required");
    private static final int METRICS_PORT = 9117;

    private static String ns;
    private static Path work;
    private static Path interop;
    private static Process concentrator;
    private static Path concentratorLog;
    private static Path jar;
    private static int starts;

    @BeforeAll
    static void startConcentratorInNamespace() throws Exception {
        Path repo = Path.of(System.getProperty("l2sec.repo.dir", "..")).toAbsolutePath().normalize();
        interop = Path.of(System.getProperty("l2sec.interop.dir", repo.resolve("../shared/interop").toString())).normalize();
        jar = repo.resolve("concentrator/target/l2sec-concentrator.jar");
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean harness = Files.isExecutable(interop.resolve("client.sh"))
                && Files.exists(Path.of(System.getenv().getOrDefault("CACHE", "/var/cache/l2tp-interop"), "initrd.gz"));
        String why = !root ? "needs root" : !harness ? "interop harness not set up at " + interop : !Files.exists(jar) ? "no jar at " + jar : null;
        if (why != null) {
            if (REQUIRED) throw new IllegalStateException("interop test required but " + why);
            assumeTrue(false, why);
        }
        ns = "l2sec-iop-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        work = Files.createTempDirectory("l2sec-iop");
        Files.writeString(work.resolve("users"), """
                # interop test users: CHAP-MD5 and EAP-MD5 need the cleartext form
                alice plain:password
                """);
        startConcentrator(jar, "[mschapv2, eap-mschapv2, chap, pap]");
    }

    /** (Re)starts the concentrator in the namespace with the given ppp.auth-methods. */
    private static void startConcentrator(Path jar, String authMethods) throws Exception {
        stopConcentrator();
        Files.writeString(work.resolve("concentrator.yaml"), """
                server:
                  name: l2sec-iop
                l2tp:
                  listen: 0.0.0.0:1701
                  require-ipsec: false
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                  mtu: 1400
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                ppp:
                  auth-methods: %s
                  dns: [10.99.0.53, 10.99.0.54]
                  echo-interval: 10s
                aaa:
                  local:
                    users-file: users
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(authMethods, METRICS_PORT));
        concentratorLog = work.resolve("concentrator-" + (++starts) + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        concentrator = new ProcessBuilder("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                "-Dio.netty.leakDetection.level=PARANOID", "-jar", jar.toString(), "run", work.resolve("concentrator.yaml").toString())
                .redirectErrorStream(true).redirectOutput(concentratorLog.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (!log().contains("concentrator ready")) {
            if (!concentrator.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("concentrator did not start:\n" + log());
            }
            Thread.sleep(200);
        }
    }

    private static void stopConcentrator() throws Exception {
        if (concentrator == null) return;
        concentrator.destroy();
        if (!concentrator.waitFor(15, TimeUnit.SECONDS)) concentrator.destroyForcibly();
        concentrator = null;
        System.out.println("----- concentrator log\n" + log());
        assertThat(log()).as("Netty leak detector").doesNotContain("LEAK:");
        assertThat(log()).as("clean shutdown").contains("concentrator stopped");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            stopConcentrator();
        } finally {
            if (ns != null) run("ip", "netns", "del", ns);
        }
    }

    @Test
    @Order(1)
    void msChapV2ConnectsGetsAddressAndDnsAndPings() throws Exception {
        String r = client("mschapv2", "password", "up");
        assertThat(r).contains("l2tp=up", "ppp=up", "peer_ip=10.99.0.1", "dns=10.99.0.53,10.99.0.54", "ping=3/3");
        assertThat(r).containsPattern("local_ip=10\\.99\\.0\\.(1\\d|[2-4]\\d|50) ");
        assertThat(metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"mschapv2\"[^}]*result=\"accept\"[^}]*} [1-9]");
    }

    @Test
    @Order(2)
    void papConnects() throws Exception {
        assertThat(client("pap", "password", "up")).contains("ppp=up", "ping=3/3");
    }

    @Test
    @Order(3)
    void chapConnects() throws Exception {
        assertThat(client("chap", "password", "up")).contains("ppp=up", "ping=3/3");
    }

    @Test
    @Order(4)
    void eapMsChapV2Connects() throws Exception {
        // pppd 2.4.9 as built by Debian answers EAP-MSCHAPv2 (type 26), which we offer first
        assertThat(client("eap", "password", "up")).contains("ppp=up", "ping=3/3");
        assertThat(metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"eap-mschapv2\"[^}]*result=\"accept\"[^}]*} [1-9]");
    }

    @Test
    @Order(5)
    void wrongPasswordIsRefusedWithReasonInMetricsAndLog() throws Exception {
        String r = client("mschapv2", "wrong-password", "down");
        assertThat(r).contains("ppp=fail");
        assertThat(metrics()).containsPattern(
                "l2sec_ppp_auth_total\\{[^}]*method=\"mschapv2\"[^}]*reason=\"bad_credentials\"[^}]*result=\"reject\"[^}]*} [1-9]");
        assertThat(log()).containsPattern("auth failed method=mschapv2 user=alice reason=bad_credentials");
        assertThat(log()).doesNotContain("wrong-password");
    }

    @Test
    @Order(6)
    void eapMd5ConnectsWhenItIsTheOnlyEapMethod() throws Exception {
        startConcentrator(jar, "[eap-md5]");
        assertThat(client("eap", "password", "up")).contains("ppp=up", "ping=3/3");
        assertThat(metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"eap-md5\"[^}]*result=\"accept\"[^}]*} [1-9]");
    }

    private static String client(String auth, String password, String expect) throws Exception {
        List<String> cmd = List.of("ip", "netns", "exec", ns, interop.resolve("client.sh").toString(), "--mode", "noipsec",
                "--auth", auth, "--user", "alice", "--password", password, "--expect", expect, "--wait", "40");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        System.out.println("----- client.sh --auth " + auth + " (exit " + rc + ")\n" + out);
        Matcher m = RESULT.matcher(out);
        String last = null;
        while (m.find()) last = m.group();
        assertThat(last).as("RESULT line from client.sh:\n" + out).isNotNull();
        assertThat(rc).as("client.sh exit status (--expect " + expect + "):\n" + out).isZero();
        return last;
    }

    private static String metrics() throws Exception {
        return run("ip", "netns", "exec", ns, "curl", "-sf", "http://127.0.0.1:" + METRICS_PORT + "/metrics");
    }

    private static String log() {
        try {
            return Files.readString(concentratorLog);
        } catch (IOException e) {
            return "";
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
