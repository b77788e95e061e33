package net.l2sec.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Split-tunnel routes and MSS clamping through the real concentrator, end to end, judged by tshark: one load
 * generator client comes up through IKE, ESP, L2TP, PPP and IPCP, sends a DHCPINFORM shaped like Windows' and a TCP
 * SYN with MSS 1460 to a listener in the namespace (the concentrator's side), and writes the inner packets it sends
 * and receives to a pcap file; tshark also captures on the concentrator's TUN device. The harness VM has no TCP
 * tool (its init only pings), so the load generator is the client here.
 */
class SplitTunnelAndMssIT {
    private static final String PSK = "loadgen-psk-0123456789";
    private static final int PORT = 8080;
    private static Lab lab;
    private static Path log;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.create("ipv4", false);
        lab.secret("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.secret("ipsec.psk", PSK + "\n");
        // the tunnel interface at 1500: the kernel's SYN-ACK offers 1460, which the clamp must lower on its way out
        lab.concentrator("""
                server:
                  name: l2sec-split-it
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                  mtu: 1500
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.250
                ppp:
                  dns: [10.1.0.53]
                aaa:
                  local:
                    users-file: %s
                  policy:
                    rules:
                      - name: staff
                        routes: [10.1.0.0/16, 192.168.50.0/24]
                        domain: corp.example.com
                        max-sessions-total: 5
                        rate-limit: {down: 2mbit, up: 256kbit}
                ipsec:
                  psk-file: %s
                metrics:
                  listen: 127.0.0.1:9117
                """.formatted(lab.work.resolve("users"), lab.work.resolve("ipsec.psk")));
        log = lab.concentratorLog();
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab == null) return;
        lab.close();
        System.out.println("----- concentrator log\n" + Lab.read(log));
        assertThat(Lab.read(log)).as("Netty leak detector").doesNotContain("LEAK:");
    }

    @Test
    void dhcpInformGetsTheRoutesAndSynsAreClampedBothWays() throws Exception {
        // a TCP listener on the concentrator's side (bounded: it exits after two minutes)
        Path listener = lab.work.resolve("Listener.java");
        Files.writeString(listener, """
                import java.net.*;
                class Listener {
                    public static void main(String[] a) throws Exception {
                        try (ServerSocket s = new ServerSocket(%d)) {
                            System.out.println("listening");
                            Thread.sleep(120_000);
                        }
                    }
                }
                """.formatted(PORT));
        lab.server(lab.work.resolve("listener.log"), Duration.ofSeconds(30), s -> s.contains("listening"), lab.java(), listener.toString());
        Path tunPcap = lab.work.resolve("tun.pcapng");
        Process tshark = lab.server(lab.work.resolve("tshark.log"), Duration.ofSeconds(30), s -> s.contains("Capturing on"),
                "tshark", "-n", "-i", "l2sec0", "-f", "tcp port " + PORT, "-w", tunPcap.toString());
        Path inner = lab.work.resolve("inner.pcap");

        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "alice", "--password", "password",
                "--clients", "1", "--duration", "15", "--until-up", "5", "--dhcp-inform", "--tcp-syn", "10.99.0.1:" + PORT,
                "--pcap", inner.toString());
        Thread.sleep(1000);
        tshark.destroy();
        assertThat(tshark.waitFor(15, TimeUnit.SECONDS)).isTrue();

        assertThat(r.result()).as("RESULT line").isNotNull().contains("status=ok", "connected=1",
                "dhcp_acks=1", "dhcp_routes=10.1.0.0/16,192.168.50.0/24", "dhcp_domain=corp.example.com",
                "syn_acks=1", "syn_ack_mss=1352");

        // 1. the DHCPACK as tshark decodes it from the client's inner packets: options 121 and 249 with the routes
        String dhcp = tshark("-r", inner.toString(), "-o", "udp.check_checksum:TRUE", "-V", "-Y", "dhcp");
        System.out.println("----- tshark -r inner.pcap -V -Y dhcp\n" + dhcp);
        assertThat(dhcp).contains("DHCP: Inform (8)", "DHCP: ACK (5)", "Option: (121) Classless Static Route",
                "Option: (249) Private/Classless Static Route (Microsoft)", "10.1.0.0/16-10.99.0.1",
                "192.168.50.0/24-10.99.0.1", "Domain Name: corp.example.com", "Domain Name Server: 10.1.0.53",
                "Subnet Mask: 255.255.255.0", "[Checksum Status: Good]").doesNotContain("IP Address Lease Time")
                .doesNotContain("[Checksum Status: Bad]");

        // 2. on the TUN device: the client's SYN leaves the concentrator with the MSS lowered from 1460 to 1352
        String tunSyn = tshark("-r", tunPcap.toString(), "-o", "tcp.check_checksum:TRUE", "-V", "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0");
        System.out.println("----- tshark -r tun.pcapng -V -Y 'tcp.flags.syn==1 && tcp.flags.ack==0'\n" + tunSyn);
        assertThat(tunSyn).contains("Src: 10.99.0.10", "Maximum segment size: 1352 bytes", "[Checksum Status: Good]")
                .doesNotContain("Maximum segment size: 1460 bytes").doesNotContain("[Checksum Status: Bad]");
        // the listener's SYN-ACK enters the TUN device with the kernel's 1460 ...
        String tunSynAck = tshark("-r", tunPcap.toString(), "-V", "-Y", "tcp.flags.syn==1 && tcp.flags.ack==1");
        System.out.println("----- tshark -r tun.pcapng -V -Y 'tcp.flags.syn==1 && tcp.flags.ack==1'\n" + tunSynAck);
        assertThat(tunSynAck).contains("Maximum segment size: 1460 bytes");
        // ... and reaches the client through the tunnel with 1352
        String innerSynAck = tshark("-r", inner.toString(), "-o", "tcp.check_checksum:TRUE", "-V", "-Y", "tcp.flags.syn==1 && tcp.flags.ack==1");
        System.out.println("----- tshark -r inner.pcap -V -Y 'tcp.flags.syn==1 && tcp.flags.ack==1'\n" + innerSynAck);
        assertThat(innerSynAck).contains("Src: 10.99.0.1,", "Maximum segment size: 1352 bytes")
                .contains("[Checksum Status: Good]").doesNotContain("Maximum segment size: 1460 bytes")
                .doesNotContain("[Checksum Status: Bad]");
        String innerSyn = tshark("-r", inner.toString(), "-V", "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0");
        assertThat(innerSyn).as("what the client sent").contains("Maximum segment size: 1460 bytes");

        String metrics = lab.metrics();
        assertThat(metrics).contains("l2sec_ppp_dhcp_replies_total 1.0");
        assertThat(metrics).containsPattern("l2sec_ppp_mss_clamped_total\\{direction=\"from_client\"\\} [1-9]");
        assertThat(metrics).containsPattern("l2sec_ppp_mss_clamped_total\\{direction=\"to_client\"\\} [1-9]");
        assertThat(Lab.read(log)).contains("ipcp up address=10.99.0.10 dns=[10.1.0.53] mss-clamp=1352",
                "dhcpinform answered routes=[10.1.0.0/16, 192.168.50.0/24] domain=corp.example.com");
    }

    /** The rule's max-sessions-total of 5: seven clients of the rule at once, two are refused (MS-CHAPv2 error 649), with their own reason. */
    @Test
    void aRulesTotalCapRefusesTheSessionsBeyondIt() throws Exception {
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "alice", "--password", "password",
                "--clients", "7", "--rate", "20", "--duration", "20", "--until-up", "3", "--setup-timeout", "15");
        assertThat(r.result()).as("RESULT line").isNotNull().contains("connected=5", "failed=2",
                "failures=ppp_auth:mschapv2_649:2");
        assertThat(lab.metrics()).containsPattern(
                "l2sec_ppp_auth_total\\{method=\"mschapv2\",reason=\"rule_session_limit\",result=\"reject\"\\} 2.0");
        assertThat(Lab.read(log)).contains("reason=rule_session_limit detail=rule=staff allows 5 sessions in all (max-sessions-total), it holds 5");
    }

    /**
     * The rule's rate limit, 256 kbit/s up: a client streaming 1.6 Mbit/s of echo requests gets its burst and then
     * about a sixth of them through; the rest are dropped and counted. (Loose bounds: the run's timing is real.)
     */
    @Test
    void theRulesRateLimitPolicesTheClientsTraffic() throws Exception {
        String before = lab.metrics();
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "alice", "--password", "password",
                "--clients", "1", "--ping", "peer", "--stream", "200", "1000", "--duration", "8", "--until-up", "5");
        assertThat(r.result()).as("RESULT line").isNotNull().contains("connected=1");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("pings_sent=(\\d+) pings_received=(\\d+)").matcher(r.result());
        assertThat(m.find()).isTrue();
        long sent = Long.parseLong(m.group(1));
        long received = Long.parseLong(m.group(2));
        assertThat(sent).isGreaterThan(500);
        assertThat(received).as("256 kbit/s of 1.6 Mbit/s offered, plus one burst").isPositive().isLessThan(sent / 2);
        assertThat(rateLimited(lab.metrics()) - rateLimited(before)).isGreaterThan(sent / 2);
        assertThat(Lab.read(log)).contains("rate-limit=down=2mbit up=256kbit");
    }

    private static double rateLimited(String metrics) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "l2sec_ppp_ip_rate_limited_total\\{direction=\"from_client\"\\} ([0-9.E]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String tshark(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "tshark";
        cmd[1] = "-n";
        System.arraycopy(args, 0, cmd, 2, args.length);
        return Lab.run(cmd);
    }
}
