package net.l2sec.loadgen.ppp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;
import net.l2sec.dataplane.ppp.lcp.AuthProtocolOption;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;

class LcpPeerOptionsTest {
    private final LcpPeerOptions lcp = new LcpPeerOptions(1400, AuthProtocolOption.of(AuthMethod.MSCHAPV2), new SplittableRandom(1));

    @Test
    void requestsMruAndMagicNumber() {
        assertThat(lcp.ourRequest()).extracting(ConfigOption::type).containsExactly(1, 5);
        assertThat(lcp.ourRequest().get(0).dataAsLong()).isEqualTo(1400);
    }

    @Test
    void acksTheServersRequestWithTheAuthenticationWeWant() {
        List<ConfigOption> req = List.of(ConfigOption.ofInt(1, 1400, 2), AuthProtocolOption.of(AuthMethod.MSCHAPV2).toOption(),
                ConfigOption.ofInt(5, 0x12345678, 4), new ConfigOption(7, new byte[0]), new ConfigOption(8, new byte[0]));
        assertThat(lcp.examine(req).kind()).isEqualTo(RequestVerdict.Kind.ACK);
        assertThat(lcp.authProtocol()).isEqualTo(Optional.of(AuthProtocolOption.of(AuthMethod.MSCHAPV2)));
    }

    @Test
    void naksAnotherAuthenticationWithOursAndRejectsUnknownOptions() {
        RequestVerdict nak = lcp.examine(List.of(AuthProtocolOption.of(AuthMethod.CHAP_MD5).toOption()));
        assertThat(nak.kind()).isEqualTo(RequestVerdict.Kind.NAK);
        assertThat(nak.options()).containsExactly(AuthProtocolOption.of(AuthMethod.MSCHAPV2).toOption());
        RequestVerdict reject = lcp.examine(List.of(new ConfigOption(13, new byte[] {6}), ConfigOption.ofInt(1, 1500, 2)));
        assertThat(reject.kind()).isEqualTo(RequestVerdict.Kind.REJECT);
        assertThat(reject.options()).extracting(ConfigOption::type).containsExactly(13);
    }

    @Test
    void naksOurOwnMagicNumberAsALoop() {
        long ours = lcp.ourRequest().get(1).dataAsLong();
        RequestVerdict v = lcp.examine(List.of(ConfigOption.ofInt(5, ours, 4)));
        assertThat(v.kind()).isEqualTo(RequestVerdict.Kind.NAK);
        assertThat(v.options().get(0).dataAsLong()).isNotEqualTo(ours);
    }
}
