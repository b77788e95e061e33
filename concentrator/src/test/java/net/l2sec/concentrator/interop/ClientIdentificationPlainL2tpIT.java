package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which device is calling, seen on the wire: plain L2TP (lab mode) from the REAL Linux client (xl2tpd + pppd in the
 * VM), so tshark can dissect the SCCRQ. The Host Name and Vendor Name AVPs tshark reads are what {@code admin sessions}
 * and {@code admin show} report, the client is {@code linux_strongswan} by xl2tpd's Vendor Name, and without IPsec
 * the metric's group is {@code none}. pppd sends no LCP Identification (code 12): tshark sees none, and none is shown.
 */
class ClientIdentificationPlainL2tpIT {
    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final int ADMIN_PORT = 9118;
    private static ConcentratorInNamespace lab;

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("identp");
        lab.file("users", "alice plain:password\n");
        lab.file("admin.token", TOKEN + "\n");
        lab.start("""
                server:
                  name: l2sec-identp
                l2tp:
                  listen: 0.0.0.0:1701
                  require-ipsec: false
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                aaa:
                  local:
                    users-file: users
                admin:
                  listen: 127.0.0.1:%d
                  token-file: admin.token
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(ADMIN_PORT, ConcentratorInNamespace.METRICS_PORT));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
    }

    private static String admin(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.namespace(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", lab.jar().toString(), "admin",
                "--url", "http://127.0.0.1:" + ADMIN_PORT, "--token-file", lab.work().resolve("admin.token").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("admin " + String.join(" ", args) + " hung");
        System.out.println("----- admin " + String.join(" ", args) + " (exit " + p.exitValue() + ")\n" + out);
        assertThat(p.exitValue()).isZero();
        return out;
    }

    @Test
    void theSccrqsHostAndVendorNameAsTsharkReadsThemAreWhatAdminShows() throws Exception {
        Path pcap = lab.work().resolve("plain.pcap");
        Process tshark = lab.capture(pcap);
        String list;
        String show;
        String r;
        try {
            var c = lab.client("--mode", "noipsec", "--auth", "mschapv2", "--user", "alice", "--password", "password",
                    "--pings", "20", "--wait", "40");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!lab.log().contains("ipcp up")) {
                if (System.nanoTime() > deadline) throw new AssertionError("no session\n" + lab.log());
                Thread.sleep(300);
            }
            list = admin("sessions");
            String id = list.lines().filter(l -> l.contains(" alice ")).findFirst().orElseThrow().trim().split("\\s+")[0];
            show = admin("show", id);
            r = c.result();
        } finally {
            tshark.destroy();
            tshark.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(r).contains("l2tp=up", "ppp=up", "ping=20/20");

        String sccrq = ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString(), "-Y", "l2tp.avp.message_type == 1",
                "-T", "fields", "-e", "l2tp.avp.host_name", "-e", "l2tp.avp.vendor_name");
        System.out.println("----- tshark: SCCRQ Host Name, Vendor Name\n" + sccrq);
        String[] fields = sccrq.lines().filter(l -> !l.isBlank()).findFirst()
                .orElseThrow(() -> new AssertionError("no SCCRQ in " + pcap)).split("\t");
        String host = fields[0];
        assertThat(fields[1]).isEqualTo("xelerance.com");

        String row = list.lines().filter(l -> l.contains(" alice ")).findFirst().orElseThrow();
        assertThat(row).containsPattern(" linux_strongswan +" + java.util.regex.Pattern.quote(host) + "$");
        assertThat(show).contains("\"l2tpHostName\" : \"" + host + "\"", "\"l2tpVendorName\" : \"xelerance.com\"",
                "\"lcpIdentification\" : [ ]", "\"ikeVendorIds\" : [ ]", "\"ipsec\" : null");
        // pppd sends no Identification: tshark finds LCP, but no code 12
        assertThat(ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString(), "-Y", "lcp")).isNotBlank();
        assertThat(ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString(), "-Y", "lcp && ppp.code == 12")).isBlank();
        assertThat(lab.metrics()).containsPattern("l2sec_client_setups_total\\{ike_group=\"none\",kind=\"linux_strongswan\"[^}]*} 1");
    }
}
