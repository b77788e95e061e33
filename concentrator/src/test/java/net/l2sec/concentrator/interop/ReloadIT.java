package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reload without drops, with the REAL client: while an established L2TP/IPsec session pings through the
 * concentrator, an invalid configuration is refused on SIGHUP (the running one stays) and a valid one that changes
 * the policy and the pools is applied; every ping of the established session gets through, and the next
 * connection follows the new rule and gets its address from the new pool.
 */
class ReloadIT {
    private static final String PSK = "interop-psk-0123456789";
    private static ConcentratorInNamespace lab;

    private static String config(String pools, String policy) {
        return """
                server:
                  name: l2sec-iop
                l2tp:
                  require-ipsec: true
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                pools:
                %s
                ppp:
                  echo-interval: 10s
                aaa:
                  local:
                    users-file: users
                  policy:
                %s
                ipsec:
                  psk-file: ipsec.psk
                  legacy:
                    modp1024: true
                admin:
                  listen: 127.0.0.1:9118
                  token-file: admin.token
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(pools.indent(2).stripTrailing(), policy.indent(4).stripTrailing(), ConcentratorInNamespace.METRICS_PORT);
    }

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("reload");
        lab.file("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
        lab.file("ipsec.psk", PSK + "\n");
        lab.file("admin.token", "admin-token-0123456789abcdef\n");
        lab.start(config("""
                - name: default
                  range: 10.99.0.10-10.99.0.50""", "groups-from-ldap: false"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
    }

    private static ConcentratorInNamespace.Client client(String... extra) throws Exception {
        String[] base = {"--mode", "ipsec", "--psk", PSK, "--auth", "mschapv2", "--user", "alice", "--password", "password",
                "--wait", "45"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return lab.client(all);
    }

    private static void waitForLog(String text, int occurrences) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (lab.log().split(java.util.regex.Pattern.quote(text), -1).length - 1 <= occurrences) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("no \"" + text + "\" in:\n" + lab.log());
            Thread.sleep(300);
        }
    }

    @Test
    void reloadKeepsTheEstablishedSessionPingingRefusesBadConfigAndAppliesPolicyAndPools() throws Exception {
        // SIGHUP for the refused reload, the admin command for the applied one
        var pinging = client("--pings", "25");
        waitForLog("ipcp up", 0);
        Thread.sleep(3000);

        // an invalid file: refused, the running configuration stays
        lab.rewriteConfig(config("""
                - name: default
                  range: 10.99.0.10-10.99.0.50""", "rules:\n  - name: x\n    pool: nowhere"));
        lab.signal("HUP");
        waitForLog("reload refused, running configuration unchanged: ", 0);
        waitForLog("aaa.policy.rules[0].pool: no pool named \"nowhere\" in pools", 0);

        // a valid one: the default pool shrinks, a new pool and a rule sending everyone there
        lab.rewriteConfig(config("""
                - name: default
                  range: 10.99.0.10-10.99.0.20
                - name: lab
                  range: 10.99.0.200-10.99.0.210""", """
                rules:
                  - name: lab-users
                    action: allow
                    pool: lab
                    max-sessions: 2"""));
        String admin = lab.exec(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                lab.jar().toString(), "admin", "--url", "http://127.0.0.1:9118", "--token-file",
                lab.work().resolve("admin.token").toString(), "reload");      // the admin command, this time
        System.out.println("----- admin reload\n" + admin);
        assertThat(admin).contains("\"applied\" : true");
        waitForLog("reload applied config=", 0);
        waitForLog("rules=[lab-users]", 0);
        // the next connection boots while the first still pings (it must follow the new rule into the new pool)
        var next = client();

        String r = pinging.result();
        assertThat(r).as("the established session kept every ping through both reloads").contains("ppp=up", "ping=25/25");
        String m = lab.metrics();
        assertThat(m).containsPattern("l2sec_config_reloads_total\\{result=\"refused\"[^}]*} 1");
        assertThat(m).containsPattern("l2sec_config_reloads_total\\{result=\"applied\"[^}]*} 1");
        assertThat(m).contains("l2sec_pool_addresses{pool=\"lab\",state=\"total\"} 11.0");

        // the next connection followed the new rule into the new pool
        assertThat(next.result()).contains("ppp=up", "ping=3/3").containsPattern("local_ip=10\\.99\\.0\\.2(0\\d|10) ");
        assertThat(lab.log()).contains("auth ok method=mschapv2 user=alice rule=lab-users");
    }
}
