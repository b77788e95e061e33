package net.l2sec.aaa.local;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Every stored form against every PPP method, with the RFC 2759 section 9.2 vectors for MS-CHAPv2. */
class LocalUserAuthenticatorTest {
    private static final HexFormat HEX = HexFormat.of();
    // RFC 2759 section 9.2
    private static final String USER = "User";
    private static final String PASSWORD = "clientPass";
    private static final byte[] AUTH_CHALLENGE = HEX.parseHex("5B5D7C7D7B3F2F3E3C2C602132262628");
    private static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255E262A28295F2B3A337C7E");
    private static final byte[] NT_RESPONSE = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
    private static final String AUTHENTICATOR_RESPONSE = "S=407A5589115FD0D6209F510FE9C04566932CDA56";

    private static final byte[] PBKDF2_SALT = "l2sec-test-salt!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    enum Form {
        PLAIN("plain:" + PASSWORD),
        NT("nt:44EBBA8D5312B8D611474411F56989AE"),
        PBKDF2("pbkdf2-sha256:1000:" + Base64.getEncoder().encodeToString(PBKDF2_SALT) + ":" + Base64.getEncoder()
                .encodeToString(StoredSecret.Pbkdf2Sha256.derive(PASSWORD.getBytes(StandardCharsets.UTF_8), PBKDF2_SALT, 1000, 32)));

        final String field;

        Form(String field) {
            this.field = field;
        }

