package net.l2sec.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard's own conventions (unique ids, a layout within 24 columns, the data source variable, no
 * instance id; {@link GrafanaSchemaTest} checks it against Grafana's schema), the alert rules carry what an
 * operator needs, and both only query documented metrics. promtool and a live scrape check them further in the
 * concentrator's PrometheusScrapeIT.
 */
class OpsArtifactsTest {
    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "table", "gauge", "bargauge");
    /** Series Prometheus itself makes for every target, not exposed by the concentrator. */
    static final Set<String> SYNTHETIC = Set.of("up");

    private final MetricsCatalogue catalogue = MetricsCatalogue.load(MetricsCatalogue.repoRoot().resolve("ops/METRICS.md"));

    OpsArtifactsTest() throws IOException {}

    @Test
    void dashboardIsAGrafanaDashboardModel() throws IOException {
        JsonNode d = OpsArtifacts.dashboard();
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(d.path("uid").asText()).matches("[a-zA-Z0-9_-]{1,40}");
        assertThat(d.path("schemaVersion").isInt()).isTrue();
        assertThat(d.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(d.path("panels").isArray()).isTrue();
        assertThat(d.path("time").path("from").asText()).isNotBlank();
        assertThat(d.has("id")).as("no instance-specific id: Grafana assigns it on import").isFalse();

        JsonNode vars = d.path("templating").path("list");
        JsonNode datasource = StreamSupport.stream(vars.spliterator(), false)
                .filter(v -> v.path("type").asText().equals("datasource")).findFirst().orElseThrow();
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        String dsRef = "${" + datasource.path("name").asText() + "}";

        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        int queries = 0;
        for (JsonNode p : d.path("panels")) {
            String where = "panel \"" + p.path("title").asText() + "\"";
            assertThat(p.path("id").isInt()).as(where + " id").isTrue();
            assertThat(ids.add(p.path("id").asInt())).as(where + " unique id").isTrue();
            assertThat(p.path("type").asText()).as(where + " type").isIn(PANEL_TYPES);
            assertThat(p.path("title").asText()).as(where + " title").isNotBlank();
            JsonNode g = p.path("gridPos");
            for (String k : List.of("h", "w", "x", "y")) assertThat(g.path(k).isInt()).as(where + " gridPos." + k).isTrue();
            int x = g.path("x").asInt(), y = g.path("y").asInt(), w = g.path("w").asInt(), h = g.path("h").asInt();
            assertThat(w).as(where + " width").isBetween(1, 24);
            assertThat(x + w).as(where + " x+w").isLessThanOrEqualTo(24);
            assertThat(h).as(where + " height").isPositive();
            for (int[] b : boxes) {
                boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
                assertThat(overlap).as(where + " overlaps another panel").isFalse();
            }
            boxes.add(new int[] {x, y, w, h});
            if (p.path("type").asText().equals("row")) continue;
            assertThat(p.path("datasource").path("uid").asText()).as(where + " datasource").isEqualTo(dsRef);
            assertThat(p.path("targets").size()).as(where + " targets").isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : p.path("targets")) {
                assertThat(refIds.add(t.path("refId").asText())).as(where + " unique refId").isTrue();
                assertThat(t.path("expr").asText()).as(where + " expr").isNotBlank();
                assertThat(t.path("datasource").path("uid").asText()).as(where + " target datasource").isEqualTo(dsRef);
                queries++;
            }
        }
        assertThat(queries).isGreaterThan(20);
    }

    @Test
    void dashboardCoversWhatTheIssueAsksFor() throws IOException {
        Set<String> used = new HashSet<>();
        OpsArtifacts.dashboardExprs().forEach(e -> used.addAll(PromQl.metricNames(e.expr())));
        assertThat(used).contains("l2sec_ppp_sessions_active", "l2sec_sessions_established",
                "l2sec_l2tp_sessions_established_total", "l2sec_ike_phase1_total", "l2sec_aaa_rejects_total",
                "l2sec_ppp_sessions_failed_total", "l2sec_aaa_request_duration_seconds_bucket", "l2sec_aaa_server_up",
                "l2sec_ppp_ip_bytes_total", "l2sec_pool_addresses", "l2sec_client_sessions", "l2sec_client_setups_total");
    }

    @Test
    void alertRulesTellTheOperatorWhatToDo() throws IOException {
        Set<String> names = new HashSet<>();
        for (Map<String, Object> rule : OpsArtifacts.alertRules()) {
            String name = String.valueOf(rule.get("alert"));
            assertThat(name).matches("L2sec[A-Za-z]+");
            assertThat(names.add(name)).as("unique alert " + name).isTrue();
            assertThat(String.valueOf(rule.get("expr"))).as(name).isNotBlank();
            @SuppressWarnings("unchecked") Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
            assertThat(labels).as(name + " labels").containsKey("severity");
            assertThat(String.valueOf(labels.get("severity"))).as(name).isIn("warning", "critical");
            @SuppressWarnings("unchecked") Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            assertThat(String.valueOf(annotations.get("summary"))).as(name + " summary").isNotBlank();
            assertThat(String.valueOf(annotations.get("description")).length()).as(name + " description").isGreaterThan(80);
        }
        Set<String> used = new HashSet<>();
        OpsArtifacts.alertExprs().forEach(e -> used.addAll(PromQl.metricNames(e.expr())));
        // the issue's list: auth-failure spike, RADIUS down, pool nearly exhausted, sessions gone, accounting spool
        assertThat(used).contains("l2sec_ppp_auth_total", "l2sec_aaa_server_up", "l2sec_pool_addresses",
                "l2sec_ppp_sessions_active", "l2sec_acct_spool_oldest_age_seconds");
    }

    @Test
    void dashboardAndAlertsQueryOnlyDocumentedMetrics() throws IOException {
        List<OpsArtifacts.Expr> all = new ArrayList<>(OpsArtifacts.dashboardExprs());
        all.addAll(OpsArtifacts.alertExprs());
        List<String> unknown = new ArrayList<>();
        for (OpsArtifacts.Expr e : all) {
            for (String name : PromQl.metricNames(e.expr())) {
                if (!SYNTHETIC.contains(name) && catalogue.familyOf(name).isEmpty()) unknown.add(e.origin() + ": " + name);
            }
        }
        assertThat(unknown).as("queried but not in ops/METRICS.md").isEmpty();
    }

    @Test
    void promQlNamesAreExtracted() {
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (le, server) (rate(x_seconds_bucket{instance=~\"$instance\",a=\"b c\"}[5m])))"))
                .containsExactly("x_seconds_bucket");
        assertThat(PromQl.metricNames("sum(a_total) / on (pool) group_left(state) b{state=\"used\"} > 0.9 and c offset 1h or vector(0)"))
                .containsExactly("a_total", "b", "c");
        assertThat(PromQl.metricNames("max_over_time(x[1h:1m]) >= 1e3 unless bool y")).containsExactly("x", "y");
    }
}
