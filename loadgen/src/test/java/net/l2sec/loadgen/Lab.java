package net.l2sec.loadgen;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace this test creates (and deletes), a server started in it, and the packaged load generator run
 * in it against that server's 127.0.0.1. Needs root, and for the reference server the interop harness; without
 * them the calling test is skipped, unless {@code -Dl2sec.interop.required=true} (CI) makes that a failure.
 */
final class Lab implements AutoCloseable {
    private static final Pattern RESULT = Pattern.compile("^RESULT .*$", Pattern.MULTILINE);
    final Path repo = Path.of(System.getProperty("l2sec.repo.dir", "..")).toAbsolutePath().normalize();
    final Path interop = Path.of(System.getProperty("l2sec.interop.dir", repo.resolve("../shared/interop").toString())).normalize();
    final Path work;
    final String ns;
    private final List<Process> servers = new ArrayList<>();

    private Lab(String ns, Path work) {
        this.ns = ns;
        this.work = work;
    }

    /** Skips (or, when required, fails) unless every {@code needs} holds; then creates the namespace. */
    static Lab create(String name, boolean needsHarness) throws Exception {
        Path repo = Path.of(System.getProperty("l2sec.repo.dir", "..")).toAbsolutePath().normalize();
        Path interop = Path.of(System.getProperty("l2sec.interop.dir", repo.resolve("../shared/interop").toString())).normalize();
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) why = "needs root";
        else if (!Files.exists(repo.resolve("loadgen/target/l2sec-loadgen.jar"))) why = "no loadgen jar (package first)";
        else if (!Files.exists(repo.resolve("concentrator/target/l2sec-concentrator.jar"))) why = "no concentrator jar";
        else if (needsHarness && !(Files.isExecutable(interop.resolve("reference-server.sh")) && Files.exists(Path.of(
                System.getenv().getOrDefault("CACHE", "/var/cache/l2tp-interop"), "initrd.gz")))) {
            why = "interop harness not set up at " + interop;
        }
        if (why != null) {
            if (Boolean.getBoolean("l2sec.interop.required")) throw new IllegalStateException("load generator test required but " + why);
            assumeTrue(false, why);
        }
        String ns = "l2sec-lg-" + name + "-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        return new Lab(ns, Files.createTempDirectory("l2sec-lg-" + name));
    }

    /** A file only its owner may read (the concentrator refuses others for secrets). */
    void secret(String name, String content) throws IOException {
        Path p = work.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts {@code cmd} in the namespace, output to {@code log}; waits until the log satisfies {@code ready}. */
    Process server(Path log, Duration timeout, Predicate<String> ready, String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        Instant deadline = Instant.now().plus(timeout);
        while (!ready.test(read(log))) {
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("server did not start:\n" + read(log));
            Thread.sleep(500);
        }
        return p;
    }

    /**
     * Starts the packaged concentrator jar in the namespace on {@code c.yaml} (written to the work directory, like
     * the secrets it names), with Netty's leak detection at PARANOID, and waits for its ready line. Its log is
     * {@link #concentratorLog}.
     */
    void concentrator(String yaml) throws Exception {
        secret("c.yaml", yaml);
        server(concentratorLog(), Duration.ofSeconds(40), s -> s.contains("concentrator ready"), java(),
                "--enable-native-access=ALL-UNNAMED", "-Dio.netty.leakDetection.level=PARANOID", "-jar",
                repo.resolve("concentrator/target/l2sec-concentrator.jar").toString(), "run", work.resolve("c.yaml").toString());
    }

    Path concentratorLog() {
        return work.resolve("concentrator.log");
    }

    /** Its metrics endpoint's page (the concentrator's {@code metrics.listen} must be 127.0.0.1:9117). */
    String metrics() throws Exception {
        return run("ip", "netns", "exec", ns, "curl", "-sf", "http://127.0.0.1:9117/metrics");
    }

    /** Runs the packaged load generator in the namespace; prints its output; returns its RESULT line and exit status. */
    record LoadgenRun(String output, String result, int exit) {}

    LoadgenRun loadgen(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns, java(), "-jar",
                repo.resolve("loadgen/target/l2sec-loadgen.jar").toString()));
        all.addAll(List.of(args));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        System.out.println("----- loadgen " + String.join(" ", args) + " (exit " + rc + ")\n" + out);
        Matcher m = RESULT.matcher(out);
        String last = null;
        while (m.find()) last = m.group();
        return new LoadgenRun(out, last, rc);
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops every process left in the namespace (ours: the namespace is this test's), then deletes it. */
    @Override
    public void close() throws Exception {
        for (Process p : servers) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        for (String pid : run("ip", "netns", "pids", ns).split("\\s+")) {
            if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
        Thread.sleep(500);
        run("ip", "netns", "del", ns);
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
