package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Child SA rekeys with the REAL client while traffic flows. When the client rekeys first (strongSwan at 2/3 of a
 * 21 s lifetime, every 14 s, before our soft limit at 90 %), its Quick Mode replaces the old pair: we never rekey the replaced
 * pair ourselves, and it is deleted after a short grace period, so the client holds one SA chain, not two. When
 * our lifetime is the shorter one, we rekey ourselves, as before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClientRekeyIT {
    private static final String PSK = "interop-psk-0123456789";
    private static final Pattern ESP_SAS = Pattern.compile("(?m)^l2sec_esp_sas_active (\\S+)$");
    private static ConcentratorInNamespace lab;

    @BeforeAll
    static void create() throws Exception {
        lab = ConcentratorInNamespace.create("rekey");
        lab.file("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.file("ipsec.psk", PSK + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
    }

    private static void start(String espLifetimeMax) throws Exception {
        lab.start(ConcentratorInNamespace.ipsecConfig("l2sec-rekey", "esp:\n  lifetime-max: " + espLifetimeMax));
    }

    private static ConcentratorInNamespace.Client client(String... extra) throws Exception {
        return lab.ipsecClient(PSK, "alice", "password", extra);
    }

    @Test
    @Order(1)
    void aClientRekeyReplacesThePairAndLeavesOneChain() throws Exception {
        start("8h");
        List<Integer> espSas = new CopyOnWriteArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        String r;
        try {
            // 60 pings, one a second, after IKE, L2TP and PPP: the client rekeys at 14, 28, 42 and 56 s (its IKE SA at
            // 35 s), at least three times while pinging; each replaced pair lingers for the 5 s grace period
            var c = client("--rekey", "21", "--pings", "60");
            sampler.scheduleWithFixedDelay(() -> {
                try {
                    Matcher m = ESP_SAS.matcher(lab.metrics());
                    if (m.find()) espSas.add((int) Double.parseDouble(m.group(1)));
                } catch (Exception e) {
                    // not up yet
                }
            }, 1, 1, TimeUnit.SECONDS);
            r = c.result();
        } finally {
            sampler.shutdownNow();
        }
        assertThat(r).contains("ike=up", "l2tp=up", "ppp=up", "ping=60/60");
        String log = lab.log();
        System.out.println("----- l2sec_esp_sas_active, sampled every second: " + espSas);
        assertThat(count(log, "rekey replaces=")).as("the client rekeyed several times").isGreaterThanOrEqualTo(3);
        assertThat(count(log, "cause=rekeyed")).as("each replaced pair deleted (ESP and IKE log it)")
                .isGreaterThanOrEqualTo(2 * 3);
        assertThat(log).as("no rekey of our own for pairs the client already replaced")
                .doesNotContain("phase2 rekeyed (initiated");
        // one chain: one pair between rekeys, two only during the grace period after each rekey
        List<Integer> whileUp = espSas.stream().filter(n -> n > 0).toList();
        assertThat(whileUp).isNotEmpty().allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        assertThat(whileUp.stream().filter(n -> n == 1).count()).as("samples with one pair: " + whileUp)
                .isGreaterThan(whileUp.stream().filter(n -> n == 2).count());
        // the VM switched off without deleting: its last pair stays until DPD, and once a rekey's grace period is
        // over it is the only one
        String metrics = lab.metrics();
        for (int i = 0; i < 20 && !metrics.contains("l2sec_esp_sas_active 1.0"); i++) {
            Thread.sleep(500);
            metrics = lab.metrics();
        }
        assertThat(metrics).contains("l2sec_esp_sas_active 1.0");
    }

    @Test
    @Order(2)
    void ourShorterLifetimeStillMakesUsRekey() throws Exception {
        start("1m"); // soft limit at 54 s; the client (rekey=no) never rekeys by itself
        // pings start a few seconds after phase 2 is up: our rekey at 54 s falls around ping 45-50, 15 or more follow it
        String r = client("--pings", "65").result();
        assertThat(r).contains("ike=up", "l2tp=up", "ppp=up", "ping=65/65");
        assertThat(lab.log()).contains("needs rekey: soft lifetime", "phase2 rekeyed (initiated: soft lifetime)",
                "cause=rekeyed");
        assertThat(lab.metrics()).containsPattern("l2sec_ike_rekeys_total\\{phase=\"2\"} [1-9]");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
