package net.l2sec.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ipsec.EspCipher;
import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void parsesEveryOption() {
        Options o = Options.parse("--server", "127.0.0.1", "--clients=5", "--rate", "2.5", "--proposal", "aes128-sha256-ecp256",
                "--esp", "aes128gcm16", "--auth", "pap", "--ping", "peer", "--stream", "100", "512", "--source-addresses",
                "127.0.0.2-127.0.0.4,127.0.0.9", "--nat", "real", "--user", "u%d", "--duration", "1.5", "--pid", "42");
        assertThat(o.clients()).isEqualTo(5);
        assertThat(o.rate()).isEqualTo(2.5);
        assertThat(o.proposal().group()).isEqualTo(DhGroup.ECP256);
        assertThat(o.esp().cipher()).isEqualTo(EspCipher.AES_GCM_16);
        assertThat(o.esp().keymatLength()).isEqualTo(20);
        assertThat(o.auth()).isEqualTo(Options.Auth.PAP);
        assertThat(o.pingEnabled()).isTrue();
        assertThat(o.pingTarget()).isEmpty();
        assertThat(o.streamPps()).isEqualTo(100);
        assertThat(o.streamSize()).isEqualTo(512);
        assertThat(o.sourceAddresses()).hasSize(4);
        assertThat(o.pretendNat()).isFalse();
        assertThat(o.user(3)).isEqualTo("u3");
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.pid()).isEqualTo(42);
    }

    @Test
    void untilUpIsOffUnlessGiven() {
        assertThat(Options.parse("--server", "127.0.0.1").untilUp()).isNull();
        assertThat(Options.parse("--server", "127.0.0.1", "--until-up", "2.5").untilUp()).isEqualTo(Duration.ofMillis(2500));
        assertThatThrownBy(() -> Options.parse("--server", "127.0.0.1", "--until-up", "-1")).hasMessageContaining("--until-up");
    }

    @Test
    void dhReuseIsAFlagAndOffUnlessGiven() {
        assertThat(Options.parse("--server", "127.0.0.1").dhReuse()).isFalse();
        Options o = Options.parse("--server", "127.0.0.1", "--dh-reuse", "--clients", "7");
        assertThat(o.dhReuse()).isTrue();
        assertThat(o.clients()).isEqualTo(7);
        assertThat(Options.parse("--server", "127.0.0.1", "--clients", "7", "--dh-reuse").dhReuse()).isTrue();
    }

    @Test
    void setupGoesAllTheWayUnlessToldToStopAtIkeOrAtTheServersDh() {
        assertThat(Options.parse("--server", "127.0.0.1").setup()).isEqualTo(Options.Setup.FULL);
        assertThat(Options.parse("--server", "127.0.0.1", "--setup", "ike").setup()).isEqualTo(Options.Setup.IKE);
        assertThat(Options.parse("--server", "127.0.0.1", "--setup", "dh").setup()).isEqualTo(Options.Setup.DH);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.parse("--server", "127.0.0.1", "--setup", "ppp"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dh, ike or full");
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThatThrownBy(() -> Options.parse("--clients", "3")).hasMessageContaining("--server");
        assertThatThrownBy(() -> Options.parse("--server", "127.0.0.1", "--colour", "red")).hasMessageContaining("--colour");
        assertThatThrownBy(() -> Options.parse("--server", "127.0.0.1", "--proposal", "aes256-md5-modp2048")).hasMessageContaining("md5");
    }

    @Test
    void dhcpInformTcpSynAndPcapAreOffUnlessGiven() {
        Options none = Options.parse("--server", "127.0.0.1");
        assertThat(none.dhcpInform()).isFalse();
        assertThat(none.tcpSyn()).isEmpty();
        assertThat(none.pcap()).isEmpty();
        Options o = Options.parse("--server", "127.0.0.1", "--dhcp-inform", "--tcp-syn", "10.99.0.1:8080", "--pcap", "/tmp/x.pcap");
        assertThat(o.dhcpInform()).isTrue();
        assertThat(o.tcpSyn().orElseThrow().getPort()).isEqualTo(8080);
        assertThat(o.tcpSyn().orElseThrow().getAddress().getHostAddress()).isEqualTo("10.99.0.1");
        assertThat(o.pcap()).contains(java.nio.file.Path.of("/tmp/x.pcap"));
        assertThatThrownBy(() -> Options.parse("--server", "127.0.0.1", "--tcp-syn", "10.99.0.1")).hasMessageContaining("HOST:PORT");
    }
}
