package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Plain L2TP (no IPsec, lab mode) with a REAL Linux client (Debian's xl2tpd + pppd 2.4.9 in a VM) against the
 * built concentrator jar: every PPP authentication method, address and DNS from the pool, ping through the TUN
 * device, and a wrong password refused with its reason in the metrics and the log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClientInteropIT {
    private static ConcentratorInNamespace lab;

    private static String config(String authMethods) {
        return """
                server:
                  name: l2sec-iop
                l2tp:
                  listen: 0.0.0.0:1701
                  require-ipsec: false
                tunnel-interface:
                  name: l2sec0
                  address: 10.99.0.1/24
                  mtu: 1400
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.50
                ppp:
                  auth-methods: %s
                  dns: [10.99.0.53, 10.99.0.54]
                  echo-interval: 10s
                aaa:
                  local:
                    users-file: users
                metrics:
                  listen: 127.0.0.1:%d
                """.formatted(authMethods, ConcentratorInNamespace.METRICS_PORT);
    }

    @BeforeAll
    static void start() throws Exception {
        lab = ConcentratorInNamespace.create("plain");
        // CHAP-MD5 and EAP-MD5 need the cleartext form
        lab.file("users", "alice plain:password\n");
        lab.start(config("[mschapv2, eap-mschapv2, chap, pap]"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) lab.close();
    }

    private static String client(String auth, String password, String expect) throws Exception {
        return start(auth, password, expect).result();
    }

    private static ConcentratorInNamespace.Client start(String auth, String password, String expect) throws Exception {
        return lab.client("--mode", "noipsec", "--auth", auth, "--user", "alice", "--password", password,
                "--expect", expect, "--wait", "40");
    }

    @Test
    @Order(1)
    void msChapV2ConnectsGetsAddressAndDnsAndPings() throws Exception {
        String r = client("mschapv2", "password", "up");
        assertThat(r).contains("l2tp=up", "ppp=up", "peer_ip=10.99.0.1", "dns=10.99.0.53,10.99.0.54", "ping=3/3");
        assertThat(r).containsPattern("local_ip=10\\.99\\.0\\.(1\\d|[2-4]\\d|50) ");
        assertThat(lab.metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"mschapv2\"[^}]*result=\"accept\"[^}]*} [1-9]");
    }

    /** PAP and CHAP clients at once (nothing here depends on their order; two VMs, one per core). */
    @Test
    @Order(2)
    void papAndChapConnectAtOnce() throws Exception {
        var pap = start("pap", "password", "up");
        var chap = start("chap", "password", "up");
        assertThat(pap.result()).contains("ppp=up", "ping=3/3");
        assertThat(chap.result()).contains("ppp=up", "ping=3/3");
        assertThat(lab.metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"pap\"[^}]*result=\"accept\"[^}]*} [1-9]")
                .containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"chap\"[^}]*result=\"accept\"[^}]*} [1-9]");
    }

    /** An EAP-MSCHAPv2 client and, at the same time, a wrong password refused with its reason in metrics and log. */
    @Test
    @Order(3)
    void eapMsChapV2ConnectsAndAWrongPasswordIsRefusedAtOnce() throws Exception {
        // pppd 2.4.9 as built by Debian answers EAP-MSCHAPv2 (type 26), which we offer first
        var eap = start("eap", "password", "up");
        var wrong = start("mschapv2", "wrong-password", "down");
        assertThat(eap.result()).contains("ppp=up", "ping=3/3");
        assertThat(lab.metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"eap-mschapv2\"[^}]*result=\"accept\"[^}]*} [1-9]");
        String r = wrong.result();
        assertThat(r).contains("ppp=fail");
        assertThat(lab.metrics()).containsPattern(
                "l2sec_ppp_auth_total\\{[^}]*method=\"mschapv2\"[^}]*reason=\"bad_credentials\"[^}]*result=\"reject\"[^}]*} [1-9]");
        assertThat(lab.log()).containsPattern("auth failed method=mschapv2 user=alice reason=bad_credentials");
        assertThat(lab.log()).doesNotContain("wrong-password");
    }

    @Test
    @Order(6)
    void eapMd5ConnectsWhenItIsTheOnlyEapMethod() throws Exception {
        lab.start(config("[eap-md5]"));
        assertThat(client("eap", "password", "up")).contains("ppp=up", "ping=3/3");
        assertThat(lab.metrics()).containsPattern("l2sec_ppp_auth_total\\{[^}]*method=\"eap-md5\"[^}]*result=\"accept\"[^}]*} [1-9]");
    }
}
