package net.l2sec.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ops/METRICS.md against the code: every meter name the main sources register is documented, every documented
 * {@code l2sec_} family is registered somewhere, and the rows follow Prometheus conventions. (The live scrape is
 * compared in the concentrator's PrometheusScrapeIT.)
 */
class MetricsCatalogueTest {
    private static final List<String> MODULES = List.of("dataplane", "aaa-adapter", "ops", "concentrator");
    /** A call whose first argument is a meter name literal: Counter.builder("l2sec.x"), registry.counter("l2sec.x"), helpers. */
    private static final Pattern METER_NAME = Pattern.compile("\\b\\w+\\(\\s*\"(l2sec(?:\\.[a-z0-9_]+)+)\"");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary");
    /** Labels that would carry one series per user, client or session. */
    private static final Set<String> UNBOUNDED = Set.of("user", "username", "user_name", "address", "ip", "peer",
            "client", "session", "session_id", "acct_session_id", "calling_station_id", "spi");
    private static final Pattern LABEL = Pattern.compile("`([a-z_]+)`(?:\\s*\\(|,|$)");

    private final MetricsCatalogue catalogue = MetricsCatalogue.load(MetricsCatalogue.repoRoot().resolve("ops/METRICS.md"));

    MetricsCatalogueTest() throws IOException {}

    /** Meter name literals in the main sources, as Prometheus base names (dots to underscores), with where they are. */
    static TreeMap<String, String> meterNamesInSources() throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        for (String module : MODULES) {
            Path src = MetricsCatalogue.repoRoot().resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = METER_NAME.matcher(Files.readString(f));
                    while (m.find()) out.putIfAbsent(m.group(1).replace('.', '_'), src.relativize(f).toString());
                }
            }
        }
        return out;
    }

    private static Set<String> baseCandidates(String family) {
        Set<String> c = new TreeSet<>(Set.of(family));
        for (String suffix : List.of("_total", "_seconds_max", "_seconds", "_max")) {
            if (family.endsWith(suffix)) c.add(family.substring(0, family.length() - suffix.length()));
        }
        return c;
    }

    @Test
    void theSourcesRegisterMetersAtAll() throws IOException {
        // guards the pattern below: if it stopped matching, the two-way checks would pass vacuously
        assertThat(meterNamesInSources()).containsKeys("l2sec_ike_phase1", "l2sec_ppp_sessions_active",
                "l2sec_aaa_request_duration", "l2sec_sessions_established", "l2sec_pool_addresses");
    }

    @Test
    void everyMeterInTheSourcesIsDocumented() throws IOException {
        Set<String> documentedBases = new TreeSet<>();
        catalogue.names().forEach(n -> documentedBases.addAll(baseCandidates(n)));
        var missing = new TreeMap<>(meterNamesInSources());
        missing.keySet().removeAll(documentedBases);
        assertThat(missing).as("meters registered in the code but missing from ops/METRICS.md (name -> file)").isEmpty();
    }

    @Test
    void everyDocumentedL2secFamilyIsRegisteredInTheSources() throws IOException {
        Set<String> inSources = meterNamesInSources().keySet();
        List<String> orphans = catalogue.names().stream().filter(n -> n.startsWith("l2sec_"))
                .filter(n -> baseCandidates(n).stream().noneMatch(inSources::contains)).toList();
        assertThat(orphans).as("documented in ops/METRICS.md but registered nowhere").isEmpty();
    }

    @Test
    void rowsFollowPrometheusConventions() {
        assertThat(catalogue.names()).hasSizeGreaterThan(40);
        for (MetricsCatalogue.Family f : catalogue.families().values()) {
            assertThat(f.type()).as(f.name()).isIn(TYPES);
            assertThat(f.name()).as("snake_case " + f.name()).matches("[a-z][a-z0-9_]*");
            if (f.type().equals("counter")) assertThat(f.name()).as("counter " + f.name()).endsWith("_total");
            else assertThat(f.name()).as("non-counter " + f.name()).doesNotEndWith("_total");
            if (!f.type().equals("histogram") && !f.type().equals("summary")) {
                assertThat(f.name()).as(f.name()).doesNotEndWith("_count").doesNotEndWith("_sum").doesNotEndWith("_bucket");
            }
            assertThat(f.name()).as("base units only: " + f.name())
                    .doesNotContainPattern("_(ms|milliseconds|ns|nanoseconds|us|microseconds|minutes|hours|kb|mb|kilobytes|megabytes)(_|$)");
            assertThat(f.action()).as("what an operator does when " + f.name() + " moves").isNotBlank();
            Matcher m = LABEL.matcher(f.labels());
            while (m.find()) assertThat(UNBOUNDED).as("label of " + f.name()).doesNotContain(m.group(1));
        }
    }

    @Test
    void familyOfMapsHistogramAndSummarySeries() {
        assertThat(catalogue.familyOf("l2sec_aaa_request_duration_seconds_bucket")).isPresent();
        assertThat(catalogue.familyOf("l2sec_sessions_duration_seconds_count")).isPresent();
        assertThat(catalogue.familyOf("l2sec_sessions_duration_seconds_bucket")).as("summaries have no buckets").isEmpty();
        assertThat(catalogue.familyOf("l2sec_ppp_sessions_active_count")).isEmpty();
        assertThat(catalogue.familyOf("l2sec_not_a_metric")).isEmpty();
    }
}
