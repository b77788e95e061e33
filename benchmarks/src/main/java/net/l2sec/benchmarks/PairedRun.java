package net.l2sec.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link BareCryptoBenchmark} and {@link PacketPathBenchmark} as pairs: for each direction and transform, one
 * fork of the baseline immediately followed by one fork of the path, and that for several rounds, so each ratio
 * path/bare compares two measurements taken seconds apart. On a shared machine the speed of a core drifts by tens
 * of percent over minutes (other tenants); JMH's usual order (all forks of one benchmark, then the next) lets that
 * drift land in the ratio, pairing keeps it out. Prints per row the median over rounds of the path's and the
 * baseline's packets per second, the median ratio and the lowest and highest round's ratio.
 *
 * <p>Usage: {@code PairedRun [rounds] [direction-regex] [transform-regex]}, e.g. {@code PairedRun 5} or
 * {@code PairedRun 3 outbound AES128_GCM16}. Each fork: 3 warm-up and 4 measured iterations of 2 s, one thread,
 * with {@code -prof gc} for the allocation per packet.
 */
public final class PairedRun {
    private PairedRun() {}

    record Pair(double bare, double path, double bareAlloc, double pathAlloc) {
        double ratio() {
            return path / bare;
        }
    }

    public static void main(String[] args) throws RunnerException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String directions = args.length > 1 ? args[1] : "inbound|outbound";
        String transforms = args.length > 2 ? args[2] : ".*";
        List<String[]> rows = new ArrayList<>();
        for (String direction : new String[] {"inbound", "outbound"}) {
            if (!direction.matches(directions)) continue;
            for (Transform t : Transform.values()) {
                if (t.name().matches(transforms)) rows.add(new String[] {direction, t.name()});
            }
        }
        List<List<Pair>> results = new ArrayList<>();
        rows.forEach(r -> results.add(new ArrayList<>()));
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < rows.size(); i++) {
                String[] row = rows.get(i);
                RunResult bare = run(BareCryptoBenchmark.class, row[0], row[1]);
                RunResult path = run(PacketPathBenchmark.class, row[0], row[1]);
                Pair p = new Pair(score(bare), score(path), alloc(bare), alloc(path));
                results.get(i).add(p);
                System.out.printf(Locale.ROOT, "round %d/%d %s %s: path %,.0f bare %,.0f pkt/s, path/bare %.3f%n",
                        round, rounds, row[0], row[1], p.path(), p.bare(), p.ratio());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%d rounds, each a fork of the baseline then a fork of the path (3 x 2 s warm-up, "
                + "4 x 2 s measured, 1 thread); medians over the rounds%n%n", rounds);
        System.out.println("| direction | transform | path pkt/s per core | bare crypto pkt/s | path/bare (median) "
                + "| path/bare (lowest - highest round) | inner IP Gbit/s per core | alloc B/pkt path / bare |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        boolean met = true;
        for (int i = 0; i < rows.size(); i++) {
            List<Pair> ps = results.get(i);
            double ratio = median(ps.stream().mapToDouble(Pair::ratio).toArray());
            double low = ps.stream().mapToDouble(Pair::ratio).min().orElseThrow();
            double high = ps.stream().mapToDouble(Pair::ratio).max().orElseThrow();
            double path = median(ps.stream().mapToDouble(Pair::path).toArray());
            met &= ratio >= Summary.TARGET;
            System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f%s | %.2f - %.2f | %.2f | %.0f / %.0f |%n",
                    rows.get(i)[0], rows.get(i)[1], path, median(ps.stream().mapToDouble(Pair::bare).toArray()),
                    ratio, ratio >= Summary.TARGET ? "" : " (below " + Summary.TARGET + ")", low, high,
                    path * EstablishedSession.IP_PACKET_LENGTH * 8 / 1e9,
                    median(ps.stream().mapToDouble(Pair::pathAlloc).toArray()),
                    median(ps.stream().mapToDouble(Pair::bareAlloc).toArray()));
        }
        System.out.println();
        System.out.println("target path/bare >= " + Summary.TARGET + (met ? " met" : " NOT met") + " in every row (median)");
    }

    private static RunResult run(Class<?> benchmark, String method, String transform) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\." + method + "$")
                .param("transform", transform)
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(4).measurementTime(TimeValue.seconds(2)).threads(1)
                .timeUnit(TimeUnit.SECONDS).addProfiler("gc").verbosity(VerboseMode.SILENT);
        Collection<RunResult> r = new Runner(o.build()).run();
        if (r.size() != 1) throw new IllegalStateException(benchmark.getSimpleName() + "." + method + ": " + r.size() + " results");
        return r.iterator().next();
    }

    private static double score(RunResult r) {
        return r.getPrimaryResult().getScore() / r.getParams().getThreads();
    }

    private static double alloc(RunResult r) {
        Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? Double.NaN : norm.getScore();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
