package net.l2sec.dataplane.ike.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.Payload;
import org.junit.jupiter.api.Test;

/** Identity rules and validity dates of {@link PeerValidation}, with the test certificates. */
class PeerValidationTest {
    static List<X509Certificate> certs(String name) throws Exception {
        return PemFiles.certificates(Path.of(PeerValidationTest.class.getResource("/ike/certs/" + name).toURI()));
    }

    static Payload.Id id(int type, byte[] data) {
        return new Payload.Id(type, 17, 500, data);
    }

    static CertificateAuth policy(CertificateAuth.PeerIdRule rule) throws Exception {
        Path dir = Path.of(PeerValidationTest.class.getResource("/ike/certs/ca.crt.pem").toURI()).getParent();
        CertificateAuth a = PemFiles.load(dir.resolve("server.crt.pem"), dir.resolve("server.key.pem"),
                dir.resolve("ca.crt.pem"));
        return new CertificateAuth(a.chain(), a.privateKey(), a.trustAnchors(), Optional.empty(), rule, false);
    }

    @Test
    void identitiesUnderEachRule() throws Exception {
        X509Certificate client = certs("client.crt.pem").get(0);
        Payload.Id dn = id(IdType.ID_DER_ASN1_DN.code(), client.getSubjectX500Principal().getEncoded());
        Payload.Id fqdn = id(IdType.ID_FQDN.code(), "CLIENT.l2sec.test".getBytes(StandardCharsets.US_ASCII));
        Payload.Id ip = id(IdType.ID_IPV4_ADDR.code(), new byte[] {10, 0, 2, 15});
        Payload.Id otherIp = id(IdType.ID_IPV4_ADDR.code(), new byte[] {10, 0, 2, 16});
        Payload.Id email = id(IdType.ID_USER_FQDN.code(), "someone@l2sec.test".getBytes(StandardCharsets.US_ASCII));
        Payload.Id badDn = id(IdType.ID_DER_ASN1_DN.code(), new byte[] {0x30, 0x03, 1});
        Payload.Id keyId = id(IdType.ID_KEY_ID.code(), new byte[] {1, 2});

        PeerValidation any = new PeerValidation(policy(CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME), Clock.systemUTC());
        assertThat(any.idMatches(dn, client)).isTrue();
        assertThat(any.idMatches(fqdn, client)).as("DNS names are case-insensitive").isTrue();
        assertThat(any.idMatches(ip, client)).isTrue();
        assertThat(any.idMatches(otherIp, client)).isFalse();
        assertThat(any.idMatches(email, client)).isFalse();
        assertThat(any.idMatches(badDn, client)).isFalse();
        assertThat(any.idMatches(keyId, client)).isFalse();

        PeerValidation subjectOnly = new PeerValidation(policy(CertificateAuth.PeerIdRule.SUBJECT_ONLY), Clock.systemUTC());
        assertThat(subjectOnly.idMatches(dn, client)).isTrue();
        assertThat(subjectOnly.idMatches(fqdn, client)).isFalse();
        assertThat(subjectOnly.idMatches(ip, client)).isFalse();
    }

    @Test
    void validityFollowsTheInjectedClock() throws Exception {
        X509Certificate client = certs("client.crt.pem").get(0);
        CertificateAuth p = policy(CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME);
        Clock inside = Clock.fixed(client.getNotBefore().toInstant().plus(Duration.ofDays(1)), ZoneOffset.UTC);
        Clock before = Clock.fixed(client.getNotBefore().toInstant().minus(Duration.ofDays(1)), ZoneOffset.UTC);
        Clock after = Clock.fixed(client.getNotAfter().toInstant().plus(Duration.ofDays(1)), ZoneOffset.UTC);
        assertThat(new PeerValidation(p, inside).validate(List.of(client))).isEqualTo(client);
        for (Clock c : List.of(before, after)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PeerValidation(p, c).validate(List.of(client)))
                    .isInstanceOf(PeerValidation.InvalidCertificate.class).hasMessageContaining("client.l2sec.test");
        }
    }
}
