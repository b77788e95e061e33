package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.ops.MetricsCatalogue;
import net.l2sec.ops.OpsArtifacts;
import net.l2sec.ops.PromQl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The monitoring contract against the running concentrator jar: after one real client session (and one refused
 * login, one Disconnect-Request, and an unreachable RADIUS accounting server), its live exposition passes
 * {@code promtool check metrics}; every metric family in it is documented in ops/METRICS.md and every documented
 * one is in it (or listed below as needing traffic this test does not make); every metric the Grafana dashboard
 * and the alert rules query is in it; promtool accepts the rules and the dashboard's expressions; and a REAL
 * Prometheus (Debian's package) scrapes the concentrator, answers queries for session metrics and evaluates every
 * alert rule without error.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusScrapeIT {
    private static final String PSK = "interop-psk-0123456789";
    private static final String RADIUS_SECRET = "radius-secret-0123456789";
    private static final int PROMETHEUS_PORT = 19090;
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    /**
     * Documented families this test's traffic does not produce, and why. Each must be marked *After traffic* (or
     * *After the first GC*) in METRICS.md; their names are checked against the sources by MetricsCatalogueTest.
     */
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final Map<String, String> NOT_PRODUCED_HERE = Map.ofEntries(
            Map.entry("l2sec_ike_dpd_timeouts_total", "needs a client that stops answering DPD"),
            Map.entry("l2sec_ike_rekeys_total", "needs a session outliving an SA lifetime"),
            Map.entry("l2sec_ike_retransmits_total", "needs loss towards the client"),
            Map.entry("l2sec_l2tp_tunnels_failed_total", "needs a tunnel that fails during setup"),
            Map.entry("l2sec_l2tp_sessions_failed_total", "needs an L2TP call that fails before ICCN"),
            Map.entry("l2sec_ppp_packets_dropped_total", "needs malformed PPP frames"),
            Map.entry("l2sec_ppp_ip_dropped_total", "needs spoofed or early IP packets from a client"),
            Map.entry("l2sec_ppp_nd_router_advertisements_total", "needs pools6 and an IPv6 client (RealClientIpv6IT)"),
            Map.entry("l2sec_pool6_prefixes", "registered only with pools6 (RealClientIpv6IT)"),
            Map.entry("l2sec_aaa_radius_invalid_responses_total", "needs a RADIUS server answering with a wrong secret"),
            Map.entry("l2sec_l2tp_tunnels_closed_total", "the VM is switched off: the tunnel may still be timing out"),
            Map.entry("l2sec_l2tp_sessions_closed_total", "the VM is switched off: the session may still be timing out"),
            Map.entry("jvm_gc_pause_seconds", "after the first garbage collection"),
            Map.entry("jvm_gc_pause_seconds_max", "after the first garbage collection"),
            Map.entry("jvm_gc_concurrent_phase_time_seconds", "concurrent collectors only, after the first collection"),
            Map.entry("jvm_gc_concurrent_phase_time_seconds_max", "concurrent collectors only, after the first collection"));
    /** Series Prometheus makes itself for every target. */
    private static final Set<String> SYNTHETIC = Set.of("up");

    private static ConcentratorInNamespace lab;
    private static MetricsCatalogue catalogue;
    private static Process prometheus;
    private static Path prometheusLog;
    private static String scrape;

    @BeforeAll
    static void start() throws Exception {
        boolean tools = Files.isExecutable(Path.of("/usr/bin/promtool")) && Files.isExecutable(Path.of("/usr/bin/prometheus"));
        if (!tools) {
            if (Boolean.getBoolean("l2sec.interop.required")) {
                throw new IllegalStateException("prometheus/promtool missing (Debian package prometheus)");
            }
            assumeTrue(false, "prometheus/promtool missing (Debian package prometheus)");
        }
        catalogue = MetricsCatalogue.load(MetricsCatalogue.repoRoot().resolve("ops/METRICS.md"));
        lab = ConcentratorInNamespace.create("prom");
        lab.file("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.file("ipsec.psk", PSK + "\n");
        lab.file("radius.secret", RADIUS_SECRET + "\n");
        lab.file("admin.token", ADMIN_TOKEN + "\n");
        // RADIUS is configured but nobody listens: the servers are marked dead, accounting records stay spooled, so
        // the AAA health and spool metrics the alerts use exist and move; logins go to the local users
        lab.start("""
                server:
                  name: l2sec-prom
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                ppp:
                  echo-interval: 3s     # the client VM is switched off, not hung up: LCP echo notices
                aaa:
                  local:
                    users-file: users
                  radius:
                    servers:
                      - name: rad1
                        address: 127.0.0.1:18300
                        accounting-address: 127.0.0.1:18301
                        secret-file: radius.secret
                    timeout: 1s
                    accounting:
                      interim-interval: 0s
                      spool-dir: spool
                    dynamic-authorization:
                      listen: 127.0.0.1:3799
                      clients:
                        - address: 127.0.0.1
                          secret-file: radius.secret
                  methods:
                    mschapv2: [local]
                    eap: [local]
                  policy:
                    rules:
                      - name: staff
                        groups: [VPN-Users]
                        action: allow
                    default: allow
                ipsec:
                  psk-file: ipsec.psk
                  legacy:
                    modp1024: true   # the harness's default proposals are Windows' legacy ones
                admin:
                  listen: 127.0.0.1:9118
                  token-file: admin.token
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(ConcentratorInNamespace.METRICS_PORT));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(15, TimeUnit.SECONDS)) prometheus.destroyForcibly();
                System.out.println("----- prometheus log\n" + Files.readString(prometheusLog));
            }
        } finally {
            if (lab != null) lab.close();
        }
    }

    @Test
    @Order(1)
    void oneSessionOneRefusedLoginAndADisconnectRequest() throws Exception {
        String dynauth = lab.exec("sh", "-c", "echo 'User-Name=nobody' | radclient -r 1 -t 2 127.0.0.1:3799 disconnect "
                + RADIUS_SECRET + " || true");
        System.out.println("----- radclient\n" + dynauth);
        System.out.println("----- admin status\n" + lab.exec("curl", "-sf", "-H", "Authorization: Bearer " + ADMIN_TOKEN,
                "http://127.0.0.1:9118/status"));

        String ok = lab.client("--mode", "ipsec", "--psk", PSK, "--auth", "mschapv2", "--user", "alice", "--password",
                "password", "--wait", "45").result();
        assertThat(ok).contains("ike=up", "l2tp=up", "ppp=up", "ping=3/3");
        String refused = lab.client("--mode", "ipsec", "--psk", PSK, "--auth", "mschapv2", "--user", "alice", "--password",
                "not-the-password", "--expect", "down", "--wait", "30").result();
        assertThat(refused).contains("ike=up", "ppp=fail");

        // the first session ends when its LCP echoes go unanswered (the VM is switched off)
        Instant deadline = Instant.now().plusSeconds(90);
        while (!lab.metrics().contains("l2sec_sessions_ended_total{")) {
            assertThat(Instant.now()).as("session end counted within 90 s").isBefore(deadline);
            Thread.sleep(500);
        }
        scrape = lab.metrics();
        assertThat(scrape).containsPattern("l2sec_sessions_ended_total\\{cause=\"lost_carrier\",protocol=\"l2tp\",rule=\"default\"} 1");
        assertThat(scrape).containsPattern("l2sec_sessions_duration_seconds_count\\{protocol=\"l2tp\",rule=\"default\"} 1");
        assertThat(scrape).contains("l2sec_sessions_established{protocol=\"l2tp\",rule=\"default\"} 0",
                "l2sec_sessions_established{protocol=\"l2tp\",rule=\"staff\"} 0",
                "l2sec_sessions_established{protocol=\"ikev2\",rule=\"default\"} 0");
        assertThat(scrape).containsPattern("l2sec_ppp_auth_total\\{[^}]*reason=\"bad_credentials\"[^}]*result=\"reject\"[^}]*} [1-9]");
        assertThat(scrape).containsPattern("l2sec_aaa_rejects_total\\{backend=\"local\",reason=\"bad_credentials\"} [1-9]");
        assertThat(scrape).containsPattern("l2sec_ppp_sessions_failed_total\\{reason=\"auth_failed\"} [1-9]");
        assertThat(scrape).containsPattern("l2sec_radius_dynauth_requests_total\\{[^}]*type=\"disconnect\"} 1");
    }

    @Test
    @Order(2)
    void promtoolAcceptsTheLiveExposition() throws Exception {
        Path file = lab.work().resolve("scrape.prom");
        Files.writeString(file, scrape);
        String out = run(List.of("sh", "-c", "promtool check metrics < " + file));
        System.out.println("----- promtool check metrics\n" + out);
        assertThat(out).as("promtool lint findings").isBlank();
    }

    @Test
    @Order(3)
    void theCatalogueMatchesTheLiveExposition() {
        Map<String, String> types = familyTypes(scrape);
        assertThat(types).hasSizeGreaterThan(40);
        List<String> undocumented = new ArrayList<>();
        types.forEach((name, type) -> {
            var f = catalogue.families().get(name);
            if (f == null) undocumented.add(name + " (" + type + ")");
            else assertThat(f.type()).as("documented type of " + name).isEqualTo(type);
        });
        assertThat(undocumented).as("in the scrape but not in ops/METRICS.md").isEmpty();

        List<String> absent = new ArrayList<>();
        for (var f : catalogue.families().values()) {
            if (types.containsKey(f.name())) continue;
            if (NOT_PRODUCED_HERE.containsKey(f.name())) {
                assertThat(f.afterTraffic()).as(f.name() + " is allowed to be absent, so METRICS.md must mark it").isTrue();
            } else {
                absent.add(f.name());
            }
        }
        assertThat(absent).as("documented in ops/METRICS.md but not in the scrape (and not allow-listed)").isEmpty();
    }

    @Test
    @Order(4)
    void everyMetricTheDashboardAndTheAlertsQueryIsInTheScrape() throws Exception {
        Set<String> samples = sampleNames(scrape);
        List<OpsArtifacts.Expr> exprs = new ArrayList<>(OpsArtifacts.dashboardExprs());
        exprs.addAll(OpsArtifacts.alertExprs());
        List<String> missing = new ArrayList<>();
        for (OpsArtifacts.Expr e : exprs) {
            for (String name : PromQl.metricNames(e.expr())) {
                if (!SYNTHETIC.contains(name) && !samples.contains(name)) missing.add(e.origin() + ": " + name);
            }
        }
        assertThat(missing).as("queried but not in the live scrape").isEmpty();
    }

    @Test
    @Order(5)
    void promtoolAcceptsTheAlertRulesAndTheDashboardQueries() throws Exception {
        String rules = run(List.of("promtool", "check", "rules", OpsArtifacts.alertsFile().toString()));
        System.out.println("----- promtool check rules l2sec-alerts.yml\n" + rules);
        assertThat(rules).contains("SUCCESS");

        // the dashboard's expressions as recording rules: promtool parses every one of them
        StringBuilder y = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (OpsArtifacts.Expr e : OpsArtifacts.dashboardExprs()) {
            String expr = e.expr().replace("$instance", ".*");
            y.append("      - record: l2sec:dashboard_").append(i++).append("\n        expr: '")
                    .append(expr.replace("'", "''")).append("'\n");
        }
        Path file = lab.work().resolve("dashboard-rules.yml");
        Files.writeString(file, y);
        String out = run(List.of("promtool", "check", "rules", file.toString()));
        System.out.println("----- promtool check rules (dashboard expressions)\n" + out);
        assertThat(out).contains("SUCCESS: " + i + " rules found");
    }

    @Test
    @Order(6)
    void aRealPrometheusScrapesTheConcentratorAndAnswersForSessions() throws Exception {
        Path dir = lab.work().resolve("prometheus");
        Files.createDirectories(dir.resolve("data"));
        Files.copy(OpsArtifacts.alertsFile(), dir.resolve("l2sec-alerts.yml"));
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - l2sec-alerts.yml
                scrape_configs:
                  - job_name: l2sec
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(ConcentratorInNamespace.METRICS_PORT));
        prometheusLog = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder("ip", "netns", "exec", lab.namespace(), "prometheus",
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT)
                .redirectErrorStream(true).redirectOutput(prometheusLog.toFile()).start();

        JsonNode up = await("up{job=\"l2sec\"} == 1", r -> r.size() == 1);
        assertThat(up.get(0).path("metric").path("instance").asText()).isEqualTo("127.0.0.1:" + ConcentratorInNamespace.METRICS_PORT);

        JsonNode active = await("l2sec_ppp_sessions_active", r -> r.size() == 1);
        assertThat(active.get(0).path("value").get(1).asText()).isEqualTo("0");
        JsonNode byRule = await("l2sec_sessions_established", r -> r.size() == 4);   // two rules, two protocols
        assertThat(byRule.findValuesAsText("rule")).containsExactlyInAnyOrder("default", "staff", "default", "staff");
        assertThat(byRule.findValuesAsText("protocol")).containsExactlyInAnyOrder("l2tp", "l2tp", "ikev2", "ikev2");
        // the session this test made, as Prometheus stored it
        JsonNode established = await("sum(l2sec_l2tp_sessions_established_total)", r -> r.size() == 1);
        assertThat(Double.parseDouble(established.get(0).path("value").get(1).asText())).isGreaterThanOrEqualTo(1);
        JsonNode ended = await("l2sec_sessions_ended_total{cause=\"lost_carrier\"}", r -> r.size() == 1);
        assertThat(ended.get(0).path("metric").path("rule").asText()).isEqualTo("default");
        // the dead RADIUS server as the alert rule sees it
        await("l2sec_aaa_server_up{purpose=\"acct\",server=\"rad1\"} == 0", r -> r.size() == 1);

        // every alert rule evaluated without error against the real series
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            JsonNode groups = api("/api/v1/rules").path("data").path("groups");
            Map<String, String> health = new TreeMap<>();
            for (JsonNode g : groups) {
                for (JsonNode r : g.path("rules")) {
                    health.put(r.path("name").asText(), r.path("health").asText() + " " + r.path("lastError").asText(""));
                }
            }
            boolean allOk = health.size() == OpsArtifacts.alertRules().size()
                    && health.values().stream().allMatch(h -> h.startsWith("ok"));
            if (allOk) {
                System.out.println("----- prometheus rule health\n" + health);
                break;
            }
            assertThat(Instant.now()).as("rules evaluated: " + health).isBefore(deadline);
            Thread.sleep(500);
        }
    }

    /** Polls an instant query until its result satisfies {@code done} (30 s at most); returns the result vector. */
    private static JsonNode await(String query, Predicate<JsonNode> done) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
                last = answer;
                if (answer.path("status").asText().equals("success") && done.test(answer.path("data").path("result"))) {
                    System.out.println("----- prometheus " + query + "\n" + answer.path("data").path("result"));
                    return answer.path("data").path("result");
                }
            } catch (IllegalStateException notYet) {
                // Prometheus not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("prometheus query " + query + " did not give the expected result; last answer: " + last
                + "\n" + Files.readString(prometheusLog));
    }

    private static JsonNode api(String pathAndQuery) throws Exception {
        String body = lab.exec("curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + PROMETHEUS_PORT + pathAndQuery);
        return OpsArtifacts.JSON.readTree(body);
    }

    /** {@code # TYPE} lines: family name to type. */
    static Map<String, String> familyTypes(String exposition) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = TYPE.matcher(exposition);
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }

    /** The metric name of every sample line. */
    static Set<String> sampleNames(String exposition) {
        Set<String> out = new TreeSet<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** Runs a command on the host, returns its output; fails on a non-zero exit. */
    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        assertThat(done && p.exitValue() == 0).as(String.join(" ", cmd) + " exit status; output:\n" + out).isTrue();
        return out;
    }
}