        boolean supports(AuthMethod m) {
            return switch (this) {
                case PLAIN -> true;
                case NT -> m == AuthMethod.PAP || m == AuthMethod.MSCHAPV2 || m == AuthMethod.EAP_MSCHAPV2;
                case PBKDF2 -> m == AuthMethod.PAP;
            };
        }
    }

    static Stream<Arguments> formsAndMethods() {
        return Arrays.stream(Form.values()).flatMap(f -> AuthMethod.pppMethods().stream().map(m -> Arguments.of(f, m)));
    }

    private LocalUserAuthenticator authenticator(String... lines) throws Exception {
        Path file = dir.resolve("users");
        Files.write(file, List.of(lines));
        return LocalUserAuthenticator.load(file);
    }

    private static AuthResult run(LocalUserAuthenticator a, AuthMethod method, Credentials c) throws Exception {
        var session = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.7", 1701), 1, 1, Instant.EPOCH);
        return a.authenticate(new AuthRequest(session, method, c)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Credentials for {@code method} as a peer knowing {@code password} would send them. */
    private static Credentials credentials(AuthMethod method, String user, String password) {
        return switch (method) {
            case PAP -> new PapCredentials(user, password.getBytes(StandardCharsets.UTF_8));
            case CHAP_MD5, EAP_MD5 -> {
                byte[] challenge = HEX.parseHex("0123456789abcdef0123456789abcdef");
                var probe = new ChapCredentials(user, 7, challenge, new byte[16]);
                yield new ChapCredentials(user, 7, challenge, probe.expectedResponse(password.getBytes(StandardCharsets.UTF_8)));
            }
            case MSCHAPV2, EAP_MSCHAPV2 -> new MsChapV2Credentials(user, AUTH_CHALLENGE, PEER_CHALLENGE,
                    password.equals(PASSWORD) && user.endsWith(USER) ? NT_RESPONSE
                            : MsChapV2.generateNtResponse(AUTH_CHALLENGE, PEER_CHALLENGE, user, MsChapV2.ntPasswordHash(password)));
            case IKEV2_PSK, IKEV2_CERTIFICATE -> throw new IllegalArgumentException("no password in " + method);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("formsAndMethods")
    void rightPassword(Form form, AuthMethod method) throws Exception {
        var a = authenticator(USER + " " + form.field);

        AuthResult r = run(a, method, credentials(method, USER, PASSWORD));

        if (!form.supports(method)) {
            assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class,
                    j -> assertThat(j.reason()).isEqualTo(RejectReason.METHOD_UNSUPPORTED));
            return;
        }
        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, acc -> {
            assertThat(acc.user()).isEqualTo(USER);
            assertThat(acc.authorization().rule()).isEqualTo("local");
            if (method == AuthMethod.MSCHAPV2 || method == AuthMethod.EAP_MSCHAPV2) {
                assertThat(acc.authenticatorResponse()).hasValueSatisfying(
                        s -> assertThat(MsChapV2.authenticatorResponseString(s)).isEqualTo(AUTHENTICATOR_RESPONSE));
                // RFC 3079 section 3.5.3: the server's receive key (Magic2), its send key (the RFC's SendStartKey128), 32 zeros
                assertThat(acc.msk()).hasValueSatisfying(m -> assertThat(HEX.formatHex(m)).isEqualToIgnoringCase(
                        "D5F0E9521E3EA9589645E86051C82226" + "8B7CDC149B993A1BA118CB153F56DCCB" + "00".repeat(32)));
            } else {
                assertThat(acc.authenticatorResponse()).isEmpty();
                assertThat(acc.msk()).isEmpty();
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("formsAndMethods")
    void wrongPassword(Form form, AuthMethod method) throws Exception {
        var a = authenticator(USER + " " + form.field);

        AuthResult r = run(a, method, credentials(method, USER, "clientPasz"));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class, j -> assertThat(j.reason())
                .isEqualTo(form.supports(method) ? RejectReason.BAD_CREDENTIALS : RejectReason.METHOD_UNSUPPORTED));
    }

    @Test
    void unknownUser() throws Exception {
        var a = authenticator(USER + " " + Form.PLAIN.field);

        AuthResult r = run(a, AuthMethod.PAP, credentials(AuthMethod.PAP, "user", PASSWORD));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class,
                j -> assertThat(j.reason()).isEqualTo(RejectReason.UNKNOWN_USER));
    }

    @Test
    void disabledAccountIsRefusedEvenWithTheRightPassword() throws Exception {
        var a = authenticator(USER + " " + Form.NT.field + " disabled  # left the company");

        AuthResult r = run(a, AuthMethod.MSCHAPV2, credentials(AuthMethod.MSCHAPV2, USER, PASSWORD));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class,
                j -> assertThat(j.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED));
    }

    @Test
    void msChapV2DomainPrefixIsStripped() throws Exception {
        var a = authenticator(USER + " " + Form.NT.field);

        AuthResult r = run(a, AuthMethod.MSCHAPV2, credentials(AuthMethod.MSCHAPV2, "CORP\\User", PASSWORD));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, acc -> assertThat(acc.user()).isEqualTo(USER));
    }

    @Test
    void credentialsNotMatchingTheMethodAreAProtocolError() throws Exception {
        var a = authenticator(USER + " " + Form.PLAIN.field);

        AuthResult r = run(a, AuthMethod.MSCHAPV2, credentials(AuthMethod.PAP, USER, PASSWORD));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class,
                j -> assertThat(j.reason()).isEqualTo(RejectReason.PEER_PROTOCOL));
    }

    static Stream<Arguments> formsAndIkev2Methods() {
        return Arrays.stream(Form.values()).flatMap(f -> Stream.of(AuthMethod.IKEV2_PSK, AuthMethod.IKEV2_CERTIFICATE)
                .map(m -> Arguments.of(f, m)));
    }

    private static ProvenIdentity proven(String user) {
        return new ProvenIdentity(user, "certificate CN=" + user + " issued by CN=Test CA serial 1f");
    }

    /**
     * IKE verified the client (PSK or certificate): the user's line is enough, whatever form its secret is stored in,
     * and the accept is the one a password gives (rule local, no MS-CHAPv2 response, no MSK).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("formsAndIkev2Methods")
    void provenIdentityOfAnEnabledUserIsAcceptedWithoutASecret(Form form, AuthMethod method) throws Exception {
        var a = authenticator(USER + " " + form.field);

        AuthResult r = run(a, method, proven(USER));
        AuthResult byPassword = run(a, AuthMethod.PAP, credentials(AuthMethod.PAP, USER, PASSWORD));

        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, acc -> {
            assertThat(acc.user()).isEqualTo(USER);
            assertThat(acc.authorization()).isEqualTo(((AuthResult.Accept) byPassword).authorization());
            assertThat(acc.authorization().rule()).isEqualTo("local");
            assertThat(acc.authenticatorResponse()).isEmpty();
            assertThat(acc.msk()).isEmpty();
        });
    }

    /** A PBKDF2 user's proven identity costs no verification slot: accepted while every slot and the queue are taken. */
    @Test
    void provenIdentityOfAPbkdf2UserNeedsNoVerificationSlot() throws Exception {
        var limit = new VerificationLimit(1, 0, Duration.ZERO, new SimpleMeterRegistry());
        Path file = dir.resolve("users");
        Files.write(file, List.of(USER + " " + Form.PBKDF2.field));
        var a = LocalUserAuthenticator.load(file, limit);
        var hold = new CountDownLatch(1);
        Thread busy = Thread.ofVirtual().start(() -> limit.run(() -> {
            try {
                return hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        }));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (limit.running() != 1) {
                assertThat(System.nanoTime()).as("slot taken").isLessThan(deadline);
                Thread.sleep(5);
            }

            assertThat(run(a, AuthMethod.IKEV2_CERTIFICATE, proven(USER))).isInstanceOf(AuthResult.Accept.class);
            assertThat(run(a, AuthMethod.PAP, credentials(AuthMethod.PAP, USER, PASSWORD)))
                    .as("the password path does need a slot").isInstanceOfSatisfying(AuthResult.Reject.class,
                            j -> assertThat(j.reason()).isEqualTo(RejectReason.BACKEND_TIMEOUT));
        } finally {
            hold.countDown();
            busy.join(10_000);
        }
    }

    @Test
    void provenIdentityOfAnUnknownUserIsUnknownSoThePolicyAsksTheNextBackend() throws Exception {
        var a = authenticator(USER + " " + Form.PLAIN.field);

        assertThat(run(a, AuthMethod.IKEV2_PSK, proven("user")))
                .isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "no such local user"));
    }

    @Test
    void provenIdentityOfADisabledUserIsRefused() throws Exception {
        var a = authenticator(USER + " " + Form.NT.field + " disabled");

        assertThat(run(a, AuthMethod.IKEV2_CERTIFICATE, proven(USER))).isInstanceOfSatisfying(AuthResult.Reject.class,
                j -> assertThat(j.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED));
    }

    /** Names as the other paths treat them: a DOMAIN\ prefix is dropped (as for MS-CHAPv2), user@realm is a name of its own. */
    @Test
    void provenIdentityNamesAreLookedUpAsMsChapV2Names() throws Exception {
        var a = authenticator(USER + " " + Form.NT.field, "bob@corp.example " + Form.PBKDF2.field);

        assertThat(run(a, AuthMethod.IKEV2_PSK, proven("CORP\\User")))
                .isInstanceOfSatisfying(AuthResult.Accept.class, acc -> assertThat(acc.user()).isEqualTo(USER));
        assertThat(run(a, AuthMethod.IKEV2_CERTIFICATE, proven("bob@corp.example")))
                .isInstanceOfSatisfying(AuthResult.Accept.class, acc -> assertThat(acc.user()).isEqualTo("bob@corp.example"));
        assertThat(run(a, AuthMethod.IKEV2_CERTIFICATE, proven("User@corp.example"))).isInstanceOfSatisfying(
                AuthResult.Reject.class, j -> assertThat(j.reason()).isEqualTo(RejectReason.UNKNOWN_USER));
        assertThat(run(a, AuthMethod.IKEV2_CERTIFICATE, proven("bob"))).isInstanceOfSatisfying(
                AuthResult.Reject.class, j -> assertThat(j.reason()).isEqualTo(RejectReason.UNKNOWN_USER));
    }

    /** A proven identity is accepted only for the IKEv2 methods, and those methods only with a proven identity. */
    @Test
    void provenIdentityAndIkev2MethodsGoTogether() throws Exception {
        var a = authenticator(USER + " " + Form.PLAIN.field);

        for (AuthMethod ppp : AuthMethod.pppMethods()) {
            assertThat(run(a, ppp, proven(USER))).as(ppp.configName()).isInstanceOfSatisfying(AuthResult.Reject.class,
                    j -> assertThat(j.reason()).isEqualTo(RejectReason.PEER_PROTOCOL));
        }
        assertThat(run(a, AuthMethod.IKEV2_PSK, credentials(AuthMethod.PAP, USER, PASSWORD)))
                .isInstanceOfSatisfying(AuthResult.Reject.class, j -> assertThat(j.reason()).isEqualTo(RejectReason.PEER_PROTOCOL));
    }

    /** The operator sees who was authorized without a password, by what, and the answer; never the stored secret. */
    @Test
    void provenIdentityIsLoggedWithItsEvidence() throws Exception {
        var a = authenticator(USER + " " + Form.PLAIN.field, "eve\u0007 " + Form.PLAIN.field);
        Logger logger = (Logger) LoggerFactory.getLogger(LocalUserAuthenticator.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            run(a, AuthMethod.IKEV2_CERTIFICATE, proven(USER));
            run(a, AuthMethod.IKEV2_PSK, new ProvenIdentity("eve\u0007", "pre-shared key"));
        } finally {
            logger.detachAppender(appender);
        }
        List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst()).isEqualTo("local authorize session=t1/s1 user=User method=ikev2-certificate"
                + " evidence=\"certificate CN=User issued by CN=Test CA serial 1f\" accept user=User");
        assertThat(lines.get(1)).isEqualTo("local authorize session=t1/s1 user=\"eve\\x07\" method=ikev2-psk"
                + " evidence=\"pre-shared key\" accept user=\"eve\\x07\"");
        assertThat(String.join("\n", lines)).doesNotContain(PASSWORD);
    }

    /**
     * A flood of PAP logins against a PBKDF2 user costs at most the limit's slots: with every slot and the queue
     * taken, the next is refused at once as backend_timeout and counted as backend_busy, without verifying; the cheap
     * stored forms are not held up by it.
     */
    @Test
    void slowVerificationsBeyondTheLimitAreRefusedAndCountedCheapOnesAreNotHeldUp() throws Exception {
        var registry = new SimpleMeterRegistry();
        var limit = new VerificationLimit(1, 1, Duration.ofSeconds(30), registry);
        Path file = dir.resolve("users");
        Files.write(file, List.of(USER + " " + Form.PBKDF2.field, "other " + Form.NT.field));
        var a = LocalUserAuthenticator.load(file, limit);
        var hold = new CountDownLatch(1);
        // the one slot and the one queue place are taken by verifications that wait for the latch
        List<Thread> busy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            busy.add(Thread.ofVirtual().start(() -> limit.run(() -> {
                try {
                    return hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return false;
                }
            })));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (limit.running() != 1 || limit.waiting() != 1) {
            assertThat(System.nanoTime()).as("slot and queue taken").isLessThan(deadline);
            Thread.sleep(5);
        }

        AuthResult refused = run(a, AuthMethod.PAP, credentials(AuthMethod.PAP, USER, PASSWORD));
        assertThat(refused).isInstanceOfSatisfying(AuthResult.Reject.class, j -> {
            assertThat(j.reason()).isEqualTo(RejectReason.BACKEND_TIMEOUT);
            assertThat(j.detail()).contains("backend_busy");
        });
        assertThat(registry.get("l2sec.aaa.overload").tag("backend", "local").tag("reason", "backend_busy").counter().count())
                .isEqualTo(1);
        // an NT-hash user is checked at once, slots or not
        assertThat(run(a, AuthMethod.MSCHAPV2, credentials(AuthMethod.MSCHAPV2, "other", PASSWORD))).isInstanceOf(AuthResult.Accept.class);

        hold.countDown();
        for (Thread t : busy) t.join(Duration.ofSeconds(10));
        assertThat(run(a, AuthMethod.PAP, credentials(AuthMethod.PAP, USER, PASSWORD))).isInstanceOf(AuthResult.Accept.class);
    }

    @Test
    void checkRunsOnAVirtualThread() throws Exception {
        // a slow PBKDF2 check, so that the dependent stage is registered before the check completes and runs on
        // the completing thread
        var a = authenticator(USER + " pbkdf2-sha256:" + LocalUsers.PBKDF2_ITERATIONS
                + ":c2FsdHNhbHRzYWx0:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        var session = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.7", 1701), 1, 1, Instant.EPOCH);

        var stage = a.authenticate(new AuthRequest(session, AuthMethod.PAP, credentials(AuthMethod.PAP, USER, PASSWORD)));
        Thread t = stage.thenApply(r -> Thread.currentThread()).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getName()).isEqualTo("aaa-local");
    }

    /** No known password ships: the repository's user file loads and holds no account (scripts/start.sh adds one). */
    @Test
    void theShippedUsersFileLoadsAndAcceptsNobody() throws Exception {
        Path conf = Path.of("..", "conf", "users");
        assertThat(LocalUsers.parse(conf).size()).isZero();
        var a = LocalUserAuthenticator.load(conf);
        for (String user : List.of("alice", "bob", "demo")) {
            for (AuthMethod m : AuthMethod.pppMethods()) {
                assertThat(run(a, m, credentials(m, user, "password"))).isInstanceOfSatisfying(AuthResult.Reject.class,
                        j -> assertThat(j.reason()).isEqualTo(RejectReason.UNKNOWN_USER));
            }
        }
    }

    @Test
    void rejectDetailsAndToStringsCarryNoSecret() throws Exception {
        var a = authenticator(USER + " " + Form.PLAIN.field, "other " + Form.NT.field, "third " + Form.PBKDF2.field);

        for (String user : List.of(USER, "other", "third", "nobody")) {
            for (AuthMethod m : AuthMethod.pppMethods()) {
                AuthResult r = run(a, m, credentials(m, user, "wrongPassword"));
                assertThat(r.toString()).doesNotContain(PASSWORD, "44EBBA8D", "wrongPassword");
            }
        }
        assertThat(a.toString()).doesNotContain(PASSWORD, "44EBBA8D");
        assertThat(LocalUsers.parse(dir.resolve("users")).find(USER).orElseThrow().toString()).doesNotContain(PASSWORD);
        assertThat(LocalUsers.parse(dir.resolve("users")).find("other").orElseThrow().toString()).doesNotContainIgnoringCase("44EBBA8D");
    }
}
