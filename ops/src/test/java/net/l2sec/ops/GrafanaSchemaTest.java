package net.l2sec.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against Grafana's own schema: ops/grafana/schema-check type-checks the JSON with the dashboard kind
 * and panel option types that Grafana publishes as @grafana/schema (versions pinned in its package-lock.json).
 * Needs Node.js and npm (the npm registry for {@code npm ci}); CI ({@code -Dl2sec.interop.required=true}) fails
 * without them, a developer machine without Node skips.
 */
class GrafanaSchemaTest {
    private static final Path CHECK_DIR = MetricsCatalogue.repoRoot().resolve("ops/grafana/schema-check");
    private static final Path DASHBOARD = MetricsCatalogue.repoRoot().resolve("ops/grafana/l2sec-dashboard.json");

    record Result(int exit, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(CHECK_DIR.toFile()).redirectErrorStream(true).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }

    private static boolean onPath(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @BeforeAll
    static void installSchema() throws Exception {
        boolean node = onPath("node") && onPath("npm");
        if (Boolean.getBoolean("l2sec.interop.required")) {
            assertThat(node).as("node and npm are required for the Grafana schema check (Debian packages nodejs npm)").isTrue();
        }
        assumeTrue(node, "node/npm missing: Grafana schema check skipped");
        if (!Files.isDirectory(CHECK_DIR.resolve("node_modules/@grafana/schema"))
                || !Files.isDirectory(CHECK_DIR.resolve("node_modules/typescript"))) {
            Result ci = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
            assertThat(ci.exit()).as("npm ci in ops/grafana/schema-check:\n" + ci.output()).isZero();
        }
    }

    @Test
    void theShippedDashboardIsValidAgainstGrafanasSchema() throws Exception {
        Result r = run(List.of("node", "check.mjs", DASHBOARD.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("valid Grafana dashboard");
    }

    @Test
    void theCheckRefusesAMisspeltKeyAndAWrongType(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode misspelt = (ObjectNode) json.readTree(DASHBOARD.toFile());
        misspelt.put("refreshh", "30s");
        Path a = dir.resolve("misspelt.json");
        json.writeValue(a.toFile(), misspelt);
        Result ra = run(List.of("node", "check.mjs", a.toString()));
        assertThat(ra.exit()).as(ra.output()).isEqualTo(1);
        assertThat(ra.output()).contains("refreshh");

        ObjectNode wrongType = (ObjectNode) json.readTree(DASHBOARD.toFile());
        ((ObjectNode) wrongType.withArray("/panels").get(1).path("gridPos")).put("w", "four");
        Path b = dir.resolve("wrong-type.json");
        json.writeValue(b.toFile(), wrongType);
        Result rb = run(List.of("node", "check.mjs", b.toString()));
        assertThat(rb.exit()).as(rb.output()).isEqualTo(1);
        assertThat(rb.output()).contains("not assignable to type 'number'");
    }
}
