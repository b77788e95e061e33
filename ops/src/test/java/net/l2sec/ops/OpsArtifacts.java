package net.l2sec.ops;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The files under ops/ that operators install: the Grafana dashboard and the Prometheus alert rules. */
public final class OpsArtifacts {
    /** One PromQL expression and where it comes from (panel title or alert name). */
    public record Expr(String origin, String expr) {}

    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private OpsArtifacts() {}

    public static Path dashboardFile() {
        return MetricsCatalogue.repoRoot().resolve("ops/grafana/l2sec-dashboard.json");
    }

    public static Path alertsFile() {
        return MetricsCatalogue.repoRoot().resolve("ops/prometheus/l2sec-alerts.yml");
    }

    public static JsonNode dashboard() throws IOException {
        return JSON.readTree(Files.readString(dashboardFile()));
    }

    public static List<Expr> dashboardExprs() throws IOException {
        List<Expr> out = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Expr("panel \"" + panel.path("title").asText() + "\" " + target.path("refId").asText(),
                        target.path("expr").asText()));
            }
        }
        return out;
    }

    /** The rule groups as loaded YAML: {@code groups -> [ {name, rules -> [ {alert, expr, for, labels, annotations} ]} ]}. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> alertGroups() throws IOException {
        Map<String, Object> root = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(alertsFile()));
        return (List<Map<String, Object>>) root.get("groups");
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> alertRules() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> g : alertGroups()) rules.addAll((List<Map<String, Object>>) g.get("rules"));
        return rules;
    }

    public static List<Expr> alertExprs() throws IOException {
        return alertRules().stream().map(r -> new Expr("alert " + r.get("alert"), String.valueOf(r.get("expr")))).toList();
    }
}
