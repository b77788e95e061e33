package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The REAL client with NO NAT in the path ({@code client.sh --net tap}: the VM on a tap device, this side
 * 10.0.3.1), against a concentrator on the shipped wildcard listen addresses whose host has other addresses too:
 * an inside interface configured before start, the tap (the address clients dial) added after it; then a
 * concentrator started with only loopback. The client must see only ITSELF behind NAT (the forced encapsulation)
 * and never the server (Windows refuses that by default, error 809): our NAT-D, identity and every reply use the
 * address the client sent to.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClientNoNatIT {
    private static final String PSK = "interop-psk-0123456789";
    private static final String SERVER = "10.0.3.1";
    private static final String CLIENT = "10.0.3.15";
    private static ConcentratorInNamespace lab;

    @BeforeAll
    static void create() throws Exception {
        lab = ConcentratorInNamespace.create("nonat");
        lab.file("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.file("ipsec.psk", PSK + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
    }

    private static void start() throws Exception {
        lab.start(ConcentratorInNamespace.ipsecConfig("l2sec-nonat", """
                listen-ike: 0.0.0.0:500
                listen-natt: 0.0.0.0:4500
                """));
    }

    @Test
    @Order(1)
    void multiHomedServerWithTheClientsAddressAddedAfterStart() throws Exception {
        // the inside interface, up before start (a veth: this kernel may lack the dummy driver)
        lab.exec("ip", "link", "add", "inside0", "type", "veth", "peer", "name", "inside1");
        lab.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "inside0");
        lab.exec("ip", "link", "set", "inside0", "up");
        lab.exec("ip", "link", "set", "inside1", "up");
        start();
        connectWithoutNat("multi-homed");
        assertThat(lab.log()).containsPattern("ipsec ready .*local-addresses=\\[10\\.99\\.0\\.1, 127\\.0\\.0\\.1, 192\\.0\\.2\\.1]");
    }

    @Test
    @Order(2)
    void serverStartedWithOnlyLoopback() throws Exception {
        lab.exec("ip", "link", "del", "inside0");
        start();
        connectWithoutNat("loopback-only");
        assertThat(lab.log()).containsPattern("ipsec ready .*local-addresses=\\[10\\.99\\.0\\.1, 127\\.0\\.0\\.1]");
    }

    private void connectWithoutNat(String name) throws Exception {
        Path results = lab.work().resolve(name);
        Path pcap = lab.work().resolve(name + ".pcap");
        // "any" also captures on the tap device client.sh creates later
        Process tshark = lab.capture(pcap, "any");
        String r;
        try {
            r = lab.client("--mode", "ipsec", "--psk", PSK, "--auth", "mschapv2", "--user", "alice", "--password",
                    "password", "--net", "tap", "--results", results.toString(), "--wait", "45").result();
        } finally {
            tshark.destroy();
            tshark.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(r).contains("ike=up", "l2tp=up", "ppp=up", "ping=3/3");
        String console = Files.readString(results.resolve("console.log"));
        assertThat(console).as("the client is made to encapsulate (forced NAT-T)").contains("local host is behind NAT");
        assertThat(console).as("the server is not behind NAT: Windows would refuse it (error 809)")
                .doesNotContain("remote host is behind NAT");
        assertThat(lab.log()).contains("peer=" + CLIENT + ":4500 phase1 up", "peer=" + CLIENT + ":4500 phase2 up");

        // ESP is UDP-encapsulated on 4500 both ways, never raw IP protocol 50
        List<String> esp = tshark(pcap, "esp", "ip.src", "ip.dst", "udp.srcport", "udp.dstport");
        assertThat(esp).as("ESP packets").isNotEmpty()
                .allSatisfy(line -> assertThat(line).isIn(CLIENT + " " + SERVER + " 4500 4500", SERVER + " " + CLIENT + " 4500 4500"));
        assertThat(esp).contains(SERVER + " " + CLIENT + " 4500 4500");
        // every datagram the concentrator sent the client left from the address the client dialled
        assertThat(tshark(pcap, "ip.dst == " + CLIENT + " && udp", "ip.src")).isNotEmpty().containsOnly(SERVER);
        assertThat(lab.log()).as("the tap's address was bound after start").contains("added [" + SERVER + "]");
    }

    private static List<String> tshark(Path pcap, String filter, String... fields) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-Y", filter, "-T", "fields",
                "-E", "separator=/s"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        return ConcentratorInNamespace.stdout(cmd.toArray(String[]::new)).lines().map(String::strip)
                .filter(l -> !l.isEmpty()).distinct().toList();
    }
}
