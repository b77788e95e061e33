package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.l2sec.aaa.radius.FreeRadiusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end with a REAL FreeRADIUS and the REAL Linux client (strongSwan + xl2tpd + pppd in a VM), both beside
 * the built concentrator jar in one network namespace: MS-CHAPv2 inside IPsec verified by FreeRADIUS, the user's
 * group (Filter-Id) deciding allow or deny through the policy, RADIUS accounting Start/Stop arriving in
 * FreeRADIUS's detail file with Class echoed, and a Disconnect-Request from radclient ending a live session.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClientRadiusIT {
    private static final String PSK = "interop-psk-0123456789";
    private static final String RADIUS_SECRET = "radius-secret-0123456789";
    private static ConcentratorInNamespace lab;
    private static FreeRadiusServer radius;
    /** Case 1's accounting Start: its Stop is checked in case 3, after case 2's clients ran meanwhile. */
    private static Map<String, String> firstStart;

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("radius");
        radius = FreeRadiusServer.builder().namespace(lab.namespace()).authPort(18200).acctPort(18201).secret(RADIUS_SECRET)
                .users("""
                        alice Cleartext-Password := "alice-Passw0rd"
                        \tFilter-Id = "VPN-Users",
                        \tClass = "alice-class-7"
                        bob Cleartext-Password := "bob-Passw0rd"
                        \tFilter-Id = "Contractors"
                        """).build().start();
        lab.file("ipsec.psk", PSK + "\n");
        lab.file("radius.secret", RADIUS_SECRET + "\n");
        lab.start("""
                server:
                  name: l2sec-iop
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                  - name: staff
                    range: 10.99.0.100-10.99.0.120
                ppp:
                  dns: [10.99.0.53, 10.99.0.54]
                  echo-interval: 5s     # the client VM is switched off, not hung up: LCP echo notices
                aaa:
                  radius:
                    servers:
                      - name: freeradius
                        address: 127.0.0.1:18200
                        secret-file: radius.secret
                    timeout: 2s
                    accounting:
                      interim-interval: 0s
                      spool-dir: spool
                    dynamic-authorization:
                      listen: 127.0.0.1:3799
                      clients:
                        - address: 127.0.0.1
                          secret-file: radius.secret
                  policy:
                    rules:
                      - name: staff
                        groups: [VPN-Users]
                        action: allow
                        pool: staff
                    default: deny
                ipsec:
                  psk-file: ipsec.psk
                  legacy:
                    modp1024: true   # the harness's default proposals are Windows' legacy ones
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(ConcentratorInNamespace.METRICS_PORT));
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

    private static ConcentratorInNamespace.Client client(String user, String password, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--mode", "ipsec", "--psk", PSK, "--user", user,
                "--password", password, "--wait", "45"));
        args.addAll(List.of(extra));
        if (!args.contains("--auth")) args.addAll(List.of("--auth", "mschapv2"));
        return lab.client(args.toArray(String[]::new));
    }

    private static Map<String, String> waitForDetail(String statusType, String user) throws Exception {
        return waitForDetail(statusType, user, null);
    }

    private static Map<String, String> waitForDetail(String statusType, String user, String acctSessionId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(radius.detailFile())) {
                for (Map<String, String> r : radius.detailRecords()) {
                    if (statusType.equals(unquote(r.get("Acct-Status-Type"))) && user.equals(unquote(r.get("User-Name")))
                            && (acctSessionId == null || acctSessionId.equals(unquote(r.get("Acct-Session-Id"))))) return r;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no accounting " + statusType + " for " + user + " in " + radius.detailFile());
    }

    private static String unquote(String v) {
        return v == null ? null : v.replaceAll("^\"|\"$", "");
    }

    @Test
    @Order(1)
    void userInTheAllowedGroupConnectsWithMsChapV2ThroughFreeRadiusAndGetsTheRulesPool() throws Exception {
        String r = client("alice", "alice-Passw0rd").result();
        assertThat(r).contains("ike=up", "l2tp=up", "ppp=up", "ping=3/3");
        assertThat(r).containsPattern("local_ip=10\\.99\\.0\\.1(0\\d|1\\d|20) ");
        assertThat(lab.log()).contains("authorized user=alice backend=radius rule=staff", "auth ok method=mschapv2 user=alice rule=staff");
        assertThat(lab.metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"mschapv2\"[^}]*result=\"accept\"[^}]*} 1");
        assertThat(radius.log()).contains("Message-Authenticator");

        Map<String, String> start = waitForDetail("Start", "alice");
        assertThat(unquote(start.get("Class"))).isIn("alice-class-7", "0x616c6963652d636c6173732d37");
        assertThat(start.get("Framed-IP-Address")).startsWith("10.99.0.1");
        assertThat(unquote(start.get("NAS-Port-Type"))).isEqualTo("Virtual");
        firstStart = start;     // its Stop comes with the LCP echo timeout: checked after the next case's clients
    }

    /** The first session's accounting Stop, once its LCP echoes went unanswered (waited for after case 2's clients). */
    @Test
    @Order(3)
    void theFirstSessionEndsWithLostCarrierAndItsStopCarriesTheCounters() throws Exception {
        assertThat(firstStart).as("case 1's accounting Start").isNotNull();
        Map<String, String> start = firstStart;
        // the harness switches the VM off without hanging up: the session ends when LCP echoes go unanswered
        Map<String, String> stop = waitForDetail("Stop", "alice", unquote(start.get("Acct-Session-Id")));
        assertThat(Long.parseLong(stop.get("Acct-Input-Packets"))).isGreaterThanOrEqualTo(3);
        assertThat(Long.parseLong(stop.get("Acct-Output-Packets"))).isGreaterThanOrEqualTo(3);
        assertThat(Long.parseLong(stop.get("Acct-Input-Octets"))).isGreaterThanOrEqualTo(3 * 84);
        assertThat(unquote(stop.get("Acct-Terminate-Cause"))).isEqualTo("Lost-Carrier");
        assertThat(unquote(stop.get("Class"))).isEqualTo(unquote(start.get("Class")));
    }

    /**
     * At once: bob, outside the allowed group, refused by the policy; alice with EAP-MSCHAPv2 relayed to FreeRADIUS;
     * alice with a wrong password refused by FreeRADIUS.
     */
    @Test
    @Order(2)
    void policyDenialEapMsChapV2RelayAndWrongPasswordAtOnce() throws Exception {
        var bob = client("bob", "bob-Passw0rd", "--expect", "down", "--wait", "30");
        var eap = client("alice", "alice-Passw0rd", "--auth", "eap");
        var wrong = client("alice", "not-her-password", "--expect", "down", "--wait", "30");

        assertThat(bob.result()).contains("ike=up", "ppp=fail");
        assertThat(lab.log()).contains("auth failed method=mschapv2 user=bob reason=policy_denied detail=rule=default denies");

        assertThat(eap.result()).contains("ike=up", "ppp=up", "ping=3/3");
        assertThat(lab.log()).contains("auth ok method=eap-mschapv2 user=alice rule=staff");

        assertThat(wrong.result()).contains("ppp=fail");
        assertThat(lab.log()).contains("auth failed method=mschapv2 user=alice reason=bad_credentials");

        String m = lab.metrics();
        assertThat(m).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"mschapv2\"[^}]*reason=\"policy_denied\"[^}]*result=\"reject\"[^}]*} 1");
        assertThat(m).containsPattern("l2sec_aaa_rejects_total\\{backend=\"radius\",reason=\"policy_denied\"[^}]*} 1");
    }

    @Test
    @Order(5)
    void disconnectRequestFromRadclientEndsALiveSession() throws Exception {
        var c = client("alice", "alice-Passw0rd", "--pings", "60", "--expect", "down", "--wait", "45");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        int before = 2;     // alice's sessions so far: MS-CHAPv2 and EAP
        while (lab.log().split("ipcp up", -1).length < before + 2) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("alice's session never came up:\n" + lab.log());
            Thread.sleep(500);
        }
        Matcher up = Pattern.compile("ipcp up address=(\\S+)").matcher(lab.log());
        String address = null;
        while (up.find()) address = up.group(1);
        Thread.sleep(5000);     // the client is pinging now
        // select by user and address: an earlier alice session may still wait for its LCP echo timeout
        Path request = lab.work().resolve("disconnect.txt");
        Files.writeString(request, "User-Name = \"alice\"\nFramed-IP-Address = " + address + "\nEvent-Timestamp = "
                + Instant.now().getEpochSecond() + "\n");
        String reply = lab.exec("radclient", "-x", "-r", "1", "-t", "3", "-f", request.toString(), "127.0.0.1:3799",
                "disconnect", RADIUS_SECRET);
        assertThat(reply).contains("Disconnect-ACK");
        String r = c.result();
        assertThat(r).contains("ppp=up");
        assertThat(r).doesNotContain("ping=60/60");
        assertThat(lab.log()).contains("cause=admin_disconnect");
        String finalAddress = address;
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (radius.detailRecords().stream().noneMatch(x -> "Admin-Reset".equals(unquote(x.get("Acct-Terminate-Cause"))))
                && Instant.now().isBefore(until)) {
            Thread.sleep(200);
        }
        assertThat(radius.detailRecords().stream().filter(x -> "Admin-Reset".equals(unquote(x.get("Acct-Terminate-Cause")))))
                .singleElement().satisfies(x -> assertThat(x.get("Framed-IP-Address")).isEqualTo(finalAddress));
        assertThat(lab.metrics()).containsPattern("l2sec_radius_dynauth_requests_total\\{[^}]*result=\"ack\"[^}]*type=\"disconnect\"[^}]*} 1");
    }

    @Test
    @Order(6)
    void gracefulShutdownTellsTheClientAndSendsAccountingStopAndOff() throws Exception {
        var c = client("alice", "alice-Passw0rd", "--pings", "60", "--expect", "down", "--wait", "45");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (lab.log().split("ipcp up", -1).length < 5) {       // alice's fourth established session
            if (Instant.now().isAfter(deadline)) throw new AssertionError("alice's session never came up:\n" + lab.log());
            Thread.sleep(500);
        }
        Thread.sleep(3000);
        lab.stop();      // SIGTERM, asserts a clean shutdown
        String r = c.result();
        assertThat(r).contains("ppp=up").doesNotContain("ping=60/60");
        Instant until = Instant.now().plus(Duration.ofSeconds(10));
        while (radius.detailRecords().stream().noneMatch(x -> "Accounting-Off".equals(unquote(x.get("Acct-Status-Type"))))
                && Instant.now().isBefore(until)) {
            Thread.sleep(200);
        }
        assertThat(radius.detailRecords()).anySatisfy(x -> {
            assertThat(unquote(x.get("Acct-Status-Type"))).isEqualTo("Stop");
            assertThat(unquote(x.get("Acct-Terminate-Cause"))).isEqualTo("Admin-Reboot");
        });
        assertThat(radius.detailRecords()).anySatisfy(x -> assertThat(unquote(x.get("Acct-Status-Type"))).isEqualTo("Accounting-Off"));
    }
}
