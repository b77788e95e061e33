package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.SessionContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No known password ships: conf/users holds no account, and scripts/demo-user.sh (which scripts/start.sh runs on the
 * first start) adds "demo" with a random password it prints once, stores only the NT hash, and makes the file 0600.
 * Runs the script against a copy of the shipped file with the packaged jar.
 */
class DemoUserScriptIT {
    private static final Path REPO = Path.of(System.getProperty("l2sec.repo.dir", "..")).toAbsolutePath().normalize();
    private static final Pattern PASSWORD = Pattern.compile("with the random password: (\\S+)");

    @TempDir
    Path dir;

    private String script(Path users) throws Exception {
        Process p = new ProcessBuilder("bash", REPO.resolve("scripts/demo-user.sh").toString(), users.toString(),
                REPO.resolve("concentrator/target/l2sec-concentrator.jar").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static AuthResult login(LocalUserAuthenticator users, AuthMethod method, Credentials c) throws Exception {
        var session = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.7", 1701), 1, 1, Instant.EPOCH);
        return users.authenticate(new AuthRequest(session, method, c)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static MsChapV2Credentials msChapV2(String user, String password) {
        SecureRandom random = new SecureRandom();
        byte[] authenticator = new byte[16], peer = new byte[16];
        random.nextBytes(authenticator);
        random.nextBytes(peer);
        return new MsChapV2Credentials(user, authenticator, peer,
                MsChapV2.generateNtResponse(authenticator, peer, user, MsChapV2.ntPasswordHash(password)));
    }

    @Test
    void theShippedUsersFileHasNoAccountAndTheFirstStartAddsDemoWithARandomPasswordShownOnce() throws Exception {
        Path users = dir.resolve("users");
        Files.copy(REPO.resolve("conf/users"), users);
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--")); // as git checks it out
        assertThat(Files.readAllLines(users)).as("shipped without accounts").allMatch(l -> l.isBlank() || l.strip().startsWith("#"));

        String out = script(users);
        Matcher m = PASSWORD.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        String password = m.group(1);
        assertThat(password).hasSizeGreaterThanOrEqualTo(20).matches("[A-Za-z0-9]+");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users))).isEqualTo("rw-------");
        String content = Files.readString(users);
        assertThat(content).doesNotContain(password);
        List<String> accounts = Files.readAllLines(users).stream().filter(l -> !l.isBlank() && !l.strip().startsWith("#")).toList();
        assertThat(accounts).singleElement().satisfies(l -> assertThat(l).matches("demo nt:[0-9A-F]{32} .*"));

        LocalUserAuthenticator local = LocalUserAuthenticator.load(users);
        assertThat(login(local, AuthMethod.MSCHAPV2, msChapV2("demo", password))).isInstanceOf(AuthResult.Accept.class);
        assertThat(login(local, AuthMethod.PAP, new PapCredentials("demo", password.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(AuthResult.Accept.class);
        assertThat(login(local, AuthMethod.MSCHAPV2, msChapV2("demo", "password")))
                .isInstanceOfSatisfying(AuthResult.Reject.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS));
        assertThat(login(local, AuthMethod.MSCHAPV2, msChapV2("alice", "password")))
                .isInstanceOfSatisfying(AuthResult.Reject.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.UNKNOWN_USER));

        // later starts leave the file alone and show no password
        assertThat(script(users)).doesNotContain("password:");
        assertThat(Files.readString(users)).isEqualTo(content);
    }

    @Test
    void everyFirstStartGetsAnotherPassword() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        Files.copy(REPO.resolve("conf/users"), a);
        Files.copy(REPO.resolve("conf/users"), b);
        Matcher first = PASSWORD.matcher(script(a)), second = PASSWORD.matcher(script(b));
        assertThat(first.find() && second.find()).isTrue();
        assertThat(first.group(1)).isNotEqualTo(second.group(1));
    }
}
