package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.concentrator.PrivateFiles;

/**
 * The built concentrator jar running inside a network namespace this harness creates, and the REAL Linux client
 * from ../shared/interop (strongSwan + xl2tpd + pppd in a qemu VM) run in the same namespace: its slirp NAT
 * reaches the namespace's loopback, so TUN devices, addresses and routes never touch the host.
 *
 * <p>Needs root and the harness (setup.sh run once). Without them the calling test is skipped, unless
 * {@code -Dl2sec.interop.required=true} (CI) turns that into a failure.
 */
final class ConcentratorInNamespace implements AutoCloseable {
    static final int METRICS_PORT = 9117;
    private static final Pattern RESULT = Pattern.compile("^RESULT .*$", Pattern.MULTILINE);

    private final String ns;
    private final Path work;
    private final Path interop;
    private final Path jar;
    private Process process;
    private Path logFile;
    private int starts;

    private ConcentratorInNamespace(String ns, Path work, Path interop, Path jar) {
        this.ns = ns;
        this.work = work;
        this.interop = interop;
        this.jar = jar;
    }

    /** Creates the namespace (or skips/fails the test when the harness cannot run here). */
    static ConcentratorInNamespace create(String name) throws Exception {
        Path repo = Path.of(System.getProperty("l2sec.repo.dir", "..")).toAbsolutePath().normalize();
        Path interop = Path.of(System.getProperty("l2sec.interop.dir", repo.resolve("../shared/interop").toString())).normalize();
        Path jar = repo.resolve("concentrator/target/l2sec-concentrator.jar");
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean harness = Files.isExecutable(interop.resolve("client.sh"))
                && Files.exists(Path.of(System.getenv().getOrDefault("CACHE", "/var/cache/l2tp-interop"), "initrd.gz"));
        String why = !root ? "needs root" : !harness ? "interop harness not set up at " + interop : !Files.exists(jar) ? "no jar at " + jar : null;
        return create(name, why, interop, jar);
    }

    /**
     * The same for a test whose real client runs on the host in a namespace of its own (no VM): needs root, the jar
     * and these {@code programs} on the PATH (e.g. {@code charon-cmd}).
     */
    static ConcentratorInNamespace createWithoutVm(String name, String... programs) throws Exception {
        Path repo = Path.of(System.getProperty("l2sec.repo.dir", "..")).toAbsolutePath().normalize();
        Path jar = repo.resolve("concentrator/target/l2sec-concentrator.jar");
        String why = !"root".equals(System.getProperty("user.name")) ? "needs root" : !Files.exists(jar) ? "no jar at " + jar : null;
        for (String program : programs) {
            if (why == null && onPath(program) == null) why = program + " not installed (scripts/test.sh installs it)";
        }
        return create(name, why, null, jar);
    }

    /** Where {@code program} is on the PATH (or the sbin directories root has), null when it is not installed. */
    static Path onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Skips the test (or fails it under {@code -Dl2sec.interop.required=true}) when {@code why} is not null. */
    private static ConcentratorInNamespace create(String name, String why, Path interop, Path jar) throws Exception {
        if (why != null) {
            if (Boolean.getBoolean("l2sec.interop.required")) throw new IllegalStateException("interop test required but " + why);
            assumeTrue(false, why);
        }
        String ns = "l2sec-" + name + "-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        return new ConcentratorInNamespace(ns, Files.createTempDirectory("l2sec-" + name), interop, jar);
    }

    /** The concentrator jar under test (its {@code admin} command is the admin interface's client). */
    Path jar() {
        return jar;
    }

    Path work() {
        return work;
    }

    /** The namespace's name, for servers the test starts beside the concentrator (FreeRADIUS). */
    String namespace() {
        return ns;
    }

