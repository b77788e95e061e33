package net.l2sec.aaa.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link LdapAuthenticator} against a real Samba AD DC on loopback ({@link SambaAdDc}). */
class LdapAuthenticatorIT {
    private static SambaAdDc dc;
    private static SimpleMeterRegistry registry;
    /** LDAPS, AD_IN_CHAIN. */
    private static LdapAuthenticator ldaps;

    @BeforeAll
    static void startDc() throws Exception {
        dc = SambaAdDc.start();
        registry = new SimpleMeterRegistry();
        ldaps = new LdapAuthenticator(dc.settings(), registry);
    }

    @AfterAll
    static void stopDc() {
        if (ldaps != null) ldaps.close();
        if (dc != null) dc.close();
    }

    private static AuthResult auth(LdapAuthenticator a, Credentials credentials) throws Exception {
        SessionContext session = new SessionContext("t1/s1", new InetSocketAddress("127.0.0.1", 1701), 1, 1, Instant.now());
        AuthMethod method = credentials instanceof PapCredentials ? AuthMethod.PAP : AuthMethod.CHAP_MD5;
        return a.authenticate(new AuthRequest(session, method, credentials)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static PapCredentials pap(String user, String password) {
        return new PapCredentials(user, password.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsBySamAccountNameWithNestedGroups() throws Exception {
        AuthResult r = auth(ldaps, pap(SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD));
        assertThat(r).isInstanceOf(AuthResult.Accept.class);
        AuthResult.Accept a = (AuthResult.Accept) r;
        assertThat(a.user()).isEqualTo(SambaAdDc.ALICE);
        assertThat(a.authenticatorResponse()).isEmpty();
        assertThat(a.authorization().rule()).isEqualTo("ldap");
        assertThat(a.authorization().groups()).containsExactlyInAnyOrder(
                dc.groupDn(SambaAdDc.STAFF), dc.groupDn(SambaAdDc.VPN_USERS));
    }

    @Test
    void acceptsByUpnAndByDomainPrefix() throws Exception {
        AuthResult byUpn = auth(ldaps, pap(dc.upn(SambaAdDc.BOB), SambaAdDc.BOB_PASSWORD));
        assertThat(byUpn).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.user()).isEqualTo(SambaAdDc.BOB);
            assertThat(a.authorization().groups()).containsExactly(dc.groupDn(SambaAdDc.CONTRACTORS));
        });
        AuthResult byDomain = auth(ldaps, pap(SambaAdDc.DOMAIN + "\\" + SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD));
        assertThat(byDomain).isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo(SambaAdDc.ALICE));
    }

    @Test
    void wrongPasswordIsBadCredentials() throws Exception {
        assertThat(auth(ldaps, pap(SambaAdDc.BOB, "not-" + SambaAdDc.BOB_PASSWORD)))
                .isEqualTo(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password"));
    }

    @Test
    void emptyPasswordIsRefusedWithoutBinding() throws Exception {
        assertThat(auth(ldaps, pap(SambaAdDc.ALICE, "")))
                .isEqualTo(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "empty password"));
    }

    @Test
    void unknownUser() throws Exception {
        assertThat(auth(ldaps, pap("mallory", "whatever-1!"))).isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
        // a filter metacharacter in the name must not widen the search
        assertThat(auth(ldaps, pap("*", "whatever-1!"))).isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
    }

