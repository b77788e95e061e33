package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.aaa.radius.FreeRadiusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which device is calling, end to end: the REAL Linux client (strongSwan 5.9 + xl2tpd + pppd in the interop VM)
 * connects through IPsec with a MODP2048 phase 1, authenticated and accounted by a REAL FreeRADIUS. The concentrator
 * learns its L2TP Host Name and Vendor Name from xl2tpd's SCCRQ and its IKE vendor IDs from strongSwan's Main Mode
 * message 1 (pppd sends no LCP Identification): {@code admin sessions} lists it as {@code linux_strongswan} with the host
 * name xl2tpd sent, {@code admin show} has the whole identification, the "ipcp up" line names kind and host,
 * FreeRADIUS's Accounting Start carries it in Connect-Info, and {@code l2sec_client_setups_total} counts it with its
 * DH group.
 */
class ClientIdentificationIT {
    private static final String PSK = "interop-psk-0123456789";
    private static final String RADIUS_SECRET = "radius-secret-0123456789";
    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final int ADMIN_PORT = 9118;
    private static ConcentratorInNamespace lab;
    private static FreeRadiusServer radius;

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("ident");
        radius = FreeRadiusServer.builder().namespace(lab.namespace()).authPort(18310).acctPort(18311).secret(RADIUS_SECRET)
                .users("""
                        alice Cleartext-Password := "alice-Passw0rd"
                        \tFilter-Id = "VPN-Users"
                        bob Cleartext-Password := "bob-Passw0rd"
                        \tFilter-Id = "VPN-Users"
                        """).build().start();
        lab.file("ipsec.psk", PSK + "\n");
        lab.file("radius.secret", RADIUS_SECRET + "\n");
        lab.file("admin.token", TOKEN + "\n");
        lab.start("""
                server:
                  name: l2sec-ident
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                aaa:
                  radius:
                    servers:
                      - name: freeradius
                        address: 127.0.0.1:18310
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

    private static String admin(String... args) throws Exception {
        ConcentratorInNamespace.Cli cli = lab.admin(ADMIN_PORT, args);
        assertThat(cli.status()).as("admin " + String.join(" ", args)).isZero();
        return cli.output();
    }

    /**
     * Two REAL clients at once, behind the same NAT address: alice with a MODP2048 phase 1 and bob with the phase 1
     * offer of Windows' built-in L2TP client as public logs show it (ECP384, ECP256, then MODP2048 and MODP1024), made
     * by strongSwan. Alice is identified, shown, accounted and counted; with the shipped groups and {@code
     * legacy.modp1024} off the concentrator agrees on ECP384 with bob, and the metric shows that group for him.
     */
    @Test
    void theRealLinuxClientIsIdentifiedShownAccountedAndCountedAndAWindowsShapedOfferAgreesOnEcp384() throws Exception {
        Path pcap = lab.work().resolve("ident.pcap");
        Process tshark = lab.capture(pcap);
        var c = lab.ipsecClient(PSK, "alice", "alice-Passw0rd", "--ike", "aes256-sha256-modp2048!", "--pings", "20");
        var windowsShaped = lab.ipsecClient(PSK, "bob", "bob-Passw0rd",
                "--ike", "aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes256-sha1-modp1024!", "--pings", "20");
        lab.waitFor("both sessions", Duration.ofSeconds(90), () -> lab.log().split("ipcp up", -1).length > 2);

        // what xl2tpd said in its SCCRQ, as the tunnel logged it
        Matcher tunnel = Pattern.compile("tunnel up host=(\\S+) vendor=(\\S+)").matcher(lab.log());
        assertThat(tunnel.find()).as("tunnel up line\n" + lab.log()).isTrue();
        String host = tunnel.group(1);
        assertThat(tunnel.group(2)).isEqualTo("xelerance.com");
        assertThat(host).isNotEqualTo("-");
        assertThat(lab.log()).containsPattern("ipcp up address=\\S+ dns=.*? client=linux_strongswan host=" + Pattern.quote(host));

        String list = admin("sessions");
        String row = list.lines().filter(l -> l.contains(" alice ")).findFirst().orElseThrow(
                () -> new AssertionError("no session of alice listed:\n" + list));
        assertThat(row).containsPattern("aes256-sha256-modp2048 +\\S+ +linux_strongswan +" + Pattern.quote(host) + "$");
        String id = row.trim().split("\\s+")[0];

        String show = admin("show", id);
        assertThat(show).contains("\"kind\" : \"linux_strongswan\"", "\"host\" : \"" + host + "\"",
                "\"l2tpVendorName\" : \"xelerance.com\"", "\"ikeGroup\" : \"modp2048\"", "\"dhGroup\" : \"modp2048\"",
                "\"rfc3947\"");

        assertThat(lab.metrics()).containsPattern(
                "l2sec_client_setups_total\\{ike_group=\"modp2048\",kind=\"linux_strongswan\"[^}]*} 1")
                .containsPattern("l2sec_client_setups_total\\{ike_group=\"ecp384\",kind=\"linux_strongswan\"[^}]*} 1")
                .containsPattern("l2sec_client_sessions\\{kind=\"linux_strongswan\"[^}]*} 2")
                .containsPattern("l2sec_client_sessions\\{kind=\"windows\"[^}]*} 0");
        assertThat(lab.log()).contains("aes256-sha1-ecp384");

        lab.waitFor("accounting Start of alice", Duration.ofSeconds(20), () -> Files.exists(radius.detailFile())
                && radius.detailRecords().stream().anyMatch(ClientIdentificationIT::aliceStart));
        Map<String, String> start = radius.detailRecords().stream().filter(ClientIdentificationIT::aliceStart)
                .findFirst().orElseThrow();
        assertThat(ConcentratorInNamespace.unquote(start.get("Connect-Info")))
                .isEqualTo("kind=linux_strongswan host=" + host + " vendor=xelerance.com ike=modp2048");

        String r;
        String w;
        try {
            r = c.result();
            w = windowsShaped.result();
        } finally {
            tshark.destroy();
            tshark.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(r).contains("ike=up", "ppp=up", "ping=20/20");
        assertThat(w).contains("ike=up", "ppp=up", "ping=20/20");

        // a second opinion on the vendor IDs: tshark's dissection of each client's Main Mode message 1 (the same
        // strongSwan) lists as many as admin show names, the NAT-T and DPD ones among them
        String vids = ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString(), "-Y",
                "isakmp.exchangetype == 2 && isakmp.rspi == 00:00:00:00:00:00:00:00", "-T", "fields", "-e", "isakmp.vid_bytes", "-e", "isakmp.vid_string");
        System.out.println("----- tshark: vendor IDs of message 1\n" + vids);
        Matcher names = Pattern.compile("\"ikeVendorIds\" : \\[([^\\]]*)]").matcher(show);
        assertThat(names.find()).isTrue();
        List<String> firsts = vids.lines().filter(l -> !l.isBlank()).toList();
        assertThat(firsts).as("message 1 of " + pcap).isNotEmpty().allSatisfy(first -> {
            assertThat(first.split("\t")[0].split(",")).hasSize(names.group(1).split(",").length);
            assertThat(first).contains("4a131c81070358455c5728f20e95452f", "afcad71368a1f1c96b8696fc77570100");   // RFC 3947, DPD
        });
    }

    private static boolean aliceStart(Map<String, String> record) {
        return "Start".equals(ConcentratorInNamespace.unquote(record.get("Acct-Status-Type")))
                && "alice".equals(ConcentratorInNamespace.unquote(record.get("User-Name")));
    }
}
