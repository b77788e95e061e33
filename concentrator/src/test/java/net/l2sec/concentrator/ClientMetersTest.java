package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.Test;

class ClientMetersTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ClientMeters meters = new ClientMeters(registry);

    double sessions(String kind) {
        return registry.get("l2sec.client.sessions").tag("kind", kind).gauge().value();
    }

    double setups(String kind, String group) {
        return registry.get("l2sec.client.setups").tag("kind", kind).tag("ike_group", group).counter().count();
    }

    @Test
    void countsSetupsByKindAndDhGroupAndSessionsByKind() throws Exception {
        // every kind is exported at 0 before the first session
        for (String k : List.of("windows", "macos_ios", "android", "linux_strongswan", "other")) assertThat(sessions(k)).isZero();
        var windows = SessionMetersTest.session("1", "staff").withClient(ClientIdentity.NONE
                .withLcpIdentification(List.of("MSRASV5.20")).withIke(List.of("ms-nt5-isakmpoakley/v9"), "modp1024"));
        var linux = SessionMetersTest.session("2", "staff").withClient(ClientIdentity.ofL2tp("vm", "xelerance.com")
                .withIke(List.of("rfc3947", "dpd"), "modp2048"));
        var plain = SessionMetersTest.session("3", "staff");
        meters.started(windows);
        meters.started(linux);
        meters.started(plain);
        assertThat(setups("windows", "modp1024")).isEqualTo(1);
        assertThat(setups("linux_strongswan", "modp2048")).isEqualTo(1);
        assertThat(setups("other", "none")).isEqualTo(1);
        assertThat(sessions("windows")).isEqualTo(1);
        assertThat(sessions("linux_strongswan")).isEqualTo(1);
        meters.stopped(windows, SessionCounters.ZERO, TerminateCause.USER_REQUEST);
        assertThat(sessions("windows")).isZero();
        assertThat(setups("windows", "modp1024")).as("setups are not undone").isEqualTo(1);
    }
}
