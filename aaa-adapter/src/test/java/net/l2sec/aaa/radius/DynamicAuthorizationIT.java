package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** FreeRADIUS's radclient as the Dynamic Authorization Client against our server on 127.0.0.1:18150. */
class DynamicAuthorizationIT {
    private static final Path RADCLIENT = Path.of("/usr/bin/radclient");
    private static final String SECRET = "dynauth-it-secret";
    private static final int PORT = 18150;
    private static final FakeSessionControl control = new FakeSessionControl();
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static DynamicAuthorizationServer server;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(RADCLIENT);
        if (!present && Boolean.getBoolean("l2sec.interop.required")) {
            throw new AssertionError(RADCLIENT + " is missing but l2sec.interop.required=true");
        }
        Assumptions.assumeTrue(present, RADCLIENT + " not installed");
        dir = Files.createTempDirectory("l2sec-radclient-");
        Files.writeString(dir.resolve("dictionary"), "# the system dictionaries only\n");
        server = new DynamicAuthorizationServer(new DynamicAuthorizationSettings(new InetSocketAddress("127.0.0.1", PORT),
                List.of(new DynamicAuthorizationClient(FakeSessionControl.v4("127.0.0.1"), SECRET)), Duration.ofSeconds(300),
                true, "l2sec-it", Optional.empty()), control, registry);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.close();
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    /** Runs radclient with {@code attributes} on stdin; returns its output (stdout and stderr). */
    private static String radclient(String command, String secret, String attributes) throws Exception {
        Path secretFile = Files.writeString(Files.createTempFile(dir, "secret", ""), secret + "\n");
        Process p = new ProcessBuilder(RADCLIENT.toString(), "-x", "-r", "1", "-t", "2", "-d", dir.toString(),
                "-D", "/usr/share/freeradius", "-S", secretFile.toString(), "127.0.0.1:" + PORT, command)
                .redirectErrorStream(true).start();
        p.getOutputStream().write(attributes.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("radclient did not finish within 30 s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String now() {
        return "Event-Timestamp = " + System.currentTimeMillis() / 1000 + "\n";
    }

    @Test
    void disconnectRequestEndsTheSessionAndIsAcked() throws Exception {
        control.add(FakeSessionControl.session("DM-1", "alice", "10.8.0.5", Duration.ofMinutes(1), List.of()));
        String out = radclient("disconnect", SECRET, "User-Name = \"alice\"\nAcct-Session-Id = \"DM-1\"\n" + now()
                + "Message-Authenticator = 0x00\n");
        assertThat(out).contains("Received Disconnect-ACK");
        assertThat(control.disconnected).contains("DM-1");
    }

    @Test
    void aWrongSecretGetsNoAnswer() throws Exception {
        control.add(FakeSessionControl.session("DM-2", "bob", "10.8.0.6", Duration.ofMinutes(1), List.of()));
        String out = radclient("disconnect", "not-the-secret", "User-Name = \"bob\"\n" + now());
        assertThat(out).doesNotContain("Received Disconnect").contains("No reply from server");
        assertThat(control.disconnected).doesNotContain("DM-2");
        assertThat(registry.get("l2sec.radius.dynauth.requests").tag("reason", "bad_authenticator").counter().count()).isPositive();
    }

    @Test
    void anUnknownSessionIsNakedWithSessionContextNotFound() throws Exception {
        String out = radclient("disconnect", SECRET, "Acct-Session-Id = \"NO-SUCH-SESSION\"\n" + now());
        assertThat(out).contains("Received Disconnect-NAK").contains("Error-Cause = Session-Context-Not-Found");
    }

    @Test
    void coaRequestChangesTheSessionTimeout() throws Exception {
        control.add(FakeSessionControl.session("COA-1", "carol", "10.8.0.7", Duration.ofMinutes(1), List.of()));
        String out = radclient("coa", SECRET, "User-Name = \"carol\"\nSession-Timeout = 7200\n" + now());
        assertThat(out).contains("Received CoA-ACK");
        assertThat(control.reauthorized).contains(new FakeSessionControl.Reauthorization("COA-1",
                Optional.of(Duration.ofHours(2)), Optional.empty()));
    }
}
