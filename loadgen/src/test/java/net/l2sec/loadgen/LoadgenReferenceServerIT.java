package net.l2sec.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load generator against the known-good reference server of ../shared/interop (strongSwan 5.9 IKEv1 responder,
 * xl2tpd LNS, pppd with MS-CHAPv2, in a VM whose UDP 500/4500/1701 are forwarded from the namespace's 127.0.0.1
 * through qemu's slirp NAT): a generated client gets IKE, L2TP and PPP up and pings pppd's address, 192.168.77.1.
 * This proves the generator a real client, not a mirror of our own server.
 *
 * <p>One client only: the reference server sees every client behind slirp's NAT as 10.0.2.2 with L2TP from port
 * 1701, and Linux transport-mode policies (and xl2tpd) cannot tell two such clients apart.
 */
class LoadgenReferenceServerIT {
    private static final String PSK = "refserver-psk-0123456789";
    private static Lab lab;
    private static Path log;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.create("ref", true);
        log = lab.work.resolve("refserver.log");
        // reference-server.sh starts qemu in the background and prints its PID; the VM writes to --log
        Lab.run("ip", "netns", "exec", lab.ns, lab.interop.resolve("reference-server.sh").toString(), "--net", "host",
                "--serve", "150", "--psk", PSK, "--user", "carol", "--password", "carol-pw", "--auth", "mschapv2",
                "--ike", "aes256-sha1-modp2048,aes128-sha1-modp1024!", "--log", log.toString());
        java.time.Instant deadline = java.time.Instant.now().plus(Duration.ofSeconds(120));
        while (!Lab.read(log).contains("reference server up")) {
            if (java.time.Instant.now().isAfter(deadline)) throw new IllegalStateException("reference server did not start:\n" + Lab.read(log));
            Thread.sleep(1000);
        }
        Thread.sleep(3000);   // charon and xl2tpd finish starting after the line
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
        System.out.println("----- reference server log\n" + Lab.read(log));
    }

    @Test
    void aGeneratedClientGetsIkeL2tpAndPppUpAndPingsThroughStrongSwanXl2tpdAndPppd() throws Exception {
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "carol", "--password", "carol-pw",
                "--auth", "mschapv2", "--proposal", "aes256-sha1-modp2048", "--esp", "aes256-sha1",
                "--clients", "1", "--ping", "192.168.77.1", "--ping-interval", "0.5", "--duration", "15",
                "--setup-timeout", "30");
        assertThat(r.result()).as("RESULT line").isNotNull()
                .contains("status=ok", "connected=1", "failed=0", "pinged_clients=1", "failures=none");
        assertThat(r.exit()).isZero();
    }
}
