package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * IPv6 for the REAL Linux client (pppd 2.4.9 {@code +ipv6} in the harness VM, L2TP/IPsec behind the slirp NAT):
 * IPV6CP opens, our Router Advertisement gives the client a /64 of {@code pools6} by SLAAC, and ping6 from the
 * client reaches the concentrator's IPv6 tunnel-side address through the TUN device and back; tshark, on the TUN
 * device, decodes the echo exchange. (The Router Advertisement travels inside ESP on the PPP link: its encoding is
 * checked octet by octet against a tshark-verified packet in NdCodecTest.) (Without pools6 the client's IPV6CP is
 * Protocol-Rejected and IPv4 works as before: RealClientIpsecIT's macOS-like client asks for IPv6.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClientIpv6IT {
    private static final String PSK = "interop-psk-0123456789";
    private static ConcentratorInNamespace lab;

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("ipv6");
        lab.file("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.file("ipsec.psk", PSK + "\n");
        lab.start("""
                server:
                  name: l2sec-iop
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                  address6: 2001:db8:99::1/48
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                pools6:
                  - name: default6
                    prefix: 2001:db8:99::/48
                ppp:
                  dns: [10.99.0.53]
                  dns6: [2001:db8:99::53]
                  echo-interval: 10s
                aaa:
                  local:
                    users-file: users
                ipsec:
                  psk-file: ipsec.psk
                  legacy:
                    modp1024: true
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(ConcentratorInNamespace.METRICS_PORT));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
    }

    @Test
    @Order(1)
    void slaacAddressInItsSlash64AndPing6ToTheConcentrator() throws Exception {
        Path pcap = lab.work().resolve("ipv6.pcap");
        Process tshark = new ProcessBuilder("ip", "netns", "exec", lab.namespace(), "tshark", "-q", "-i", "l2sec0", "-f", "ip6",
                "-w", pcap.toString()).redirectErrorStream(true).redirectOutput(lab.work().resolve("tshark6.log").toFile()).start();
        String r;
        try {
            Thread.sleep(2000);   // tshark opens the device; the client takes far longer to get there
            r = lab.ipsecClient(PSK, "alice", "password", "--ipv6", "yes", "--target6", "2001:db8:99::1").result();
        } finally {
            tshark.destroy();
            tshark.waitFor(10, TimeUnit.SECONDS);
            System.out.println("----- metrics\n" + lab.metrics().lines().filter(l -> l.contains("ipv6") || l.contains("ip_dropped")
                    || l.contains("router_adv") || l.contains("pool6") || l.contains("ppp_ip_")).reduce("", (a, b) -> a + b + "\n"));
        }
        assertThat(r).contains("ike=up", "ppp=up", "ping=3/3", "ping6=3/3");
        assertThat(r).containsPattern("ip6=2001:db8:99:1:[0-9a-f:]+/64");
        String log = lab.log();
        assertThat(log).contains("ipv6cp up prefix=2001:db8:99:1::/64");
        String m = lab.metrics();
        assertThat(m).containsPattern("l2sec_ppp_nd_router_advertisements_total\\{kind=\"unsolicited\"} [1-9]");
        assertThat(m).containsPattern("l2sec_ppp_sessions_ipv6_active [0-9]");
        assertThat(m).containsPattern("l2sec_pool6_prefixes\\{pool=\"default6\",state=\"total\"} 65536");
        String echo = ConcentratorInNamespace.stdout("tshark", "-r", pcap.toString(), "-Y", "icmpv6");
        System.out.println("----- tshark -r " + pcap + " -Y icmpv6\n" + echo);
        assertThat(echo).contains("Echo (ping) request", "Echo (ping) reply", "2001:db8:99::1");
    }
}