    /** Runs a command inside the namespace, returns its output (standard error included). */
    String exec(String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    /** Writes {@code name} into the work directory (users file, PSK file, ...), mode 0600 as secret files must be. */
    void file(String name, String content) throws IOException {
        PrivateFiles.write(work.resolve(name), content);
    }

    /**
     * A configuration for a client with the harness's defaults: IPsec with the PSK in {@code ipsec.psk} and legacy
     * MODP1024 (the harness's default proposals), the users in {@code users}, metrics on {@link #METRICS_PORT};
     * {@code ipsecExtra} is added to the ipsec section (indented by two spaces).
     */
    static String ipsecConfig(String name, String ipsecExtra) {
        return """
                server:
                  name: %s
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                aaa:
                  local:
                    users-file: users
                ipsec:
                  psk-file: ipsec.psk
                  legacy:
                    modp1024: true
                %smetrics:
                  listen: 127.0.0.1:%d
                """.formatted(name, ipsecExtra.indent(2), METRICS_PORT);
    }

    /** (Re)starts the concentrator on {@code yaml} (relative paths resolve against the work directory). */
    void start(String yaml) throws Exception {
        start(yaml, List.of());
    }

    /** The same, with these JVM options (e.g. {@code -Xmx256m}) before {@code -jar}. */
    void start(String yaml, List<String> jvmOptions) throws Exception {
        stop();
        Path config = work.resolve("concentrator-" + (++starts) + ".yaml");
        Files.writeString(config, yaml);
        logFile = work.resolve("concentrator-" + starts + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                "-Dio.netty.leakDetection.level=PARANOID"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString(), "run", config.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (!log().contains("concentrator ready")) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("concentrator did not start:\n" + log());
            }
            Thread.sleep(200);
        }
    }

    /** The running concentrator's process id ({@code ip netns exec} execs the JVM), e.g. for {@code jcmd}. */
    long pid() {
        return process.pid();
    }

    /** Sends a signal (e.g. HUP: reload) to the running concentrator. */
    void signal(String name) throws Exception {
        run("kill", "-" + name, String.valueOf(process.pid()));
    }

    /** Writes {@code yaml} over the config file the running concentrator was started with (for reloads). */
    void rewriteConfig(String yaml) throws IOException {
        Files.writeString(work.resolve("concentrator-" + starts + ".yaml"), yaml);
    }

    /** Stops the concentrator (SIGTERM: graceful shutdown) and checks it ended cleanly and leaked nothing. */
    void stop() throws Exception {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
        process = null;
        System.out.println("----- concentrator log " + logFile + "\n" + log());
        assertThat(log()).as("Netty leak detector").doesNotContain("LEAK:");
        assertThat(log()).as("clean shutdown").contains("concentrator stopped");
    }

