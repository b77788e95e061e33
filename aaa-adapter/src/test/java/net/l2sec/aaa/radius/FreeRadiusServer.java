package net.l2sec.aaa.radius;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real FreeRADIUS 3.2 ({@code /usr/sbin/freeradius}) on 127.0.0.1 with a complete minimal configuration written
 * into a temporary directory: PAP, CHAP, MS-CHAP(v2) and EAP (MD5, MSCHAPv2, no TLS) against a users file the
 * test supplies, accounting written by the detail module to {@link #detailFile()}. The single client is
 * 127.0.0.1 with the given secret and {@code require_message_authenticator = yes}, so an Access-Request without
 * Message-Authenticator is dropped by the server.
 *
 * <p>Reused by other modules through the aaa-adapter test-jar. Usage:
 * <pre>{@code
 * FreeRadiusServer radius = FreeRadiusServer.builder().authPort(18120).acctPort(18121).secret("s3cret")
 *         .users("alice Cleartext-Password := \"secret\"\n    Class = \"gold\"\n").build();
 * radius.start();  // bounded wait for "Ready to process requests"
 * ...
 * radius.close();
 * }</pre>
 * Missing binary: the JUnit assumption in {@link #assumeInstalled()} skips, unless system property
 * {@code l2sec.interop.required=true}, then it fails.
 */
public final class FreeRadiusServer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/freeradius");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final int authPort;
    private final int acctPort;
    private final String secret;
    private final String users;
    private final boolean replyMessageAuthenticator;
    private final boolean requireMessageAuthenticator;
    private final Path dir;
    private final Path logFile;
    private final String namespace;
    private Process process;

    private FreeRadiusServer(Builder b) throws IOException {
        this.authPort = b.authPort;
        this.acctPort = b.acctPort;
        this.secret = Objects.requireNonNull(b.secret, "secret");
        this.users = b.users;
        this.namespace = b.namespace;
        this.replyMessageAuthenticator = b.replyMessageAuthenticator;
        this.requireMessageAuthenticator = b.requireMessageAuthenticator;
        this.dir = Files.createTempDirectory("l2sec-freeradius-");
        this.logFile = dir.resolve("radiusd.out");
        writeConfig();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private int authPort = 18120;
        private int acctPort = 18121;
        private String secret = "testing123";
        private String users = "";
        private boolean replyMessageAuthenticator = true;
        private boolean requireMessageAuthenticator = true;
        private String namespace;

        /** Runs radiusd inside this network namespace ({@code ip netns exec}), beside a concentrator under test. */
        public Builder namespace(String ns) { this.namespace = ns; return this; }
        public Builder authPort(int port) { this.authPort = port; return this; }
        public Builder acctPort(int port) { this.acctPort = port; return this; }
        public Builder secret(String secret) { this.secret = secret; return this; }
        /** Contents of the rlm_files users file (FreeRADIUS "users" syntax). */
        public Builder users(String users) { this.users = users; return this; }
        /**
         * True (default): every Access-Accept/Reject carries a Message-Authenticator (FreeRADIUS 3.2.1 adds one
         * by itself only to EAP responses; the config asks for it in post-auth). False: as an unpatched server.
         */
        public Builder replyMessageAuthenticator(boolean on) { this.replyMessageAuthenticator = on; return this; }
        /** The client's require_message_authenticator (default yes). */
        public Builder requireMessageAuthenticator(boolean on) { this.requireMessageAuthenticator = on; return this; }

        public FreeRadiusServer build() {
            try {
                return new FreeRadiusServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Skips the calling test when FreeRADIUS is not installed, or fails when {@code l2sec.interop.required=true}. */
    public static void assumeInstalled() {
        boolean present = Files.isExecutable(BINARY);
        if (!present && Boolean.getBoolean("l2sec.interop.required")) {
            throw new AssertionError(BINARY + " is missing but l2sec.interop.required=true");
        }
        Assumptions.assumeTrue(present, BINARY + " not installed");
    }

    public int authPort() { return authPort; }
    public int acctPort() { return acctPort; }
    public String secret() { return secret; }
    public Path directory() { return dir; }
    public Path detailFile() { return dir.resolve("radacct").resolve("detail"); }

    /** Starts radiusd in the foreground with debug output and waits (bounded) until it is ready. */
    public synchronized FreeRadiusServer start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) return this;
        assumeInstalled();
        Files.writeString(logFile, "", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        long mark = Files.size(logFile);
        List<String> command = new java.util.ArrayList<>();
        if (namespace != null) command.addAll(List.of("ip", "netns", "exec", namespace));
        command.addAll(List.of(BINARY.toString(), "-f", "-X", "-d", dir.toString(), "-n", "radiusd"));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.readString(logFile, StandardCharsets.UTF_8);
            if (out.length() > mark && out.substring((int) mark).contains("Ready to process requests")) return this;
            if (!process.isAlive()) {
                throw new IllegalStateException("freeradius exited with " + process.exitValue() + ":\n" + log());
            }
            Thread.sleep(50);
        }
        stop();
        throw new IllegalStateException("freeradius not ready within " + START_TIMEOUT + ":\n" + log());
    }

    /** Stops radiusd (SIGTERM, then SIGKILL after 10 s); the configuration stays for {@link #start()}. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    public void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Everything radiusd printed since it was built (all starts). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<cannot read " + logFile + ": " + e + ">";
        }
    }

    /**
     * The accounting records the detail module wrote, oldest first: attribute name to value (quotes removed,
     * the last value wins for repeated attributes), plus {@code Timestamp-Line} with the record's header line.
     */
    public List<Map<String, String>> detailRecords() throws IOException {
        Path file = detailFile();
        List<Map<String, String>> records = new ArrayList<>();
        if (!Files.exists(file)) return records;
        Map<String, String> current = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                current = null;
            } else if (!Character.isWhitespace(line.charAt(0))) {
                current = new LinkedHashMap<>();
                current.put("Timestamp-Line", line.strip());
                records.add(current);
            } else if (current != null) {
                String t = line.strip();
                int eq = t.indexOf(" = ");
                if (eq < 0) continue;
                String value = t.substring(eq + 3);
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                current.put(t.substring(0, eq), value);
            }
        }
        return records;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("radacct"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
        // our own dictionary file is empty: the system dictionaries under dictdir have every attribute used here
        Files.writeString(dir.resolve("dictionary"), "# no local attributes\n");
        Files.writeString(dir.resolve("users"), users);
        Files.writeString(dir.resolve("clients.conf"), """
                client localhost {
                \tipaddr = 127.0.0.1
                \tproto = udp
                \tsecret = "%s"
                \trequire_message_authenticator = %s
                \tnas_type = other
                }
                """.formatted(secret.replace("\\", "\\\\").replace("\"", "\\\""),
                requireMessageAuthenticator ? "yes" : "no"));
        String replyMa = replyMessageAuthenticator ? """
                \t\tupdate reply {
                \t\t\tMessage-Authenticator := 0x00
                \t\t}
                """ : "";
        Files.writeString(dir.resolve("radiusd.conf"), """
                # written by l2sec's FreeRadiusServer test fixture
                prefix = /usr
                exec_prefix = /usr
                sysconfdir = /etc
                localstatedir = %1$s
                sbindir = /usr/sbin
                logdir = %1$s/log
                raddbdir = %1$s
                radacctdir = %1$s/radacct
                name = radiusd
                confdir = %1$s
                modconfdir = %1$s
                run_dir = %1$s/run
                db_dir = %1$s
                libdir = /usr/lib/freeradius
                dictdir = /usr/share/freeradius
                pidfile = %1$s/run/radiusd.pid
                max_request_time = 30
                cleanup_delay = 1
                max_requests = 1024
                hostname_lookups = no

                log {
                \tdestination = stdout
                \tcolourise = no
                \tstripped_names = no
                \tauth = yes
                \tauth_badpass = no
                \tauth_goodpass = no
                }

                security {
                \tallow_core_dumps = no
                \tmax_attributes = 200
                \treject_delay = 0
                \tstatus_server = no
                }

                thread pool {
                \tstart_servers = 2
                \tmax_servers = 8
                \tmin_spare_servers = 1
                \tmax_spare_servers = 4
                \tmax_requests_per_server = 0
                \tauto_limit_acct = no
                }

                $INCLUDE clients.conf

                modules {
                \tpap {
                \t\tnormalise = yes
                \t}
                \tchap {
                \t}
                \tmschap {
                \t\tuse_mppe = yes
                \t\trequire_encryption = no
                \t\trequire_strong = no
                \t\twith_ntdomain_hack = yes
                \t}
                \tfiles {
                \t\tfilename = %1$s/users
                \t\tacctusersfile = %1$s/acct_users
                \t}
                \teap {
                \t\tdefault_eap_type = mschapv2
                \t\ttimer_expire = 60
                \t\tignore_unknown_eap_types = no
                \t\tcisco_accounting_username_bug = no
                \t\tmax_sessions = 256
                \t\tmd5 {
                \t\t}
                \t\tmschapv2 {
                \t\t\tsend_error = yes
                \t\t}
                \t}
                \tdetail {
                \t\tfilename = %1$s/radacct/detail
                \t\tescape_filenames = no
                \t\tpermissions = 0600
                \t\theader = "%%t"
                \t\tlocking = no
                \t}
                }

                server default {
                \tlisten {
                \t\ttype = auth
                \t\tipaddr = 127.0.0.1
                \t\tport = %2$d
                \t}
                \tlisten {
                \t\ttype = acct
                \t\tipaddr = 127.0.0.1
                \t\tport = %3$d
                \t}
                \tauthorize {
                \t\tfiles
                \t\tchap
                \t\tmschap
                \t\teap {
                \t\t\tok = return
                \t\t}
                \t\tpap
                \t}
                \tauthenticate {
                \t\tAuth-Type PAP {
                \t\t\tpap
                \t\t}
                \t\tAuth-Type CHAP {
                \t\t\tchap
                \t\t}
                \t\tAuth-Type MS-CHAP {
                \t\t\tmschap
                \t\t}
                \t\teap
                \t}
                \tpreacct {
                \t}
                \taccounting {
                \t\tdetail
                \t}
                \tpost-auth {
                %4$s
                \t\tPost-Auth-Type REJECT {
                %4$s
                \t\t}
                \t}
                }
                """.formatted(dir, authPort, acctPort, replyMa));
        Files.writeString(dir.resolve("acct_users"), "");
    }

    /** For debugging a test: the written radiusd.conf. */
    public String config() throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("radiusd.conf"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "FreeRadiusServer[auth=127.0.0.1:" + authPort + ", acct=127.0.0.1:" + acctPort + ", dir=" + dir + "]";
    }
}
