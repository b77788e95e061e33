package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * IKEv2 with a client CERTIFICATE (RFC 7296 section 2.15: the client's AUTH a signature, its CERT payload chaining to
 * our {@code ipsec.certificate.ca-file}) from a REAL client on the host: strongSwan's {@code charon-cmd} ({@link
 * CharonCmd}: its own namespace joined by a veth pair, ESP in user space through kernel-libipsec's TUN device), so
 * no VM is needed. The harness VM's IKEv2 client cannot present a certificate; this is the real-client proof of
 * {@code ipsec.ikev2.client-auth: [eap, certificate]}:
 * <ol>
 * <li>a client certificate of our CA for {@value #IDENTITY} (subjectAltName e-mail, the identity it sends): its
 *     identity authorized by the local users file, an address of our pool and our DNS servers by configuration
 *     payload, pings to the concentrator's tunnel address answered through the ESP SA (captured in the
 *     concentrator's namespace and dissected by tshark: IKE_SA_INIT, IKE_AUTH in fragments, ESP in UDP);</li>
 * <li>the same identity with a certificate of another CA, and one of our CA that has expired: refused with
 *     AUTHENTICATION_FAILED, counted as {@code certificate_invalid}.</li>
 * </ol>
 * One concentrator start, three short charon-cmd runs (about 6 s for the two cases, 10 s with the start). Needs root and charon-cmd (scripts/test.sh
 * installs it); skipped without them unless {@code -Dl2sec.interop.required=true}. Run it alone with {@code ./mvnw -B
 * -o -pl concentrator -am verify -Dit.test=RealHostClientIkev2IT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dl2sec.interop.required=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealHostClientIkev2IT {
    /** The client's identity (IDi, ID_RFC822_ADDR) and so its user name in the users file. */
    static final String IDENTITY = "carol@example.test";
    /** The concentrator's tunnel-side address, pinged through the ESP SA and our TUN device. */
    private static final String TARGET = "10.99.0.1";
    private static final Pattern POOL_ADDRESS = Pattern.compile("10\\.99\\.0\\.(?:1\\d|[2-4]\\d|50)");
    private static final Duration CONNECT = Duration.ofSeconds(20);
    private static final String METRIC_FAILURES = "l2sec_ikev2_sa_failures_total{reason=\"certificate_invalid\"} ";

    private static ConcentratorInNamespace lab;
    private static CharonCmd charon;
    private static Ikev2Certificates.Pki pki;
    private static Ikev2Certificates.Pki stranger;

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.createWithoutVm("hostcli", "charon-cmd", "ping");
        charon = CharonCmd.create(lab);
        pki = Ikev2Certificates.write(lab.work().resolve("pki"), Ikev2Certificates.KeyKind.RSA_2048);
        stranger = Ikev2Certificates.write(lab.work().resolve("stranger"), Ikev2Certificates.KeyKind.RSA_2048,
                "another CA");
        // a certificate user's entry: the secret is never read (IKE proved the identity), the user must exist
        lab.file("users", IDENTITY + " plain:never-asked-of-a-certificate\n");
        lab.file("ipsec.psk", "host-client-psk-0123456789\n");
        lab.start("""
                server:
                  name: l2sec-hostcli
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                ppp:
                  dns: [10.99.0.53, 10.99.0.54]
                aaa:
                  local:
                    users-file: users
                ipsec:
                  psk-file: ipsec.psk
                %s  local-id: %s
                  ikev2:
                    client-auth: [eap, certificate]
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(pki.certificateSectionTrustingClients().indent(2), Ikev2Certificates.DNS_NAME,
                ConcentratorInNamespace.METRICS_PORT));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (charon != null) charon.close();
        } finally {
            if (lab != null) lab.close();
        }
    }

    @Test
    @Order(1)
    void aCertificateClientIsAuthorizedGetsAnAddressAndDnsAndPingsThroughTheTunnel() throws Exception {
        var carol = Ikev2Certificates.writeClient(pki, "carol", IDENTITY, Instant.now());
        java.nio.file.Path pcap = lab.work().resolve("charon-cmd-certificate.pcap");
        Process capture = lab.capture(pcap, "any");
        try (CharonCmd.Run run = charon.connect("carol", carol.certificateFile(), carol.keyFile(), pki.caFile(), IDENTITY,
                Ikev2Certificates.DNS_NAME)) {
            run.await("CHILD_SA cmd{1} established", CONNECT);
            String clientLog = run.log();
            assertThat(clientLog).contains("authentication of '" + IDENTITY + "' (myself) with RSA",
                    "sending end entity cert \"C=CH, O=l2sec interop, CN=" + IDENTITY + "\"",
                    "authentication of '" + Ikev2Certificates.DNS_NAME + "' with RSA",
                    "IKE_SA cmd[1] established between " + CharonCmd.CLIENT_ADDRESS + "[" + IDENTITY + "]...",
                    "local host is behind NAT");
            assertThat(run.resolvConf()).as("DNS servers by configuration payload, written by charon's resolve plugin")
                    .contains("nameserver 10.99.0.53", "nameserver 10.99.0.54");

            CharonCmd.Tunnel tunnel = charon.tunnel();
            assertThat(tunnel).as("kernel-libipsec's TUN device with the virtual IP").isNotNull();
            assertThat(tunnel.virtualIp()).as("an address of our pool 10.99.0.10-50").matches(POOL_ADDRESS);
            assertThat(charon.routeTo(TARGET)).as("the client's route to " + TARGET)
                    .contains("dev " + tunnel.device(), "src " + tunnel.virtualIp());
            long sent = charon.counter(tunnel.device(), "tx_packets");
            String ping = charon.ping(TARGET, 3);
            assertThat(ping).contains("3 packets transmitted, 3 received");
            assertThat(charon.counter(tunnel.device(), "tx_packets") - sent).as("pings through " + tunnel.device())
                    .isGreaterThanOrEqualTo(3);

            String log = lab.log();
            assertThat(log).contains(" auth ok method=ikev2-certificate user=" + IDENTITY);
            assertThat(log).containsPattern(Pattern.quote(RealClientIkev2IT.LOG_IKE_SA_UP) + ".*user="
                    + Pattern.quote(IDENTITY) + " method=ikev2-certificate address=" + Pattern.quote(tunnel.virtualIp()));
            String m = lab.metrics();
            assertThat(m).containsPattern(RealClientIkev2IT.METRIC_IKE_SAS + " 1(\\.0)?\\b");
            assertThat(m).containsPattern("l2sec_esp_packets_total\\{direction=\"in\"} [1-9]");
        } finally {
            capture.destroy();
            capture.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        // a second opinion on the wire: IKE_SA_INIT, IKE_AUTH (RFC 7383 fragments: the client's certificate) and the
        // pings in UDP-encapsulated ESP (RFC 3948, port 4500), dissected by tshark without a malformed frame
        String dissected = ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString());
        System.out.println("----- tshark -r " + pcap + "\n" + dissected);
        assertThat(dissected).contains("IKE_SA_INIT", "IKE_AUTH", "ESP (SPI=");
        assertThat(ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString(), "-Y",
                "_ws.malformed || _ws.expert.severity >= warning")).as("malformed or warning frames").isBlank();
        // charon-cmd ended by SIGTERM deletes its IKE SA (INFORMATIONAL, RFC 7296 section 1.4.1): the session ends at once
        lab.waitFor("the client's delete", Duration.ofSeconds(10), () -> lab.log().contains("cause=deleted by peer"));
    }

    @Test
    @Order(2)
    void certificatesOfAnotherCaOrExpiredAreRefusedAndCounted() throws Exception {
        var foreign = Ikev2Certificates.writeClient(stranger, "carol-foreign", IDENTITY, Instant.now());
        assertThat(refused("foreign", foreign)).contains("issuer=\"CN=another CA, O=l2sec interop, C=CH\"", "(NO_TRUST_ANCHOR)");
        assertThat(lab.metrics()).contains(METRIC_FAILURES + "1");

        // issued by our CA, valid for seven days from an hour before 30 days ago
        var expired = Ikev2Certificates.writeClient(pki, "carol-expired", IDENTITY, Instant.now().minus(Duration.ofDays(30)));
        assertThat(refused("expired", expired)).contains("validity check failed (EXPIRED)");
        assertThat(lab.metrics()).contains(METRIC_FAILURES + "2");
        assertThat(lab.log()).doesNotContain("auth ok method=ikev2-certificate user=" + IDENTITY + " ");
    }

    /**
     * A run with {@code certificate} that the concentrator must refuse with AUTHENTICATION_FAILED; returns the
     * concentrator's log line that says why.
     */
    private static String refused(String name, Ikev2Certificates.ClientCertificate certificate) throws Exception {
        int before = refusals().size();
        try (CharonCmd.Run run = charon.connect(name, certificate.certificateFile(), certificate.keyFile(), pki.caFile(),
                IDENTITY, Ikev2Certificates.DNS_NAME)) {
            run.await("received AUTHENTICATION_FAILED notify error", CONNECT);
            assertThat(run.awaitExit(Duration.ofSeconds(10))).as("charon-cmd gives up by itself").isTrue();
            assertThat(run.log()).as(name).contains("sending end entity cert").doesNotContain("CHILD_SA cmd{1} established");
        }
        var refusals = refusals();
        assertThat(refusals).as(name + " refused as certificate_invalid").hasSize(before + 1);
        return refusals.getLast();
    }

    private static java.util.List<String> refusals() {
        return lab.log().lines().filter(l -> l.contains(" ike_auth failed ") && l.contains("reason=certificate_invalid")).toList();
    }
}
