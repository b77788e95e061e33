package net.l2sec.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one {@link Fuzzer} run did: inputs executed (seeds included), the time, how often each outcome occurred
 * and the findings.
 */
public record FuzzReport(String name, long masterSeed, long inputs, long nanos, Map<String, Long> outcomes,
                         List<Finding> findings) {

    /** One kind of failure: how often it occurred and the first input that showed it. */
    public record Finding(String signature, long count, long index, long inputSeed, byte[] input, Throwable failure) {
        Finding again() {
            return new Finding(signature, count + 1, index, inputSeed, input, failure);
        }

        public String describe() {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            String stack = trace.toString().lines().limit(25).collect(Collectors.joining("\n    "));
            return signature + "\n  " + count + "x, first at input " + index + " (input seed " + Long.toHexString(inputSeed)
                    + "), " + input.length + " octets:\n  " + HexFormat.of().formatHex(input) + "\n    " + stack;
        }
    }

    public double executionsPerSecond() {
        return nanos == 0 ? 0 : inputs * 1e9 / nanos;
    }

    /** The outcomes as {@code label=count}, most frequent first. */
    public String outcomeSummary() {
        return outcomes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    public String summary() {
        return String.format("fuzz %s: inputs=%d seconds=%.1f exec/s=%.0f outcomes=%d findings=%d master-seed=%d%n  %s",
                name, inputs, nanos / 1e9, executionsPerSecond(), outcomes.size(), findings.size(), masterSeed,
                outcomeSummary());
    }

    /** Prints the summary and, with {@code -Dl2sec.fuzz.report=FILE}, appends a tab-separated line to FILE. */
    void publish() {
        System.out.println(summary());
        findings.forEach(f -> System.out.println("  FINDING " + f.describe()));
        String file = System.getProperty("l2sec.fuzz.report", "");
        if (file.isBlank()) return;
        String line = String.join("\t", name, Long.toString(inputs), String.format("%.0f", executionsPerSecond()),
                String.format("%.1f", nanos / 1e9), Integer.toString(outcomes.size()), Integer.toString(findings.size()),
                findings.stream().map(Finding::signature).collect(Collectors.joining(" | ")), outcomeSummary()) + "\n";
        try {
            Files.writeString(Path.of(file), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails with every finding (input in hex, stack trace) when there is one. */
    public FuzzReport assertNoFindings() {
        if (!findings.isEmpty()) {
            throw new AssertionError(findings.size() + " finding(s) fuzzing " + name + " (master seed " + masterSeed + "):\n"
                    + findings.stream().map(Finding::describe).collect(Collectors.joining("\n")));
        }
        return this;
    }

    /** Fails unless at least {@code n} distinct outcomes occurred: the corpus reaches past the first check. */
    public FuzzReport assertOutcomesAtLeast(int n) {
        if (outcomes.size() < n) throw new AssertionError(name + ": only " + outcomes.size() + " outcomes " + outcomes);
        return this;
    }

    /** Fails unless some input had an outcome containing {@code part} (e.g. a seed decoded): the run got that far. */
    public FuzzReport assertReached(String part) {
        if (outcomes.keySet().stream().noneMatch(k -> k.contains(part))) {
            throw new AssertionError(name + ": no outcome with " + part + " in " + outcomes);
        }
        return this;
    }
}