    /** Starts client.sh with these arguments in the namespace; {@link Client#result()} waits for it. */
    Client client(String... args) throws IOException {
        if (interop == null) throw new IllegalStateException("created by createWithoutVm: no VM harness to run");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, interop.resolve("client.sh").toString()));
        cmd.addAll(List.of(args));
        return new Client(String.join(" ", args), List.copyOf(cmd), new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /**
     * Starts client.sh for an L2TP/IPsec client with the PSK, MS-CHAPv2 as {@code user}/{@code password} and a 45 s
     * wait; {@code extra} arguments come after (a later flag overrides an earlier one).
     */
    Client ipsecClient(String psk, String user, String password, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--mode", "ipsec", "--psk", psk, "--auth", "mschapv2", "--user", user,
                "--password", password, "--wait", "45"));
        args.addAll(List.of(extra));
        return client(args.toArray(String[]::new));
    }

    /** What the jar's {@code admin} command printed and its exit status. */
    record Cli(int status, String output) {}

    /**
     * The jar's {@code admin} command inside the namespace, against the admin interface on 127.0.0.1:{@code port}
     * with the token in the work directory's {@code admin.token}.
     */
    Cli admin(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "admin",
                "--url", "http://127.0.0.1:" + port, "--token-file", work.resolve("admin.token").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("admin " + String.join(" ", args) + " hung");
        System.out.println("----- admin " + String.join(" ", args) + " (exit " + p.exitValue() + ")\n" + out);
        return new Cli(p.exitValue(), out);
    }

    /** Polls {@code condition} until it holds; fails with the concentrator's log after {@code timeout}. */
    void waitFor(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.call()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what + "\n" + log());
            Thread.sleep(300);
        }
    }

    /** A FreeRADIUS detail-file value without its quotes. */
    static String unquote(String v) {
        return v == null ? null : v.replaceAll("^\"|\"$", "");
    }

    /**
     * The harness VM's strongSwan never ran: {@code ipsec statusall} and {@code ipsec up} (run 3 s after {@code ipsec
     * start} in the VM's init) left no line at all in their logs, which happens when charon has not come up in time on
     * a loaded machine. Any attempt, failed or not, logs there (the daemon's status, "initiating Main Mode", "giving
     * up", ...): nothing of the server under test can cause this, so such a run is repeated, at most twice.
     */
    static final Pattern NEVER_TRIED = Pattern.compile(
            "(?m)^----- /var/log/ipsec-status\\.log\\n----- /var/log/ipsec-up\\.log\\n(?:RESULT |$)");

    /** A running client.sh. */
    record Client(String args, List<String> cmd, Process process) {
        /**
         * Waits for the client, prints its output, asserts exit 0 and returns its RESULT line; a run whose strongSwan
         * never started IKE ({@link #NEVER_TRIED}) is repeated, at most twice.
         */
        String result() throws Exception {
            String out = output(process);
            // bounded: at most two more runs (the VM's init starts IKE a fixed 3 s after charon; a loaded 2-core
            // machine, e.g. during the COOKIE flood case, can miss that twice)
            for (int retry = 1; retry <= 2 && NEVER_TRIED.matcher(out.replace("\r", "")).find(); retry++) {
                System.out.println("----- client.sh " + args + ": the VM's strongSwan did not start IKE (empty ipsec-up.log, "
                        + "a harness start-up race under load): running it again (" + retry + " of 2)\n" + out);
                out = output(new ProcessBuilder(cmd).redirectErrorStream(true).start());
            }
            int rc = Integer.parseInt(out.substring(0, out.indexOf('\n')));
            out = out.substring(out.indexOf('\n') + 1);
            System.out.println("----- client.sh " + args + " (exit " + rc + ")\n" + out);
            Matcher m = RESULT.matcher(out);
            String last = null;
            while (m.find()) last = m.group();
            assertThat(last).as("RESULT line from client.sh:\n" + out).isNotNull();
            assertThat(rc).as("client.sh exit status:\n" + out).isZero();
            return last;
        }

        /** The exit status, a newline, then everything the process wrote. */
        private static String output(Process p) throws Exception {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() + "\n" + out;
        }
    }

    /** Starts tshark's capture of IKE, NAT-T/ESP and L2TP on the namespace's loopback into {@code file}. */
    Process capture(Path file) throws Exception {
        return capture(file, "lo");
    }

    /** The same on {@code device} ({@code any}: every interface of the namespace, also those created later). */
    Process capture(Path file, String device) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "tshark", "-q", "-i", device, "-f",
                "udp port 500 or udp port 4500 or udp port 1701", "-w", file.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("tshark.log").toFile()).start();
        Instant deadline = Instant.now().plusSeconds(20);
        while (!Files.readString(work.resolve("tshark.log")).contains("Capturing on")) {
            if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("tshark did not start: " + Files.readString(work.resolve("tshark.log")));
            }
            Thread.sleep(100);
        }
        return p;
    }

    String metrics() throws Exception {
        return run("ip", "netns", "exec", ns, "curl", "-sf", "http://127.0.0.1:" + METRICS_PORT + "/metrics");
    }

    String log() {
        try {
            return logFile == null ? "" : Files.readString(logFile);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            run("ip", "netns", "del", ns);
        }
    }

    /** Runs a command and returns its standard output only (standard error, e.g. tshark's notices, discarded). */
    static String stdout(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
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
