package net.l2sec.dataplane.ikev2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PemFiles;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.ProvenIdentity;
import org.junit.jupiter.api.Test;

/**
 * IKEv2 clients that authenticate in the first IKE_AUTH (RFC 7296 section 2.15) with the pre-shared key or their
 * certificate, the backends' authorization of the identity IKE proved, and EAP-only authentication (RFC 5998).
 */
class Ikev2ClientAuthTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.9", 41000);
    static final InetSocketAddress CLIENT_4500 = new InetSocketAddress("198.51.100.9", 41001);
    static final byte[] PSK = "a long group secret".getBytes(StandardCharsets.US_ASCII);
    /** A time all test certificates but the expired one are valid at. */
    static final Clock VALID = Clock.fixed(Instant.parse("2027-06-01T00:00:00Z"), ZoneOffset.UTC);

    private static Ikev2Harness harness(Ikev2Settings.ClientAuth... methods) throws Exception {
        CertificateAuth server = PemFiles.load(Ikev2Harness.cert("server.crt.pem"), Ikev2Harness.cert("server.pkcs8.key.pem"),
                Ikev2Harness.cert("ca.crt.pem"));
        Ikev2Harness h = new Ikev2Harness(IkeSettings.defaults().withCertificates(server, true).withPsk(PSK),
                Ikev2Settings.defaults().withClientAuth(EnumSet.of(methods[0], methods), false));
        h.responder.clock = VALID;
        return h;
    }

    /** IKE_SA_INIT, then the single IKE_AUTH request carrying {@code extra}; the response's payloads. */
    private static List<Payload> authenticate(Ikev2Harness h, Ikev2TestClient c, java.util.function.Function<Ikev2TestClient, List<Payload>> extra)
            throws Exception {
        c.initResponse(h.exchange(CLIENT, Ikev2Harness.LOCAL_500, c.initRequest()));
        return c.open(h.replies(CLIENT_4500, Ikev2Harness.LOCAL_4500, c.firstAuth(extra.apply(c))));
    }

    private static Identification fqdn(String name) {
        return new Identification(true, Identification.ID_FQDN, name.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<Payload> signedWith(Ikev2TestClient c, String certFile, String keyFile) {
        try {
            List<Payload> out = new ArrayList<>();
            for (X509Certificate cert : PemFiles.certificates(Ikev2Harness.cert(certFile))) {
                out.add(new Payload.Cert(Payload.Cert.X509_SIGNATURE, cert.getEncoded()));
            }
            out.add(AuthPayloads.sign(PemFiles.privateKey(Ikev2Harness.cert(keyFile)), true, c.ourSignedOctets()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double failures(Ikev2Harness h, String reason) {
        return h.counter("l2sec.ikev2.sa.failures", "reason", reason);
    }

    @Test
    void pskClientIsVerifiedAuthorizedAndAnsweredWithThePsk() throws Exception {
        Ikev2Harness h = harness(Ikev2Settings.ClientAuth.EAP, Ikev2Settings.ClientAuth.PSK);
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        c.idi = new Identification(true, Identification.ID_KEY_ID, "alice".getBytes(StandardCharsets.US_ASCII));
        List<Payload> last = authenticate(h, c, x -> List.of(x.pskAuth(PSK)));

        assertThat(c.serverPskAuth(last, PSK)).as("our AUTH is the PSK's MIC").isTrue();
        assertThat(last).noneMatch(p -> p instanceof Payload.Cert);
        assertThat(Ikev2TestClient.find(last, Config.class).attributes()).isNotEmpty();
        assertThat(h.sas.installed).hasSize(1);
        assertThat(h.sessions.methods).containsExactly(AuthMethod.IKEV2_PSK);
        var request = h.users.requests.getLast();
        assertThat(request.method()).isEqualTo(AuthMethod.IKEV2_PSK);
        assertThat(request.credentials()).isEqualTo(new ProvenIdentity("alice", "pre-shared key"));
        assertThat(h.responder.establishedSas()).isEqualTo(1);
        assertThat(h.counter("l2sec.ikev2.logins", "method", "ikev2-psk")).isEqualTo(1);
        assertThat(h.counter("l2sec.ikev2.logins", "method", "eap-mschapv2")).isZero();
    }

    @Test
    void aWrongPskIsRefusedAndCountedWithoutAskingTheBackends() throws Exception {
        Ikev2Harness h = harness(Ikev2Settings.ClientAuth.PSK);
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        List<Payload> last = authenticate(h, c, x -> List.of(x.pskAuth("not the secret".getBytes(StandardCharsets.US_ASCII))));

        assertThat(Ikev2TestClient.has(last, NotifyType.AUTHENTICATION_FAILED)).isTrue();
        assertThat(last).noneMatch(p -> p instanceof Auth);
        assertThat(failures(h, "psk_mismatch")).isEqualTo(1);
        assertThat(h.users.requests).isEmpty();
        assertThat(h.sessions.opened).isZero();
        assertThat(h.responder.establishedSas()).isZero();
    }

    @Test
    void pskClientsAreRefusedUnlessTheOperatorListsPsk() throws Exception {
        Ikev2Harness h = harness(Ikev2Settings.ClientAuth.EAP);
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        List<Payload> last = authenticate(h, c, x -> List.of(x.pskAuth(PSK)));

        assertThat(Ikev2TestClient.has(last, NotifyType.AUTHENTICATION_FAILED)).isTrue();
        assertThat(failures(h, "unsupported_auth")).isEqualTo(1);
        assertThat(h.sessions.opened).isZero();
    }

    @Test
    void anIdentityTheBackendsDoNotKnowIsNotAuthorized() throws Exception {
        Ikev2Harness h = harness(Ikev2Settings.ClientAuth.PSK);
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        c.idi = new Identification(true, Identification.ID_RFC822_ADDR, "mallory@example.com".getBytes(StandardCharsets.US_ASCII));
        List<Payload> last = authenticate(h, c, x -> List.of(x.pskAuth(PSK)));

        assertThat(Ikev2TestClient.has(last, NotifyType.AUTHENTICATION_FAILED)).isTrue();
        assertThat(((ProvenIdentity) h.users.requests.getLast().credentials()).user()).isEqualTo("mallory@example.com");
        assertThat(failures(h, "authorization_refused")).isEqualTo(1);
        assertThat(h.sessions.opened).isZero();
    }

    @Test
    void certificateClientIsValidatedBoundToItsIdentityAndAuthorized() throws Exception {
        Ikev2Harness h = harness(Ikev2Settings.ClientAuth.EAP, Ikev2Settings.ClientAuth.CERTIFICATE);
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        c.idi = fqdn("client.l2sec.test");
        List<Payload> init = c.initResponse(h.exchange(CLIENT, Ikev2Harness.LOCAL_500, c.initRequest()));
        // CERTREQ in IKE_SA_INIT: the SHA-1 of our CA's public key (RFC 7296 section 3.7)
        Payload.CertReq certReq = Ikev2TestClient.find(init, Payload.CertReq.class);
        X509Certificate ca = PemFiles.certificates(Ikev2Harness.cert("ca.crt.pem")).getFirst();
        assertThat(certReq.authorities()).isEqualTo(java.security.MessageDigest.getInstance("SHA-1").digest(ca.getPublicKey().getEncoded()));

        List<Payload> last = c.open(h.replies(CLIENT_4500, Ikev2Harness.LOCAL_4500,
                c.firstAuth(signedWith(c, "client.crt.pem", "client.key.pem"))));

        assertThat(c.serverAuthenticated(last)).as("our signature").isTrue();
        assertThat(h.sessions.methods).containsExactly(AuthMethod.IKEV2_CERTIFICATE);
        ProvenIdentity proven = (ProvenIdentity) h.users.requests.getLast().credentials();
        assertThat(proven.user()).isEqualTo("client.l2sec.test");
        assertThat(proven.evidence()).contains("CN=client.l2sec.test").contains("serial=");
        assertThat(h.responder.establishedSas()).isEqualTo(1);
        assertThat(h.counter("l2sec.ikev2.logins", "method", "ikev2-certificate")).isEqualTo(1);
    }

    @Test
    void certificatesOfAnotherCaExpiredOrNamingAnotherIdentityAreRefused() throws Exception {
        record Case(String cert, String key, String idi, String reason) {}
        for (Case k : List.of(new Case("rogue.crt.pem", "rogue.key.pem", "client.l2sec.test", "certificate_invalid"),
                new Case("expired.crt.pem", "expired.key.pem", "client.l2sec.test", "certificate_invalid"),
                new Case("client.crt.pem", "client.key.pem", "someone-else.l2sec.test", "certificate_invalid"),
                new Case("client.crt.pem", "rogue.key.pem", "client.l2sec.test", "signature_invalid"))) {
            Ikev2Harness h = harness(Ikev2Settings.ClientAuth.CERTIFICATE);
            Ikev2TestClient c = new Ikev2TestClient(CLIENT);
            c.idi = fqdn(k.idi());
            List<Payload> last = authenticate(h, c, x -> signedWith(x, k.cert(), k.key()));
            assertThat(Ikev2TestClient.has(last, NotifyType.AUTHENTICATION_FAILED)).as(k.toString()).isTrue();
            assertThat(failures(h, k.reason())).as(k.toString()).isEqualTo(1);
            assertThat(h.users.requests).as(k.toString()).isEmpty();
            assertThat(h.sessions.opened).as(k.toString()).isZero();
        }
    }

    @Test
    void eapOnlyIsHonouredOnlyWhenAllowed() throws Exception {
        // allowed: IDr but neither certificate nor signature in the first response; the MSK authenticates both sides
        CertificateAuth server = PemFiles.load(Ikev2Harness.cert("server.crt.pem"), Ikev2Harness.cert("server.pkcs8.key.pem"),
                Ikev2Harness.cert("ca.crt.pem"));
        Ikev2Harness h = new Ikev2Harness(IkeSettings.defaults().withCertificates(server, false),
                Ikev2Settings.defaults().withClientAuth(EnumSet.of(Ikev2Settings.ClientAuth.EAP), true));
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        c.initResponse(h.exchange(CLIENT, Ikev2Harness.LOCAL_500, c.initRequest()));
        List<Payload> first = c.open(h.replies(CLIENT_4500, Ikev2Harness.LOCAL_4500,
                c.firstAuth(List.of(Payload.Notify.of(NotifyType.EAP_ONLY_AUTHENTICATION)))));
        assertThat(first).anyMatch(p -> p instanceof Identification);
        assertThat(first).noneMatch(p -> p instanceof Payload.Cert || p instanceof Auth);
        c.idr = Ikev2TestClient.find(first, Identification.class);
        List<Payload> last = h.continueEap(c, first, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        assertThat(c.finalServerAuth(last)).as("our AUTH with the MSK").isTrue();
        assertThat(h.responder.establishedSas()).isEqualTo(1);
        assertThat(h.counter("l2sec.ikev2.logins", "method", "eap-mschapv2")).isEqualTo(1);

        // not allowed (the default): the client's notify changes nothing
        Ikev2Harness strict = harness(Ikev2Settings.ClientAuth.EAP);
        Ikev2TestClient d = new Ikev2TestClient(CLIENT);
        List<Payload> signed = authenticate(strict, d, x -> List.of(Payload.Notify.of(NotifyType.EAP_ONLY_AUTHENTICATION)));
        assertThat(d.serverAuthenticated(signed)).isTrue();
    }

    @Test
    void initialContactEndsTheOlderSasOfTheSameIdentityUserAndAddressOnly() throws Exception {
        Ikev2Harness h = harness(Ikev2Settings.ClientAuth.PSK);
        Identification keyId = new Identification(true, Identification.ID_KEY_ID, "alice".getBytes(StandardCharsets.US_ASCII));
        Identification email = new Identification(true, Identification.ID_RFC822_ADDR, "alice".getBytes(StandardCharsets.US_ASCII));
        InetSocketAddress samePlace = new InetSocketAddress(CLIENT.getAddress(), 50000);
        InetSocketAddress elsewhere = new InetSocketAddress("203.0.113.5", 41000);
        Ikev2TestClient first = pskClient(h, CLIENT, keyId, false);
        Ikev2TestClient phone = pskClient(h, elsewhere, keyId, false);
        assertThat(h.responder.establishedSas()).isEqualTo(2);

        // another device of alice (its own IKE identity) behind the same address: nothing ends
        pskClient(h, samePlace, email, true);
        assertThat(h.sessions.closed).isEmpty();
        assertThat(h.responder.establishedSas()).isEqualTo(3);

        // the first client again (same IDi, same address, a new port after its restart) with INITIAL_CONTACT
        pskClient(h, new InetSocketAddress(CLIENT.getAddress(), 60000), keyId, true);
        assertThat(h.sessions.closed).containsExactly(net.l2sec.spi.session.EndCause.REPLACED);
        assertThat(h.responder.establishedSas()).isEqualTo(3);
        assertThat(h.registry.counter("l2sec.ikev2.initial.contact.replaced").count()).isEqualTo(1);
        assertThat(h.sas.removedAll).hasSize(1);
        assertThat(first.spii).isNotEqualTo(phone.spii);
    }

    /** A PSK client of {@code idi} from {@code at} (IKE_AUTH from the next port), established. */
    private static Ikev2TestClient pskClient(Ikev2Harness h, InetSocketAddress at, Identification idi, boolean initialContact)
            throws Exception {
        Ikev2TestClient c = new Ikev2TestClient(at);
        c.idi = idi;
        c.initResponse(h.exchange(at, Ikev2Harness.LOCAL_500, c.initRequest()));
        List<Payload> extra = new ArrayList<>(List.of(c.pskAuth(PSK)));
        if (initialContact) extra.add(Payload.Notify.of(NotifyType.INITIAL_CONTACT));
        List<Payload> last = c.open(h.replies(new InetSocketAddress(at.getAddress(), at.getPort() + 1), Ikev2Harness.LOCAL_4500,
                c.firstAuth(extra)));
        assertThat(c.serverPskAuth(last, PSK)).isTrue();
        return c;
    }

    @Test
    void theUserNameOfAnIdentity() {
        byte[] dn = new X500Principal("CN=alice,OU=Staff,O=Corp").getEncoded();
        assertThat(ClientCertificate.userName(new Identification(true, Identification.ID_DER_ASN1_DN, dn))).isEqualTo("alice");
        byte[] noCn = new X500Principal("UID=bob,O=Corp").getEncoded();
        assertThat(ClientCertificate.userName(new Identification(true, Identification.ID_DER_ASN1_DN, noCn))).isEqualTo("UID=bob,O=Corp");
        assertThat(ClientCertificate.userName(new Identification(true, Identification.ID_RFC822_ADDR,
                "alice@corp.example".getBytes(StandardCharsets.US_ASCII)))).isEqualTo("alice@corp.example");
        assertThat(ClientCertificate.userName(new Identification(true, Identification.ID_IPV4_ADDR, new byte[] {10, 0, 2, 15})))
                .isEqualTo("10.0.2.15");
        assertThat(ClientCertificate.userName(new Identification(true, Identification.ID_KEY_ID, new byte[] {1, 2, (byte) 0xff})))
                .isEqualTo("0102ff");
    }
}
