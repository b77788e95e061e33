package net.l2sec.concentrator.eap;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.l2sec.aaa.local.LocalUserAuthenticator;
import net.l2sec.aaa.radius.EapMsChapV2Peer;
import net.l2sec.aaa.radius.FreeRadiusServer;
import net.l2sec.aaa.radius.RadiusAuthenticator;
import net.l2sec.aaa.radius.RadiusClientSettings;
import net.l2sec.aaa.radius.RadiusServer;
import net.l2sec.dataplane.auth.eap.EapAuthenticator;
import net.l2sec.dataplane.auth.eap.EapDiscard;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.SessionContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IKEv2 responder's EAP, {@link EapAuthenticator}, against the real backends: an EAP-MSCHAPv2 client (the
 * aaa-adapter's {@link EapMsChapV2Peer}, which checks the server's "S=" authenticator response) authenticating
 * against the local user file (the method run here) and against a real FreeRADIUS on 127.0.0.1:18190 (relayed, RFC
 * 3579). Either way the accept's MSK must be the one the client computes from its password (RFC 3079, [MS-CHAP]).
 */
class EapAuthenticatorBackendsIT {
    private static final int AUTH_PORT = 18190;
    private static final String SECRET = "eap-it-secret";
    private static final SessionContext SESSION =
            new SessionContext("t3/s4", new InetSocketAddress("192.0.2.44", 4500), 3, 4, Instant.parse("2026-01-01T00:00:00Z"));
    private static FreeRadiusServer radius;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(FreeRadiusServer.BINARY)) return;   // the RADIUS test assumes it; the local one runs anyway
        radius = FreeRadiusServer.builder().authPort(AUTH_PORT).acctPort(AUTH_PORT + 1).secret(SECRET)
                .users("alice Cleartext-Password := \"secret\"\n").build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (radius != null) radius.close();
    }

    /** The host the IKEv2 responder will be: backend answers delivered after the call returns, as from another thread. */
    static final class Host implements EapAuthenticator.Host {
        final Authenticator backend;
        final Deque<byte[]> toPeer = new ArrayDeque<>();
        final Deque<Runnable> decisions = new ArrayDeque<>();
        final List<EapDiscard> discards = new ArrayList<>();
        AuthResult.Accept accept;
        RejectReason reason;
        byte[] last;

        Host(Authenticator backend) {
            this.backend = backend;
        }

        @Override
        public void send(byte[] eapRequest) {
            toPeer.add(eapRequest);
        }

        @Override
        public void verify(AuthMethod method, String user, Credentials credentials, Consumer<AuthResult> onResult) {
            CompletableFuture<AuthResult> f = backend.authenticate(new AuthRequest(SESSION, method, credentials)).toCompletableFuture();
            decisions.add(() -> {
                try {
                    onResult.accept(f.get(20, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }

        @Override
        public void succeeded(AuthMethod method, AuthResult.Accept accept, byte[] eapSuccess) {
            this.accept = accept;
            last = eapSuccess;
        }

        @Override
        public void failed(AuthMethod method, RejectReason reason, String detail, byte[] eapFailure) {
            this.reason = reason;
            last = eapFailure;
        }

        @Override
        public void malformed(EapDiscard reason, String detail) {
            discards.add(reason);
        }

        /** Runs the conversation to its end (bounded): the peer answers every Request, the backend every question. */
        void converse(EapAuthenticator eap, EapMsChapV2Peer peer) {
            eap.start("alice");
            for (int round = 0; round < 20 && !eap.done(); round++) {
                if (!decisions.isEmpty()) {
                    decisions.removeFirst().run();
                } else {
                    byte[] request = toPeer.removeFirst();
                    eap.receive(request[4] == 1 ? peer.identityResponse(request[1] & 0xff) : peer.answer(request));
                }
            }
            assertThat(eap.done()).as("the conversation ended").isTrue();
            assertThat(discards).isEmpty();
        }
    }

    @Test
    void localUsersRunEapMsChapV2HereAndGiveTheClientsMsk() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "alice plain:secret\n");
        Host host = new Host(LocalUserAuthenticator.load(users));
        EapMsChapV2Peer peer = new EapMsChapV2Peer("alice", "secret");

        host.converse(new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), false, new SecureRandom()), peer);

        assertThat(host.accept).as("accepted").isNotNull();
        assertThat(peer.successVerified()).as("the client verified our S=").isTrue();
        assertThat(host.last[0]).as("EAP-Success").isEqualTo((byte) 3);
        byte[] clients = MsChapV2.eapMsk(MsChapV2.ntPasswordHash("secret"), peer.ntResponse());
        assertThat(host.accept.msk()).hasValueSatisfying(m -> assertThat(hex(m)).isEqualTo(hex(clients)));
    }

    private static RadiusAuthenticator radiusAuthenticator() {
        FreeRadiusServer.assumeInstalled();
        var server = new RadiusServer("freeradius", new InetSocketAddress("127.0.0.1", AUTH_PORT), Optional.empty(),
                SECRET.getBytes(StandardCharsets.UTF_8));
        var settings = new RadiusClientSettings(List.of(server), Duration.ofSeconds(2), 1, Duration.ofSeconds(10), "l2sec-it",
                Optional.empty(), RadiusClientSettings.DEFAULT_GROUP_ATTRIBUTES);
        return RadiusAuthenticator.create(settings, new SimpleMeterRegistry());
    }

    @Test
    void freeRadiusRunsEapMsChapV2RelayedAndItsLastAcceptGivesTheClientsMsk() throws Exception {
        try (RadiusAuthenticator backend = radiusAuthenticator()) {
            Host host = new Host(backend);
            EapMsChapV2Peer peer = new EapMsChapV2Peer("alice", "secret");

            host.converse(new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new SecureRandom()), peer);

            assertThat(host.accept).as(radius.log()).isNotNull();
            assertThat(peer.successVerified()).as("FreeRADIUS's S= verified by the client").isTrue();
            byte[] clients = MsChapV2.eapMsk(MsChapV2.ntPasswordHash("secret"), peer.ntResponse());
            assertThat(host.accept.msk()).hasValueSatisfying(m -> assertThat(hex(m)).isEqualTo(hex(clients)));
        }
    }

    @Test
    void freeRadiusRefusesAWrongPasswordRelayed() throws Exception {
        try (RadiusAuthenticator backend = radiusAuthenticator()) {
            Host host = new Host(backend);
            EapMsChapV2Peer peer = new EapMsChapV2Peer("alice", "wrong");

            host.converse(new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new SecureRandom()), peer);

            assertThat(host.accept).isNull();
            assertThat(host.reason).as(radius.log()).isEqualTo(RejectReason.BAD_CREDENTIALS);
            assertThat(host.last[0]).as("EAP-Failure").isEqualTo((byte) 4);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
