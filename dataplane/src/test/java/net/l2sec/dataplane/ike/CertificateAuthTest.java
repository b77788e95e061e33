package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PemFiles;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.CertEncoding;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Main Mode with RSA signatures (RFC 2409 section 5.1) against the test initiator, with the real certificates in
 * {@code src/test/resources/ike/certs} (made by strongSwan's pki, see make-certs.sh there).
 */
class CertificateAuthTest {
    static Path cert(String name) {
        try {
            return Path.of(CertificateAuthTest.class.getResource("/ike/certs/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<X509Certificate> certs(String name) throws IOException {
        return PemFiles.certificates(cert(name));
    }

    static PrivateKey key(String name) throws IOException {
        return PemFiles.privateKey(cert(name));
    }

    /** A day into the validity of the client certificate: independent of when the files were made. */
    static Clock clock() throws IOException {
        return Clock.fixed(certs("client.crt.pem").get(0).getNotBefore().toInstant().plus(Duration.ofDays(1)), ZoneOffset.UTC);
    }

    static CertificateAuth serverAuth() throws IOException {
        return PemFiles.load(cert("server.crt.pem"), cert("server.pkcs8.key.pem"), cert("ca.crt.pem"));
    }

    static IkeSettings settings() throws IOException {
        return IkeSettings.defaults().withCertificates(serverAuth(), false);
    }

    static TestInitiator client(IkeHarness net, String certName, String keyName) throws IOException {
        TestInitiator i = new TestInitiator(net, "203.0.113.7", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256,
                DhGroup.MODP2048);
        return i.signWith(key(keyName), certs(certName));
    }

    static Payload.Id dn(X509Certificate c) {
        return new Payload.Id(IdType.ID_DER_ASN1_DN.code(), 17, 500, c.getSubjectX500Principal().getEncoded());
    }

    static Stream<Arguments> identities() throws IOException {
        X509Certificate client = certs("client.crt.pem").get(0);
        return Stream.of(Arguments.of("subject DN", dn(client)),
                Arguments.of("FQDN in subjectAltName", new Payload.Id(IdType.ID_FQDN.code(), 17, 500,
                        "client.l2sec.test".getBytes(StandardCharsets.US_ASCII))),
                Arguments.of("IPv4 in subjectAltName", new Payload.Id(IdType.ID_IPV4_ADDR.code(), 17, 500, new byte[] {10, 0, 2, 15})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void signatureMainModeThenQuickMode(String label, Payload.Id id) throws Exception {
        IkeHarness net = new IkeHarness(settings(), clock());
        TestInitiator i = client(net, "client.crt.pem", "client.key.pem");
        i.myId = id;
        PayloadChain mm2 = i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        assertThat(mm2.first(Payload.Sa.class).proposals().get(0).transforms().get(0).attribute(3).longValue()).isEqualTo(3);
        PayloadChain mm4 = i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        X509Certificate ca = certs("ca.crt.pem").get(0);
        assertThat(mm4.all(Payload.CertRequest.class)).singleElement().satisfies(cr -> {
            assertThat(cr.certType()).isEqualTo(CertEncoding.X509_SIGNATURE.code());
            assertThat(cr.authority()).isEqualTo(ca.getSubjectX500Principal().getEncoded());
        });
        PayloadChain mm6 = i.mm6(TestInitiator.whole(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(true))));
        X509Certificate server = certs("server.crt.pem").get(0);
        assertThat(mm6.first(Payload.Id.class)).isEqualTo(dn(server));
        assertThat(i.peerCert).isEqualTo(server);
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);

        i.quickMode(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA2_256_128, null)), null);
        assertThat(net.childSas.installed).hasSize(1);
        assertThat(net.count("l2sec.ike.phase2", "result", "completed")).isEqualTo(1);
    }

    static Stream<Arguments> failures() {
        return Stream.of(Arguments.of("untrusted CA", "rogue.crt.pem", "rogue.key.pem", false, false, "cert_invalid", 20),
                Arguments.of("expired", "expired.crt.pem", "expired.key.pem", false, false, "cert_invalid", 20),
                Arguments.of("ID not in the certificate", "client.crt.pem", "client.key.pem", true, false, "id_mismatch", 24),
                Arguments.of("bad signature", "client.crt.pem", "client.key.pem", false, true, "auth_failed", 25),
                Arguments.of("signed with another key", "client.crt.pem", "expired.key.pem", false, false, "auth_failed", 25));
    }

    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("failures")
    void refusedPeers(String label, String certName, String keyName, boolean otherId, boolean corrupt, String reason,
                      int notify) throws Exception {
        IkeHarness net = new IkeHarness(settings(), clock());
        TestInitiator i = client(net, certName, keyName);
        if (otherId) i.myId = new Payload.Id(IdType.ID_FQDN.code(), 17, 500, "someone.else.test".getBytes(StandardCharsets.US_ASCII));
        i.corruptSignature = corrupt;
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        byte[] answer = net.exchange(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false));
        Payload.Notify n = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(answer), answer).first(Payload.Notify.class);
        assertThat(n.notifyType()).isEqualTo(notify);
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", reason)).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.sas.active")).isZero();
        assertThat(net.childSas.installed).isEmpty();
    }

    @Test
    void clientBelowAnIntermediateSendsItsChain() throws Exception {
        X509Certificate intermediate = certs("intermediate.crt.pem").get(0);
        CertificateAuth auth = serverAuth().withRequiredIssuer(intermediate.getSubjectX500Principal());
        IkeHarness net = new IkeHarness(IkeSettings.defaults().withCertificates(auth, false), clock());
        TestInitiator i = client(net, "branch.crt.pem", "branch.key.pem");
        List<X509Certificate> chain = new java.util.ArrayList<>(certs("branch.crt.pem"));
        chain.add(certs("ca.crt.pem").get(0)); // an extra root is ignored
        chain.add(intermediate);
        i.signWith(key("branch.key.pem"), chain);
        i.myId = dn(chain.get(0));
        i.mainMode();
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);

        // without the intermediate the chain does not reach the trust anchor
        IkeHarness net2 = new IkeHarness(settings(), clock());
        TestInitiator alone = client(net2, "branch.crt.pem", "branch.key.pem");
        alone.myId = dn(chain.get(0));
        alone.mm2(net2.exchange(alone.addr500, IkeHarness.LOCAL_500, alone.mm1()));
        alone.mm4(net2.exchange(alone.addr500, IkeHarness.LOCAL_500, alone.mm3()));
        net2.deliver(alone.addr4500, IkeHarness.LOCAL_4500, alone.mm5(false));
        assertThat(net2.count("l2sec.ike.phase1", "result", "failed", "reason", "cert_invalid")).isEqualTo(1);
    }

    @Test
    void requiredIssuerIsEnforced() throws Exception {
        CertificateAuth auth = serverAuth().withRequiredIssuer(new javax.security.auth.x500.X500Principal("CN=another CA"));
        IkeHarness net = new IkeHarness(IkeSettings.defaults().withCertificates(auth, false), clock());
        TestInitiator i = client(net, "client.crt.pem", "client.key.pem");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false));
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "cert_invalid")).isEqualTo(1);
    }

    @Test
    void proposalsRespectTheEnabledAuthMethods() throws Exception {
        // PSK only (the default): a signature proposal is refused
        IkeHarness pskOnly = new IkeHarness(IkeSettings.defaults().withPsk("secret".getBytes()), clock());
        TestInitiator i = client(pskOnly, "client.crt.pem", "client.key.pem");
        pskOnly.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm1());
        assertThat(pskOnly.count("l2sec.ike.phase1", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);

        // certificates only: a PSK proposal is refused, a signature proposal after it is chosen
        IkeHarness certsOnly = new IkeHarness(settings().withPsk("secret".getBytes()), clock());
        TestInitiator p = new TestInitiator(certsOnly, "203.0.113.8", 500, 4500);
        certsOnly.deliver(p.addr500, IkeHarness.LOCAL_500, p.mm1());
        assertThat(certsOnly.count("l2sec.ike.phase1", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);
        TestInitiator both = new TestInitiator(certsOnly, "203.0.113.9", 500, 4500);
        PayloadChain mm2 = both.mm2(certsOnly.exchange(both.addr500, IkeHarness.LOCAL_500, both.mm1(List.of(
                TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048, 1),
                TestInitiator.p1(2, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048, 3)))));
        assertThat(mm2.first(Payload.Sa.class).proposals().get(0).transforms().get(0).number()).isEqualTo(2);
    }

    @Test
    void credentialsLoadPkcs1AndPkcs8AndNameTheFileInErrors() throws Exception {
        assertThat(key("server.key.pem")).isEqualTo(key("server.pkcs8.key.pem"));
        assertThatThrownBy(() -> PemFiles.privateKey(cert("ca.crt.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("ca.crt.pem").hasMessageContaining("PRIVATE KEY");
        assertThatThrownBy(() -> PemFiles.certificates(cert("client.key.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("client.key.pem");
        Path missing = cert("ca.crt.pem").resolveSibling("missing.pem");
        assertThatThrownBy(() -> PemFiles.load(missing, cert("server.key.pem"), cert("ca.crt.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("missing.pem");
        assertThat(serverAuth().chain()).hasSize(1);
        assertThat(settings().toString()).contains("vpn.l2sec.test").doesNotContain("BEGIN");
    }

    @Test
    void ecKeysLoadFromPkcs8AndSec1() throws Exception {
        PrivateKey pkcs8 = key("server-ec.key.pem");
        PrivateKey sec1 = key("server-ec.sec1.key.pem");
        assertThat(pkcs8).isInstanceOf(java.security.interfaces.ECPrivateKey.class);
        assertThat(((java.security.interfaces.ECPrivateKey) sec1).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) pkcs8).getS());
        assertThat(((java.security.interfaces.ECPrivateKey) sec1).getParams().getCurve().getField().getFieldSize())
                .isEqualTo(256);
        // the key signs what the certificate's public key verifies (ECDSA, as IKEv2's AUTH method 9/14 does)
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
        signer.initSign(sec1);
        signer.update("IKE_AUTH".getBytes());
        byte[] sig = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certs("server-ec.crt.pem").get(0).getPublicKey());
        verifier.update("IKE_AUTH".getBytes());
        assertThat(verifier.verify(sig)).isTrue();
    }

    @Test
    void anEcCertificateServesIkev2AloneAndIkev1KeepsItsPsk() throws Exception {
        CertificateAuth ec = PemFiles.load(cert("server-ec.crt.pem"), cert("server-ec.sec1.key.pem"), cert("ca.crt.pem"));
        assertThat(ec.rsa()).isFalse();
        assertThat(ec.servesIkev1()).isFalse();
        assertThat(ec.toString()).contains("key=ecdsa").doesNotContain("BEGIN");
        assertThat(serverAuth().rsa()).isTrue();
        assertThat(serverAuth().servesIkev1()).isTrue();

        IkeSettings s = IkeSettings.defaults().withCertificates(ec, true).withPsk("secret".getBytes());
        assertThat(s.certificates()).contains(ec);
        assertThat(s.ikev1Certificates()).isEmpty();
        // IKEv1 offers no RSA signatures with it: a signature proposal is refused, the PSK one still chosen
        IkeHarness net = new IkeHarness(s, clock());
        TestInitiator signer = client(net, "client.crt.pem", "client.key.pem");
        net.deliver(signer.addr500, IkeHarness.LOCAL_500, signer.mm1());
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "no_proposal_chosen")).isEqualTo(1);
        TestInitiator psk = new TestInitiator(net, "203.0.113.10", 500, 4500);
        PayloadChain mm2 = psk.mm2(net.exchange(psk.addr500, IkeHarness.LOCAL_500, psk.mm1(List.of(
                TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048, 3),
                TestInitiator.p1(2, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048, 1)))));
        assertThat(mm2.first(Payload.Sa.class).proposals().get(0).transforms().get(0).number()).as("the PSK transform").isEqualTo(2);
    }

    @Test
    void withoutClientCasTheCertificateServesIkev2Alone() throws Exception {
        CertificateAuth noCas = new CertificateAuth(certs("server.crt.pem"), key("server.key.pem"), List.of(),
                java.util.Optional.empty(), CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME, false);
        assertThat(noCas.rsa()).isTrue();
        assertThat(noCas.servesIkev1()).isFalse();
        assertThat(IkeSettings.defaults().withCertificates(noCas, true).withPsk("secret".getBytes()).ikev1Certificates()).isEmpty();
    }

    @Test
    void aKeyOfAnotherKindThanTheCertificateIsRefused() throws Exception {
        assertThatThrownBy(() -> PemFiles.load(cert("server.crt.pem"), cert("server-ec.key.pem"), cert("ca.crt.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("has no EC key");
        assertThatThrownBy(() -> PemFiles.load(cert("server-ec.crt.pem"), cert("server.key.pem"), cert("ca.crt.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("has no RSA key");
    }
}
