package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import net.l2sec.aaa.radius.FreeRadiusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The admin interface end to end: the REAL Linux client (strongSwan + xl2tpd + pppd in a VM) connects through
 * IPsec, authenticated by a REAL FreeRADIUS with accounting; the jar's {@code admin} command, run in the same
 * namespace, lists the session (user, public address, assigned address, IKE/ESP algorithms) and disconnects it:
 * the client loses its link mid-ping and FreeRADIUS receives the Stop with Acct-Terminate-Cause Admin-Reset.
 * Then drain refuses a new client (counted) and undrain lets the next one in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminInterfaceIT {
    private static final String PSK = "interop-psk-0123456789";
    private static final String RADIUS_SECRET = "radius-secret-0123456789";
    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final int ADMIN_PORT = 9118;
    private static ConcentratorInNamespace lab;
    private static FreeRadiusServer radius;

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("admin");
        radius = FreeRadiusServer.builder().namespace(lab.namespace()).authPort(18300).acctPort(18301).secret(RADIUS_SECRET)
                .users("""
                        alice Cleartext-Password := "alice-Passw0rd"
                        \tFilter-Id = "VPN-Users"
                        """).build().start();
        lab.file("ipsec.psk", PSK + "\n");
        lab.file("radius.secret", RADIUS_SECRET + "\n");
        lab.file("admin.token", TOKEN + "\n");
        lab.start("""
                server:
                  name: l2sec-admin
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                ppp:
                  echo-interval: 5s
                aaa:
                  radius:
                    servers:
                      - name: freeradius
                        address: 127.0.0.1:18300
                        secret-file: radius.secret
                    timeout: 2s
                    accounting:
                      interim-interval: 0s
                      spool-dir: spool
                  policy:
                    rules:
                      - name: staff
                        groups: [VPN-Users]
                        action: allow
                    default: deny
                ipsec:
                  psk-file: ipsec.psk
                  legacy:
                    modp1024: true   # the harness's default proposals are Windows' legacy ones
                admin:
                  listen: 127.0.0.1:%d
                  token-file: admin.token
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(ADMIN_PORT, ConcentratorInNamespace.METRICS_PORT));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (lab != null) lab.close();
        } finally {
            if (radius != null) {
                System.out.println("----- freeradius log\n" + radius.log());
                radius.close();
            }
        }
    }

    private static ConcentratorInNamespace.Cli admin(String... args) throws Exception {
        return lab.admin(ADMIN_PORT, args);
    }

    private static ConcentratorInNamespace.Client client(String... extra) throws Exception {
        return lab.ipsecClient(PSK, "alice", "alice-Passw0rd", extra);
    }

    @Test
    @Order(1)
    void adminListsTheRealClientsSessionAndDisconnectsIt() throws Exception {
        assertThat(admin("sessions").output()).contains("0 sessions");
        var c = client("--pings", "40", "--expect", "down", "--wait", "45");
        lab.waitFor("alice's session", Duration.ofSeconds(90), () -> lab.log().contains("ipcp up"));
        Thread.sleep(3000);     // the client is pinging now

        ConcentratorInNamespace.Cli list = admin("sessions");
        assertThat(list.status()).isZero();
        String row = list.output().lines().filter(l -> l.contains(" alice ")).findFirst().orElseThrow(
                () -> new AssertionError("no session of alice listed:\n" + list.output()));
        // user, rule, client public address (the VM's slirp NAT: loopback of the namespace), pool address,
        // IKE proposal (the harness's Windows-like legacy proposal) and the ESP transform
        assertThat(row).containsPattern(" staff +\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+ +10\\.99\\.0\\.(1\\d|[2-4]\\d|50) ");
        assertThat(row).containsPattern("\\S+-sha1-modp1024 +(aes|3des)\\S*");
        String id = row.trim().split("\\s+")[0];

        ConcentratorInNamespace.Cli show = admin("show", id);
        assertThat(show.status()).isZero();
        assertThat(show.output()).contains("\"user\" : \"alice\"", "\"natT\" : true", "\"spiIn\"");
        assertThat(admin("show", "no-such-session").status()).isEqualTo(1);

        ConcentratorInNamespace.Cli disconnect = admin("disconnect", id);
        assertThat(disconnect.status()).isZero();
        assertThat(disconnect.output()).contains("disconnected " + id);

        String r = c.result();
        assertThat(r).contains("ike=up", "ppp=up");
        assertThat(r).doesNotContain("ping=40/40");
        assertThat(lab.log()).contains("cause=admin_disconnect", "admin action=disconnect session=" + id,
                "no calls left after admin disconnect: clearing the control connection");
        lab.waitFor("accounting Stop with Admin-Reset", Duration.ofSeconds(20), () -> Files.exists(radius.detailFile())
                && radius.detailRecords().stream().anyMatch(x -> "Stop".equals(ConcentratorInNamespace.unquote(x.get("Acct-Status-Type")))
                && "Admin-Reset".equals(ConcentratorInNamespace.unquote(x.get("Acct-Terminate-Cause")))));
        Map<String, String> stop = radius.detailRecords().stream()
                .filter(x -> "Stop".equals(ConcentratorInNamespace.unquote(x.get("Acct-Status-Type")))).findFirst().orElseThrow();
        assertThat(ConcentratorInNamespace.unquote(stop.get("Acct-Session-Id"))).isEqualTo(id);
        assertThat(ConcentratorInNamespace.unquote(stop.get("User-Name"))).isEqualTo("alice");
        assertThat(admin("sessions").output()).contains("0 sessions");
        assertThat(lab.metrics()).containsPattern("l2sec_admin_requests_total\\{action=\"disconnect\",[^}]*result=\"ok\"[^}]*} 1");
    }

    @Test
    @Order(2)
    void drainRefusesANewClientAndUndrainLetsTheNextOneIn() throws Exception {
        ConcentratorInNamespace.Cli drain = admin("drain");
        assertThat(drain.status()).isZero();
        assertThat(admin("status").output()).contains("\"draining\" : true");
        assertThat(lab.metrics()).containsPattern("l2sec_admin_draining(\\{[^}]*})? 1");

        String refused = client("--pings", "3", "--expect", "down", "--wait", "25").result();
        assertThat(refused).doesNotContain("ike=up");
        assertThat(lab.log()).contains("phase1 refused reason=draining");
        assertThat(lab.metrics()).containsPattern("l2sec_ike_phase1_total\\{[^}]*reason=\"draining\"[^}]*result=\"failed\"[^}]*} [1-9]");

        assertThat(admin("undrain").status()).isZero();
        assertThat(lab.metrics()).containsPattern("l2sec_admin_draining(\\{[^}]*})? 0");
        String admitted = client("--pings", "3").result();
        assertThat(admitted).contains("ike=up", "ppp=up", "ping=3/3");
    }
}
