package net.l2sec.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three worker event loops on the NIO transport, where no kernel program steers datagrams: most of them reach a
 * worker that does not own their sender and are handed over (l2sec_listen_handoffs_total). Clients from 30
 * addresses still all come up and ping through the TUN device (a queue per worker), while up the exported gauges
 * are the sum over the workers, and once they hung up every worker's state is gone.
 */
class LoadgenWorkersIT {
    private static final String PSK = "loadgen-psk-0123456789";
    private static Lab lab;
    private static Path log;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.create("workers", false);
        lab.secret("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.secret("ipsec.psk", PSK + "\n");
        lab.concentrator("""
                server:
                  name: l2sec-loadgen-workers
                  transport: nio
                  workers: 3
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.250
                aaa:
                  local:
                    users-file: %s
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
    void clientsOfEveryWorkerComeUpAndPingWhileDatagramsAreHandedToTheirOwners() throws Exception {
        assertThat(Lab.read(log)).contains("transport=nio workers=3", "no kernel steering program here");
        Lab.LoadgenRun r = lab.loadgen("--server", "127.0.0.1", "--psk", PSK, "--user", "alice", "--password", "password",
                "--source-addresses", "127.0.2.1-127.0.2.30", "--clients", "30", "--rate", "30", "--ping", "10.99.0.1",
                "--ping-interval", "0.5", "--lcp-echo", "2", "--duration", "14", "--until-up", "6");
        assertThat(r.result()).as("RESULT line").isNotNull()
                .contains("status=ok", "connected=30", "failed=0", "pinged_clients=30", "failures=none");
        assertThat(r.exit()).isZero();
        String metrics = scrape();
        assertThat(value(metrics, "l2sec_listen_handoffs_total{socket=\"natt\"}")).isGreaterThan(0);
        assertThat(value(metrics, "l2sec_l2tp_sessions_established_total")).isEqualTo(30);
        // every worker's sessions ended with the clients' hang-up
        for (int i = 0; i < 50 && value(scrape(), "l2sec_ppp_sessions_active") > 0; i++) Thread.sleep(200);
        metrics = scrape();
        assertThat(value(metrics, "l2sec_ppp_sessions_active")).isZero();
        assertThat(value(metrics, "l2sec_esp_sas_active")).isZero();
        assertThat(value(metrics, "l2sec_pool_addresses{pool=\"default\",state=\"used\"}")).isZero();
    }

    private static String scrape() throws Exception {
        return lab.metrics();
    }

    /** The value of the series {@code series} (name and labels as exported), or -1 when it is absent. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
