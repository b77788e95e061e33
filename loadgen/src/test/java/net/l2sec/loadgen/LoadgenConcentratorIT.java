package net.l2sec.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load generator against our own concentrator: the packaged jar in a namespace of its own (its TUN device and
 * pool stay there), up to 200 simulated clients, each through IKE, Quick Mode, L2TP, PPP (MS-CHAPv2 or PAP) and IPCP, then
 * pinging the concentrator's tunnel address through ESP, L2TP, PPP and the TUN device.
 */
class LoadgenConcentratorIT {
    private static final String PSK = "loadgen-psk-0123456789";
    private static Lab lab;
    private static Path log;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.create("conc", false);
        lab.secret("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\nbob plain:builder\n");
        lab.secret("ipsec.psk", PSK + "\n");
        lab.concentrator("""
                server:
                  name: l2sec-loadgen-it
                  workers: 2
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/23
                  address6: 2001:db8:99::1/48
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.1.250
                pools6:                 # the concentrator offers IPV6CP; the loadgen Protocol-Rejects it, IPv4 goes on
                  - name: default6
                    prefix: 2001:db8:99::/48
                ppp:
                  dns: [10.99.0.53, 10.99.0.54]
                aaa:
                  local:
                    users-file: %s
                ipsec:
                  psk-file: %s
                  limits:
                    new-per-source-per-second: 1000   # 50 clients behind one NAT address
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
    void fiftyClientsBehindOneNatComeUpAndPingThroughTheTunDevice() throws Exception {
        long pid = concentratorPid();
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "alice", "--password", "password",
                "--clients", "50", "--rate", "25", "--ping", "10.99.0.1", "--ping-interval", "0.5", "--duration", "12",
                "--pid", String.valueOf(pid));
        assertThat(r.result()).as("RESULT line").isNotNull()
                .contains("status=ok", "connected=50", "failed=0", "pinged_clients=50", "failures=none");
        assertThat(r.exit()).isZero();
        assertThat(r.output()).containsPattern("t=\\d+s started=50 established=50 ")
                .containsPattern("target_rss_mib=\\d+ target_heap_mib=\\d+");
        assertThat(Lab.read(log)).contains("phase2 up esp=aes256-sha1", "auth ok method=mschapv2 user=alice",
                "ipv6cp finished: IPv4 only");
    }

    @Test
    void separateNatsGcmEcpAndPap() throws Exception {
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "bob", "--password", "builder",
                "--auth", "pap", "--proposal", "aes128-sha256-ecp256", "--esp", "aes128gcm16", "--nat", "real",
                "--source-addresses", "127.0.0.2-127.0.0.11", "--clients", "10", "--rate", "10", "--ping", "peer",
                "--stream", "50", "200", "--duration", "8");
        assertThat(r.result()).isNotNull().contains("status=ok", "connected=10", "pinged_clients=10", "failures=none");
        assertThat(Lab.read(log)).contains("phase1 up aes128-sha256-ecp256", "phase2 up esp=aes128gcm16", "auth ok method=pap user=bob");
    }

    /** A small smoke of benchmarks/scale.sh: a storm of 200 clients, each behind a NAT of its own, started at once. */
    @Test
    void twoHundredClientsStartedAtOnceAllComeUp() throws Exception {
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "alice", "--password", "password",
                "--source-addresses", "127.0.1.1-127.0.1.200", "--clients", "200", "--rate", "1000000",
                "--setup-timeout", "40", "--duration", "50", "--until-up", "1");
        assertThat(r.result()).as("RESULT line").isNotNull()
                .contains("status=ok", "connected=200", "failed=0", "failures=none").containsPattern("all_up_s=\\d+\\.\\d ");
        assertThat(r.exit()).isZero();
        // two workers on epoll: the kernel program steered every client's datagrams to the worker that owns it
        assertThat(Lab.read(log)).contains("transport=epoll workers=2", "the kernel steers each client's datagrams to its worker");
        String metrics = lab.metrics();
        assertThat(metrics).contains("l2sec_listen_handoffs_total{socket=\"ike\"} 0.0", "l2sec_listen_handoffs_total{socket=\"natt\"} 0.0");
    }

    @Test
    void aWrongPskFailsInIkeAndIsReportedByStage() throws Exception {
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", "not-the-psk-at-all", "--clients", "2",
                "--duration", "6", "--setup-timeout", "4");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.result()).contains("status=fail", "connected=0", "failures=ike:");
    }

    private static long concentratorPid() throws Exception {
        for (String pid : Lab.run("ip", "netns", "pids", lab.ns).split("\\s+")) {
            if (pid.isBlank()) continue;
            String cmd = ProcessHandle.of(Long.parseLong(pid)).flatMap(h -> h.info().commandLine()).orElse("");
            if (cmd.contains("l2sec-concentrator.jar")) return Long.parseLong(pid);
        }
        throw new IllegalStateException("no concentrator process in " + lab.ns);
    }
}