    @Test
    void disabledAccount() throws Exception {
        assertThat(auth(ldaps, pap(SambaAdDc.CAROL, SambaAdDc.CAROL_PASSWORD)))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "account disabled"));
        // wrong password too: the entry's userAccountControl still explains it
        assertThat(auth(ldaps, pap(SambaAdDc.CAROL, "wrong")))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "account disabled"));
    }

    @Test
    void lockedOutAccount() throws Exception {
        assertThat(auth(ldaps, pap(SambaAdDc.DAVE, SambaAdDc.DAVE_PASSWORD)))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "locked out"));
    }

    @Test
    void otherMethodsAreUnsupported() throws Exception {
        AuthResult r = auth(ldaps, new ChapCredentials(SambaAdDc.ALICE, 1, new byte[16], new byte[16]));
        assertThat(r).isEqualTo(new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED,
                "LDAP verifies PAP only; route MS-CHAPv2/CHAP/EAP to RADIUS"));
    }

    /** An IKEv2 client IKE verified (certificate or pre-shared key): authorized by the service account alone. */
    private static AuthResult authorize(LdapAuthenticator a, AuthMethod method, String user) throws Exception {
        SessionContext session = new SessionContext("t1/s1", new InetSocketAddress("127.0.0.1", 4500), 1, 1, Instant.now());
        return a.authenticate(new AuthRequest(session, method, new ProvenIdentity(user, "certificate CN=" + user + " issued by CN=Test CA")))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void provenIdentityIsAuthorizedWithNestedGroupsBySamAccountNameUpnAndDomainPrefix() throws Exception {
        assertThat(authorize(ldaps, AuthMethod.IKEV2_CERTIFICATE, SambaAdDc.ALICE)).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.user()).isEqualTo(SambaAdDc.ALICE);
            assertThat(a.authenticatorResponse()).isEmpty();
            assertThat(a.msk()).isEmpty();
            assertThat(a.authorization().rule()).isEqualTo("ldap");
            assertThat(a.authorization().groups()).containsExactlyInAnyOrder(
                    dc.groupDn(SambaAdDc.STAFF), dc.groupDn(SambaAdDc.VPN_USERS));
        });
        assertThat(authorize(ldaps, AuthMethod.IKEV2_PSK, dc.upn(SambaAdDc.BOB))).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.user()).isEqualTo(SambaAdDc.BOB);
            assertThat(a.authorization().groups()).containsExactly(dc.groupDn(SambaAdDc.CONTRACTORS));
        });
        assertThat(authorize(ldaps, AuthMethod.IKEV2_CERTIFICATE, SambaAdDc.DOMAIN + "\\" + SambaAdDc.ALICE))
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo(SambaAdDc.ALICE));
    }

    @Test
    void provenIdentityOfAnUnknownUserIsUnknown() throws Exception {
        assertThat(authorize(ldaps, AuthMethod.IKEV2_PSK, "mallory")).isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
        // a filter metacharacter in the name must not widen the search into "any user"
        assertThat(authorize(ldaps, AuthMethod.IKEV2_CERTIFICATE, "*")).isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
        assertThat(authorize(ldaps, AuthMethod.IKEV2_CERTIFICATE, "ali*")).isEqualTo(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user"));
    }

    /** Without a bind, the account attributes alone refuse a disabled or locked-out user. */
    @Test
    void provenIdentityOfADisabledOrLockedOutUserIsRefused() throws Exception {
        assertThat(authorize(ldaps, AuthMethod.IKEV2_CERTIFICATE, SambaAdDc.CAROL))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "account disabled"));
        assertThat(authorize(ldaps, AuthMethod.IKEV2_PSK, SambaAdDc.DAVE))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "locked out"));
    }

    @Test
    void provenIdentityWithMemberOfWalkOverStartTls() throws Exception {
        LdapSettings s = dc.settings().withUrls(List.of(dc.ldapUrl())).withStartTls(true)
                .withGroupMode(GroupMode.MEMBER_OF_WALK, LdapSettings.AD_USER_FILTER);
        try (LdapAuthenticator a = new LdapAuthenticator(s, new SimpleMeterRegistry())) {
            assertThat(authorize(a, AuthMethod.IKEV2_CERTIFICATE, dc.upn(SambaAdDc.ALICE))).isInstanceOfSatisfying(AuthResult.Accept.class,
                    acc -> assertThat(acc.authorization().groups()).containsExactlyInAnyOrder(
                            dc.groupDn(SambaAdDc.STAFF), dc.groupDn(SambaAdDc.VPN_USERS)));
        }
    }

    /** A proven identity belongs to the IKEv2 methods: with a PPP method it is a protocol error, no search. */
    @Test
    void provenIdentityWithAPppMethodIsAProtocolError() throws Exception {
        assertThat(authorize(ldaps, AuthMethod.PAP, SambaAdDc.ALICE)).isInstanceOfSatisfying(AuthResult.Reject.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.PEER_PROTOCOL));
    }

    @Test
    void groupDirectoryResolvesNestedGroups() throws Exception {
        Set<String> alice = ldaps.groupsOf(SambaAdDc.ALICE).toCompletableFuture().get(60, TimeUnit.SECONDS);
        Set<String> bob = ldaps.groupsOf(dc.upn(SambaAdDc.BOB)).toCompletableFuture().get(60, TimeUnit.SECONDS);
        Set<String> nobody = ldaps.groupsOf("mallory").toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(alice).contains(dc.groupDn(SambaAdDc.VPN_USERS), dc.groupDn(SambaAdDc.STAFF));
        assertThat(bob).contains(dc.groupDn(SambaAdDc.CONTRACTORS)).doesNotContain(dc.groupDn(SambaAdDc.VPN_USERS));
        assertThat(nobody).isEmpty();
    }

    @Test
    void startTlsWithMemberOfWalk() throws Exception {
        LdapSettings s = dc.settings().withUrls(List.of(dc.ldapUrl())).withStartTls(true)
                .withGroupMode(GroupMode.MEMBER_OF_WALK, LdapSettings.AD_USER_FILTER);
        try (LdapAuthenticator a = new LdapAuthenticator(s, new SimpleMeterRegistry())) {
            AuthResult r = auth(a, pap(dc.upn(SambaAdDc.ALICE), SambaAdDc.ALICE_PASSWORD));
            assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, acc -> assertThat(acc.authorization().groups())
                    .containsExactlyInAnyOrder(dc.groupDn(SambaAdDc.STAFF), dc.groupDn(SambaAdDc.VPN_USERS)));
            assertThat(a.groupsOf(SambaAdDc.BOB).toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .containsExactly(dc.groupDn(SambaAdDc.CONTRACTORS));
        }
    }

    @Test
    void failsOverFromAClosedPortAndMarksItDown() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        URI dead = URI.create("ldaps://127.0.0.1:" + closed);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (LdapAuthenticator a = new LdapAuthenticator(dc.settings().withUrls(List.of(dead, dc.ldapsUrl())), meters)) {
            assertThat(auth(a, pap(SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD))).isInstanceOf(AuthResult.Accept.class);
            assertThat(meters.get("l2sec.aaa.server.up").tag("server", "ldaps://127.0.0.1:" + closed).gauge().value()).isZero();
            assertThat(meters.get("l2sec.aaa.server.up").tag("server", "ldaps://127.0.0.1:636").gauge().value()).isEqualTo(1.0);
            assertThat(meters.get("l2sec.aaa.request.duration").tags("server", "ldaps://127.0.0.1:636", "purpose", "auth",
                    "result", "accept").timer().count()).isEqualTo(1);
            // while dead, the closed port is not tried first: the next request is served without touching it
            assertThat(auth(a, pap(SambaAdDc.BOB, SambaAdDc.BOB_PASSWORD))).isInstanceOf(AuthResult.Accept.class);
            assertThat(meters.get("l2sec.aaa.request.duration").tags("server", "ldaps://127.0.0.1:" + closed).timer().count()).isEqualTo(1);
        }
    }

    @Test
    void deadServerComesBackAfterDeadTime() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String name = "ldaps://127.0.0.1:" + port;
        LdapSettings s = dc.settings().withUrls(List.of(URI.create(name), dc.ldapsUrl()))
                .withTimeouts(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(500));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (LdapAuthenticator a = new LdapAuthenticator(s, meters)) {
            assertThat(auth(a, pap(SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD))).isInstanceOf(AuthResult.Accept.class);
            assertThat(meters.get("l2sec.aaa.server.up").tag("server", name).gauge().value()).isZero();
            try (TcpForwarder ignored = new TcpForwarder(port, 636)) {
                Thread.sleep(600); // past the dead time
                assertThat(auth(a, pap(SambaAdDc.BOB, SambaAdDc.BOB_PASSWORD))).isInstanceOf(AuthResult.Accept.class);
                assertThat(meters.get("l2sec.aaa.server.up").tag("server", name).gauge().value()).isEqualTo(1.0);
                assertThat(meters.get("l2sec.aaa.request.duration").tags("server", name, "result", "accept").timer().count()).isEqualTo(1);
            }
        }
    }

    /** 127.0.0.1:listen relayed to 127.0.0.1:target, a server that can be switched on. */
    private static final class TcpForwarder implements AutoCloseable {
        private final ServerSocket server;

        TcpForwarder(int listen, int target) throws java.io.IOException {
            server = new ServerSocket(listen, 10, java.net.InetAddress.getByName("127.0.0.1"));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        java.net.Socket out = new java.net.Socket("127.0.0.1", target);
                        Thread.ofVirtual().start(() -> pipe(in, out));
                        Thread.ofVirtual().start(() -> pipe(out, in));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        private static void pipe(java.net.Socket from, java.net.Socket to) {
            try (from; to) {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (java.io.IOException ignored) {
                // one side closed
            }
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
    }

    @Test
    void silentServerTimesOutAndFailsOver() throws Exception {
        // accepts TCP (kernel backlog) but never answers: the TLS handshake must time out
        try (ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.1"))) {
            String name = "ldaps://127.0.0.1:" + silent.getLocalPort();
            LdapSettings s = dc.settings().withUrls(List.of(URI.create(name), dc.ldapsUrl()))
                    .withTimeouts(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(30));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            try (LdapAuthenticator a = new LdapAuthenticator(s, meters)) {
                assertThat(auth(a, pap(SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD))).isInstanceOf(AuthResult.Accept.class);
                assertThat(meters.get("l2sec.aaa.server.up").tag("server", name).gauge().value()).isZero();
                assertThat(meters.get("l2sec.aaa.timeouts").tags("server", name, "purpose", "auth").counter().count()).isEqualTo(1.0);
            }
        }
    }

    @Test
    void untrustedCertificateIsABackendError() throws Exception {
        LdapSettings jvmTrust = new LdapSettings(List.of(dc.ldapsUrl()), false, Optional.empty(), dc.serviceDn(),
                SambaAdDc.SERVICE_PASSWORD.getBytes(StandardCharsets.UTF_8), SambaAdDc.BASE_DN, LdapSettings.AD_USER_FILTER,
                GroupMode.AD_IN_CHAIN, 1, LdapSettings.DEFAULT_CONNECT_TIMEOUT, LdapSettings.DEFAULT_OPERATION_TIMEOUT,
                LdapSettings.DEFAULT_DEAD_TIME);
        try (LdapAuthenticator a = new LdapAuthenticator(jvmTrust, new SimpleMeterRegistry())) {
            AuthResult r = auth(a, pap(SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD));
            assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class, rej -> assertThat(rej.reason()).isEqualTo(RejectReason.BACKEND_ERROR));
        }
    }

    @Test
    void wrongServicePasswordMarksServerDead() throws Exception {
        LdapSettings s = dc.settings();
        LdapSettings bad = new LdapSettings(s.urls(), false, s.trustedCertificates(), s.bindDn(),
                "wrong".getBytes(StandardCharsets.UTF_8), s.baseDn(), s.userFilter(), s.groupMode(), 1,
                s.connectTimeout(), s.operationTimeout(), s.deadTime());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (LdapAuthenticator a = new LdapAuthenticator(bad, meters)) {
            assertThat(auth(a, pap(SambaAdDc.BOB, SambaAdDc.BOB_PASSWORD)))
                    .isInstanceOfSatisfying(AuthResult.Reject.class, rej -> assertThat(rej.reason()).isEqualTo(RejectReason.BACKEND_ERROR));
            assertThat(meters.get("l2sec.aaa.server.up").gauge().value()).isZero();
        }
    }

    @Test
    void hostNameIsVerified() throws Exception {
        // Samba also listens on ::1, which the certificate does not name: the same CA, the wrong host
        try (LdapAuthenticator a = new LdapAuthenticator(dc.settings().withUrls(List.of(URI.create("ldaps://[::1]:636"))),
                new SimpleMeterRegistry())) {
            AuthResult r = auth(a, pap(SambaAdDc.ALICE, SambaAdDc.ALICE_PASSWORD));
            assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class, rej -> {
                assertThat(rej.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
                assertThat(rej.detail()).contains("does not name host ::1");
            });
        }
    }

    @Test
    void serverCertificateNamesLoopbackOnly() throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(dc.caCertificate().resolveSibling("cert.pem"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(TlsTrust.matchesHost(cert, "127.0.0.1")).isTrue();
        assertThat(TlsTrust.matchesHost(cert, "localhost")).isTrue();
        assertThat(TlsTrust.matchesHost(cert, "127.0.0.2")).isFalse();
        assertThat(TlsTrust.matchesHost(cert, "dc1.l2sec.test")).isFalse();
    }
}
