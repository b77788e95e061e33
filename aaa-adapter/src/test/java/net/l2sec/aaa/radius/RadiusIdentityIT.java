package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.session.SessionContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whose session it is, against a real FreeRADIUS on 127.0.0.1:18170: the accepted user is the User-Name of the
 * Access-Accept when the server sends one (its canonical name), else the name the request presented (RFC 2865
 * section 5.1). For EAP-MSCHAPv2 relayed to the server the presented name is the EAP identity.
 */
class RadiusIdentityIT {
    private static final String SECRET = "identity-it-secret";
    private static final String USERS = """
            Carol Cleartext-Password := "secret"
            \tUser-Name := "carol@corp.example"
            alice Cleartext-Password := "secret"
            mallory Cleartext-Password := "mallory-pw"
            """;
    private static final SessionContext SESSION =
            new SessionContext("t3/s4", new InetSocketAddress("192.0.2.20", 4500), 3, 4, Instant.parse("2026-01-01T00:00:00Z"));
    private static FreeRadiusServer radius;
    private static RadiusAuthenticator authenticator;

    @BeforeAll
    static void start() throws Exception {
        FreeRadiusServer.assumeInstalled();
        radius = FreeRadiusServer.builder().authPort(18170).acctPort(18171).secret(SECRET).users(USERS).build().start();
        RadiusServer server = new RadiusServer("fr", new InetSocketAddress("127.0.0.1", 18170), Optional.empty(),
                SECRET.getBytes(StandardCharsets.UTF_8));
        authenticator = RadiusAuthenticator.create(new RadiusClientSettings(List.of(server), Duration.ofSeconds(2), 1,
                Duration.ofSeconds(5), "l2sec-it", Optional.empty(), List.of()), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() throws Exception {
        if (authenticator != null) authenticator.close();
        if (radius != null) radius.close();
    }

    private static AuthResult pap(String user, String password) throws Exception {
        return authenticator.authenticate(new AuthRequest(SESSION, AuthMethod.PAP,
                new PapCredentials(user, password.getBytes(StandardCharsets.UTF_8)))).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void anAccessAcceptWithUserNameMakesTheServersNameTheUser() throws Exception {
        AuthResult r = pap("Carol", "secret");
        assertThat(r).as(radius.log()).isInstanceOfSatisfying(AuthResult.Accept.class,
                a -> assertThat(a.user()).as("the server's User-Name, not the presented \"Carol\"").isEqualTo("carol@corp.example"));
        assertThat(radius.log()).as("what the server sent").containsPattern("Sent Access-Accept [^\\n]*\\n[^\\n]*User-Name = \"carol@corp.example\"");
    }

    @Test
    void anAccessAcceptWithoutUserNameKeepsThePresentedName() throws Exception {
        assertThat(pap("alice", "secret")).as(radius.log())
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo("alice"));
    }

    /**
     * EAP-MSCHAPv2 whose EAP identity ("alice") differs from the Name in its MS-CHAPv2 Response ("mallory").
     * FreeRADIUS looks the password up by the identity (the User-Name we send) and hashes the challenge with the
     * Response's Name (MS-CHAP-User-Name), so a peer that knows alice's password is accepted under any Name, and one
     * that knows only mallory's cannot pass as alice. The Access-Accept carries no User-Name: our result is the EAP
     * identity, the account whose password was proved. Refusing a Name that differs from the identity is the
     * dataplane's rule (PPP, EAP-MSCHAPv2 server), not something RADIUS answers here.
     */
    @Test
    void eapMsChapV2WithAnIdentityOtherThanTheMsChapV2Name() throws Exception {
        EapMsChapV2Peer knowsAlicesPassword = new EapMsChapV2Peer("alice", "mallory", "secret");
        AuthResult r = knowsAlicesPassword.run(authenticator);
        assertThat(radius.log()).contains("EAP-Message").contains("mallory");
        assertThat(r).as("FreeRADIUS answers Access-Accept:\n" + tail()).isInstanceOfSatisfying(AuthResult.Accept.class,
                a -> assertThat(a.user()).as("the EAP identity, not the MS-CHAPv2 Name").isEqualTo("alice"));
        assertThat(knowsAlicesPassword.successVerified).as("the server proved it knows alice's password, for Name mallory").isTrue();

        EapMsChapV2Peer posesAsAlice = new EapMsChapV2Peer("alice", "mallory", "mallory-pw");
        assertThat(posesAsAlice.run(authenticator)).as("mallory's password does not open alice's account:\n" + tail())
                .isInstanceOf(AuthResult.Reject.class);

        EapMsChapV2Peer namesAlice = new EapMsChapV2Peer("mallory", "alice", "mallory-pw");
        assertThat(namesAlice.run(authenticator)).as("accepted as the identity mallory, whatever Name it gives:\n" + tail())
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo("mallory"));
        // what FreeRADIUS did, for the record (the build log shows it)
        System.out.println("----- FreeRADIUS on EAP identity vs MS-CHAPv2 Name\n" + radius.log().lines()
                .filter(l -> l.matches(".*(Sent Access-|MS-CHAP-User-Name|Login OK|Login incorrect|mschap: |eap_mschapv2: ).*"))
                .collect(java.util.stream.Collectors.joining("\n")));
    }

    private static String tail() {
        String log = radius.log();
        return log.substring(Math.max(0, log.length() - 4000));
    }
}
