package net.l2sec.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ops/METRICS.md read as data: one {@link Family} per table row whose first cell is a metric name in backticks.
 * Shared by the static checks (ops) and the live-scrape test (concentrator).
 */
public record MetricsCatalogue(Map<String, Family> families) {
    /** Sample-name suffixes of histograms and summaries (Prometheus text format). */
    private static final List<String> SERIES_SUFFIXES = List.of("_bucket", "_count", "_sum");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\\s*\\|(.*)\\|\\s*$");

    /**
     * @param name         the Prometheus family name ({@code # TYPE} line)
     * @param type         counter, gauge, histogram or summary
     * @param labels       the labels cell as written
     * @param afterTraffic marked as appearing only once the event has happened (or after the first GC)
     * @param action       what the operator does when it moves
     */
    public record Family(String name, String type, String labels, boolean afterTraffic, String action) {}

    public static MetricsCatalogue load(Path file) throws IOException {
        Map<String, Family> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) continue;
            String[] cells = m.group(2).split("\\|", -1);
            if (cells.length != 5) throw new IllegalStateException("row needs 6 cells (metric, type, unit, labels, meaning, action): " + line);
            String meaning = cells[3].trim();
            Family f = new Family(m.group(1), cells[0].trim(), cells[2].trim(),
                    meaning.contains("*After traffic.*") || meaning.contains("*After the first GC.*"), cells[4].trim());
            if (out.put(f.name(), f) != null) throw new IllegalStateException("documented twice: " + f.name());
        }
        return new MetricsCatalogue(out);
    }

    public Set<String> names() {
        return families.keySet();
    }

    /** The family a sample name (as written in the exposition or a PromQL query) belongs to, if documented. */
    public Optional<Family> familyOf(String sampleName) {
        Family f = families.get(sampleName);
        if (f != null) return Optional.of(f);
        for (String suffix : SERIES_SUFFIXES) {
            if (!sampleName.endsWith(suffix)) continue;
            Family base = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
            if (base == null) continue;
            boolean histogram = base.type().equals("histogram");
            if (histogram || (base.type().equals("summary") && !suffix.equals("_bucket"))) return Optional.of(base);
        }
        return Optional.empty();
    }

    /** The repository root: {@code -Dl2sec.repo.dir}, else the nearest parent holding ops/METRICS.md. */
    public static Path repoRoot() {
        String configured = System.getProperty("l2sec.repo.dir");
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath().normalize();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("ops/METRICS.md"))) return p;
        }
        throw new IllegalStateException("cannot find the repository root (ops/METRICS.md) from " + Path.of("").toAbsolutePath());
    }
}
