package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.util.List;
import java.util.Set;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.auth.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The IKEv2 test PKI: what Windows and the other clients require of a server certificate (the dialled IP and DNS name
 * in subjectAltName, serverAuth), a chain PKIX accepts, key files our loader reads in their own forms, and a config
 * with them that the concentrator loads (IKEv2 on; IKEv1 keeps its PSK); client certificates for an e-mail identity.
 */
class Ikev2CertificatesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Ikev2Certificates.KeyKind.class)
    void serverCertificateForTheVmsAddressAndNameThatTheConcentratorLoads(Ikev2Certificates.KeyKind kind) throws Exception {
        Ikev2Certificates.Pki pki = Ikev2Certificates.write(dir, kind);
        var server = pki.server();
        assertThat(server.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1)).toList())
                .containsExactly("7:10.0.2.2", "2:vpn.example.test");     // iPAddress, dNSName
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.8.2.2");
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(pki.ca().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.getPublicKey().getAlgorithm()).isEqualTo(kind == Ikev2Certificates.KeyKind.RSA_2048 ? "RSA" : "EC");

        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(pki.ca(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(server)), params);

        assertThat(Files.readString(pki.keyFile())).startsWith(kind == Ikev2Certificates.KeyKind.RSA_2048
                ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(pki.keyFile()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        var loaded = PemFiles.privateKey(pki.keyFile());
        if (loaded instanceof java.security.interfaces.ECPrivateKey ec) {
            assertThat(ec.getS()).isEqualTo(((java.security.interfaces.ECPrivateKey) pki.serverKey()).getS());
        } else {
            assertThat(loaded).isEqualTo(pki.serverKey());
        }
        assertThat(PemFiles.certificates(pki.caFile())).containsExactly(pki.ca());

        Path users = dir.resolve("users");
        net.l2sec.concentrator.PrivateFiles.write(users, "alice plain:password\n");
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, """
                l2tp:
                  require-ipsec: true
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                aaa:
                  local:
                    users-file: users
                ipsec:
                  psk: a-long-enough-pre-shared-key
                %s""".formatted(pki.certificateSection().indent(2)));
        ConcentratorConfig.Ipsec ipsec = ConfigLoader.load(config).ipsec();
        IkeSettings ike = ipsec.ike().orElseThrow();
        assertThat(ipsec.ikev2Enabled()).isTrue();
        assertThat(ike.certificates()).hasValueSatisfying(c -> assertThat(c.certificate()).isEqualTo(server));
        assertThat(ike.ikev1Certificates()).as("no client CAs: IKEv1 keeps the PSK").isEmpty();
    }

    @Test
    void clientCertificateForAnEmailIdentityWithClientAuthAndItsExpiredTwin() throws Exception {
        Ikev2Certificates.Pki pki = Ikev2Certificates.write(dir, Ikev2Certificates.KeyKind.RSA_2048);
        var carol = Ikev2Certificates.writeClient(pki, "carol", "carol@example.test", java.time.Instant.now());
        var client = carol.certificate();
        assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=carol@example.test,O=l2sec interop,C=CH");
        assertThat(client.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1)).toList())
                .containsExactly("1:carol@example.test");                   // rfc822Name
        assertThat(client.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2").doesNotContain("1.3.6.1.5.5.7.3.1");
        assertThat(client.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(pki.ca(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(client)), params);
        assertThat(PemFiles.certificates(carol.certificateFile())).containsExactly(client);
        assertThat(Files.readString(carol.keyFile())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(carol.keyFile()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        assertThat(PemFiles.privateKey(carol.keyFile()).getAlgorithm()).isEqualTo("RSA");

        var expired = Ikev2Certificates.writeClient(pki, "old", "carol@example.test",
                java.time.Instant.now().minus(java.time.Duration.ofDays(30)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> expired.certificate().checkValidity())
                .isInstanceOf(java.security.cert.CertificateExpiredException.class);
        assertThat(pki.certificateSectionTrustingClients()).contains("ca-file: " + pki.caFile());
    }
}
