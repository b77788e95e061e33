package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy rule's {@code max-sessions} travels with the accept ({@code Authorization.maxSessions}), so the
 * dataplane can count the session and check the limit in one step; a reload brings the new rule's limit.
 */
class AaaWiringSessionLimitTest {
    private static final String CONFIG = """
            pools:
              - name: default
                range: 10.99.0.10-10.99.0.20
            aaa:
              local:
                users-file: users
              policy:
                rules:
                  - name: everyone
                    action: allow
                    max-sessions: 2
            l2tp:
              require-ipsec: false
            """;

    @TempDir
    Path dir;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ConcentratorConfig load(String yaml) throws Exception {
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        Path f = dir.resolve("c" + System.nanoTime() + ".yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    private static AuthResult alice(AaaWiring aaa) throws Exception {
        var context = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 1701), 1, 1, Instant.EPOCH);
        return aaa.authenticator().authenticate(new AuthRequest(context, AuthMethod.PAP,
                new PapCredentials("alice", "password".getBytes()))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theAcceptCarriesTheRulesSessionLimit() throws Exception {
        var scheduler = new EventLoopScheduler(group.next());
        var registry = new SimpleMeterRegistry();
        try (AaaWiring aaa = AaaWiring.build(load(CONFIG).aaa(), new SessionRegistry(), Duration.ofSeconds(5),
                scheduler, registry)) {
            AuthResult r = alice(aaa);
            assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
                assertThat(a.authorization().rule()).isEqualTo("everyone");
                assertThat(a.authorization().maxSessions()).isEqualTo(OptionalInt.of(2));
            });

            aaa.reload(load(CONFIG.replace("max-sessions: 2", "max-sessions: 5")).aaa());
            assertThat(((AuthResult.Accept) alice(aaa)).authorization().maxSessions()).isEqualTo(OptionalInt.of(5));

            aaa.reload(load(CONFIG.replace("max-sessions: 2", "idle-timeout: 1h")).aaa());
            assertThat(((AuthResult.Accept) alice(aaa)).authorization().maxSessions()).isEmpty();
        }
    }

    /** The EAP-MSCHAPv2 MSK (IKEv2 signs its AUTH with it) passes the policy and the session-limit wrapper with the accept. */
    @Test
    void theMskOfAnMsChapV2AcceptSurvivesTheWiring() throws Exception {
        var scheduler = new EventLoopScheduler(group.next());
        try (AaaWiring aaa = AaaWiring.build(load(CONFIG).aaa(), new SessionRegistry(), Duration.ofSeconds(5),
                scheduler, new SimpleMeterRegistry())) {
            byte[] authChallenge = new byte[16], peerChallenge = new byte[16];
            authChallenge[0] = 1;
            peerChallenge[0] = 2;
            byte[] hash = net.l2sec.spi.auth.MsChapV2.ntPasswordHash("password");
            byte[] nt = net.l2sec.spi.auth.MsChapV2.generateNtResponse(authChallenge, peerChallenge, "alice", hash);
            var context = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 1701), 1, 1, Instant.EPOCH);
            AuthResult r = aaa.authenticator().authenticate(new AuthRequest(context, AuthMethod.EAP_MSCHAPV2,
                    new net.l2sec.spi.auth.MsChapV2Credentials("alice", authChallenge, peerChallenge, nt)))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
                assertThat(a.authorization().maxSessions()).isEqualTo(OptionalInt.of(2));
                assertThat(a.msk()).hasValue(net.l2sec.spi.auth.MsChapV2.eapMsk(hash, nt));
            });
        }
    }

    /**
     * The wiring the IKEv2 responder calls: a PSK or certificate client's proven identity follows the default route
     * (the local file here) and gets the rule's limits like a password login; a user the file lacks is unknown; a
     * method routed nowhere is refused as method_unsupported.
     */
    @Test
    void aProvenIdentityFollowsTheDefaultIkev2Routes() throws Exception {
        var scheduler = new EventLoopScheduler(group.next());
        var context = new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 4500), 1, 1, Instant.EPOCH);
        try (AaaWiring aaa = AaaWiring.build(load(CONFIG).aaa(), new SessionRegistry(), Duration.ofSeconds(5),
                scheduler, new SimpleMeterRegistry())) {
            for (AuthMethod m : java.util.List.of(AuthMethod.IKEV2_PSK, AuthMethod.IKEV2_CERTIFICATE)) {
                AuthResult r = aaa.authenticator().authenticate(new AuthRequest(context, m,
                        new net.l2sec.spi.auth.ProvenIdentity("alice", "certificate CN=alice"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(r).as(m.configName()).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
                    assertThat(a.user()).isEqualTo("alice");
                    assertThat(a.authorization().rule()).isEqualTo("everyone");
                    assertThat(a.authorization().maxSessions()).isEqualTo(OptionalInt.of(2));
                });
            }
            AuthResult unknown = aaa.authenticator().authenticate(new AuthRequest(context, AuthMethod.IKEV2_PSK,
                    new net.l2sec.spi.auth.ProvenIdentity("mallory", "pre-shared key"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(unknown).isInstanceOfSatisfying(AuthResult.Reject.class,
                    j -> assertThat(j.reason()).isEqualTo(net.l2sec.spi.auth.RejectReason.UNKNOWN_USER));

            aaa.reload(load(CONFIG.replace("  policy:", "  methods:\n    ikev2-certificate: []\n  policy:")).aaa());
            AuthResult nowhere = aaa.authenticator().authenticate(new AuthRequest(context, AuthMethod.IKEV2_CERTIFICATE,
                    new net.l2sec.spi.auth.ProvenIdentity("alice", "certificate CN=alice"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(nowhere).isEqualTo(new AuthResult.Reject(net.l2sec.spi.auth.RejectReason.METHOD_UNSUPPORTED,
                    "no backend configured for ikev2-certificate"));
        }
    }
}
