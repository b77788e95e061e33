package net.l2sec.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded mutation fuzzer for the decoders (Jazzer's coverage guidance cannot instrument Java 25 class files, see
 * README "Fuzzing"). A run starts from a corpus of valid messages built with the project's own encoders, runs each
 * seed once as it is, then feeds {@link #inputs} mutants ({@link Mutator}); half of them also go through the
 * target's {@link Fixup}, which repairs what would stop them at the door (a length field, an authenticator), so
 * that the mutation reaches the code behind it. The only feedback is the outcome: an input whose outcome label was
 * not seen before joins the corpus.
 *
 * <p>A {@link Target} turns one input into an outcome label ({@code decoded:...}, or the decoder's own rejection
 * reason); anything it throws is a finding: an exception that is not the decoder's own, an invariant the target
 * checks (a leaked buffer, an internal-error counter that moved), or an {@link Error}. Findings are grouped by
 * exception type and the first project frame; the first input of each is kept with its index and seed.
 *
 * <p>Deterministic: input {@code i} is made from a {@link SplittableRandom} seeded with {@link #inputSeed} of the
 * run's master seed (fixed per target, changed with {@code -Dl2sec.fuzz.seed=N}) and {@code i}, and from the corpus
 * of the inputs before it; a stateless target reproduces a run exactly. System properties: {@code l2sec.fuzz.inputs}
 * (mutants per target, overriding the test's short default), {@code l2sec.fuzz.seed}, {@code l2sec.fuzz.report}
 * (a file that gets one tab-separated line per run).
 */
public final class Fuzzer {
    /** What one input did: an outcome label, from a small set. Throwing is a finding. */
    @FunctionalInterface
    public interface Target {
        String run(byte[] input) throws Throwable;
    }

    /** Repairs a mutant so that it passes outer checks, or returns it unchanged. */
    @FunctionalInterface
    public interface Fixup {
        byte[] apply(byte[] input, SplittableRandom random);
    }

    private static final int MAX_CORPUS = 512;
    private static final int MAX_FINDINGS_KEPT = 20;

    private final String name;
    private final List<byte[]> corpus = new ArrayList<>();
    private Target target;
    private Fixup fixup = (b, r) -> b;
    private int inputs;
    private int maxLength = 2048;

    private Fuzzer(String name) {
        this.name = name;
    }

    /** A run named {@code name} (the decoder, as the report table names it). */
    public static Fuzzer named(String name) {
        return new Fuzzer(name);
    }

    /** Valid messages to start from; each is also run once as it is. */
    public Fuzzer seeds(List<byte[]> seeds) {
        if (seeds.isEmpty()) throw new IllegalArgumentException("no seeds for " + name);
        seeds.forEach(s -> corpus.add(s.clone()));
        return this;
    }

    public Fuzzer target(Target target) {
        this.target = target;
        return this;
    }

    public Fuzzer fixup(Fixup fixup) {
        this.fixup = fixup;
        return this;
    }

    public Fuzzer maxLength(int maxLength) {
        this.maxLength = maxLength;
        return this;
    }

    /** Mutants for the short run in the test suite, unless {@code -Dl2sec.fuzz.inputs} says otherwise. */
    public Fuzzer inputs(int shortRun) {
        this.inputs = configuredInputs(shortRun);
        return this;
    }

    public static int configuredInputs(int shortRun) {
        String p = System.getProperty("l2sec.fuzz.inputs", "");
        return p.isBlank() ? shortRun : Integer.parseInt(p.trim());
    }

    public static long masterSeed(String name) {
        String p = System.getProperty("l2sec.fuzz.seed", "");
        long base = p.isBlank() ? 0x5eedL : Long.parseLong(p.trim());
        return base * 0x9E3779B97F4A7C15L + name.hashCode();
    }

    /** The seed input {@code index} of a run with {@code master} is made from. */
    public static long inputSeed(long master, long index) {
        long z = master + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public FuzzReport run() {
        Objects.requireNonNull(target, "target");
        long master = masterSeed(name);
        Mutator mutator = new Mutator(maxLength);
        TreeMap<String, Long> outcomes = new TreeMap<>();
        List<FuzzReport.Finding> findings = new ArrayList<>();
        List<byte[]> seeds = List.copyOf(corpus);
        long started = System.nanoTime();
        long executed = 0;
        for (long i = -seeds.size(); i < inputs; i++) {
            long seed = inputSeed(master, i);
            byte[] input;
            if (i < 0) {
                input = seeds.get((int) (i + seeds.size())).clone();
            } else {
                SplittableRandom r = new SplittableRandom(seed);
                input = mutator.mutate(corpus.get(r.nextInt(corpus.size())), corpus, r);
                if (r.nextBoolean()) input = fixup.apply(input, r);
            }
            byte[] copy = input.clone(); // the target may change its input; the finding keeps what went in
            executed++;
            String outcome;
            try {
                outcome = target.run(input);
            } catch (Throwable t) {
                outcome = "finding";
                record(findings, t, i, seed, copy);
                if (t instanceof VirtualMachineError) break;
            }
            Long seen = outcomes.merge(outcome, 1L, Long::sum);
            if (seen == 1 && i >= 0 && corpus.size() < MAX_CORPUS) corpus.add(copy);
        }
        FuzzReport report = new FuzzReport(name, master, executed, System.nanoTime() - started, outcomes, findings);
        report.publish();
        return report;
    }

    private static void record(List<FuzzReport.Finding> findings, Throwable t, long index, long seed, byte[] input) {
        String signature = signature(t);
        // after many throws from one place the JVM throws a preallocated exception without a stack trace
        // (OmitStackTraceInFastThrow): it is counted with the first finding of its type
        boolean noStack = t.getStackTrace().length == 0;
        for (int k = 0; k < findings.size(); k++) {
            FuzzReport.Finding f = findings.get(k);
            if (f.signature().equals(signature) || noStack && f.failure().getClass() == t.getClass()) {
                findings.set(k, f.again());
                return;
            }
        }
        if (findings.size() < MAX_FINDINGS_KEPT) findings.add(new FuzzReport.Finding(signature, 1, index, seed, input, t));
    }

    /** Exception type and the first frame in project code (else the first frame). */
    static String signature(Throwable t) {
        StackTraceElement where = null;
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("net.l2sec.") && !e.getClassName().startsWith("net.l2sec.fuzz.")) {
                where = e;
                break;
            }
        }
        if (where == null && t.getStackTrace().length > 0) where = t.getStackTrace()[0];
        // a broken invariant is told apart by what it says, an exception by where it came from
        String what = t instanceof AssertionError && t.getMessage() != null
                ? ": " + t.getMessage().lines().findFirst().orElse("").replaceAll("[0-9]+", "N") : "";
        return t.getClass().getName() + what + (where == null ? "" : " at " + where);
    }
}
