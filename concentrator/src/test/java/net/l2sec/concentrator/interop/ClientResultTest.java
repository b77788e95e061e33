package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which client.sh outputs are the harness's start-up race (repeated once), and which are real failures (never). */
class ClientResultTest {
    @Test
    void anEmptyStatusAndUpLogIsTheHarnessNotTheServer() {
        String neverRan = """
                ----- /var/log/ipsec-status.log
                ----- /var/log/ipsec-up.log
                RESULT ike=fail l2tp=fail ppp=fail local_ip= peer_ip= dns= ping=0/3 time=40s log=/tmp/x/console.log
                """;
        assertThat(ConcentratorInNamespace.NEVER_TRIED.matcher(neverRan).find()).isTrue();

        String wrongPsk = """
                ----- /var/log/ipsec-status.log
                Status of IKE charon daemon (strongSwan 5.9.8, Linux 6.1.0-57-amd64, x86_64):
                ----- /var/log/ipsec-up.log
                initiating Main Mode IKE_SA L2TP[1] to 10.0.2.2
                giving up after 3 retransmits
                RESULT ike=fail l2tp=fail ppp=fail local_ip= peer_ip= dns= ping=0/3 time=42s log=/tmp/y/console.log
                """;
        assertThat(ConcentratorInNamespace.NEVER_TRIED.matcher(wrongPsk).find()).isFalse();
        String up = "RESULT ike=up l2tp=up ppp=up local_ip=10.99.0.12 peer_ip=10.99.0.1 dns= ping=3/3 time=28s log=x\n";
        assertThat(ConcentratorInNamespace.NEVER_TRIED.matcher(up).find()).isFalse();
    }
}
