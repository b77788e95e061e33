package net.l2sec.dataplane.ike;

import static net.l2sec.dataplane.ike.ResponderBehaviourTest.ESP;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.client;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import org.junit.jupiter.api.Test;

/** Maintenance drain of phase 1 and the read-only IPsec view of the admin interface. */
class DrainAndInfoTest {

    @Test
    void drainingDropsNewClientsButEstablishedOnesRekey() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator old = client(net, 500, 4500).mainMode();
        net.responder.draining(true);
        assertThat(net.responder.draining()).isTrue();

        TestInitiator stranger = new TestInitiator(net, "198.51.100.9", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048);
        assertThat(net.deliver(stranger.addr500, IkeHarness.LOCAL_500, stranger.mm1())).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "draining")).isEqualTo(1);

        // a neighbour behind the same NAT (same address, another port) is a new client: refused too
        TestInitiator neighbour = client(net, 500, 4500);
        assertThat(net.deliver(neighbour.addr500, IkeHarness.LOCAL_500, neighbour.mm1())).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "draining")).isEqualTo(2);

        // the established client: Quick Mode and a phase 1 rekey (from where its SA is, UDP/4500) still work
        old.quickMode(ESP, null);
        assertThat(net.childSas.installed).hasSize(1);
        new TestInitiator(net, "203.0.113.5", 4500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256, DhGroup.MODP2048)
                .mainMode();
        assertThat(net.count("l2sec.ike.rekeys", "phase", "1")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "draining")).isEqualTo(2);

        net.responder.draining(false);
        stranger.mainMode();
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(3);
    }

    @Test
    void ipsecInfoShowsTheProposalAndChildSasOfAPeer() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        TestInitiator i = client(net, 500, 4500).mainMode();
        TestInitiator.Qm qm = i.quickMode(ESP, null);
        net.scheduler.advance(Duration.ofSeconds(5));

        IpsecInfo info = net.responder.ipsecOf(i.addr4500).orElseThrow();
        assertThat(info.ike()).isEqualTo("aes256-sha256-modp2048");
        assertThat(info.mode()).isEqualTo("main");
        // what the session's client identification takes: the group and the names of message 1's vendor IDs
        assertThat(info.dhGroup()).isEqualTo("modp2048");
        assertThat(info.vendorIds()).containsExactly("ms-nt5-isakmpoakley", "rfc3947", "nat-t-draft-02n", "fragmentation", "dpd");
        assertThat(info.age()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(info.esp()).singleElement().satisfies(c -> {
            assertThat(c.transform()).startsWith("aes256");
            assertThat(c.inboundSpi()).isEqualTo(qm.peerSpi);
            assertThat(c.outboundSpi()).isEqualTo(qm.mySpi);
        });
        // another port of the same address still finds it (the client floated); another address does not
        assertThat(net.responder.ipsecOf(new InetSocketAddress(i.addr4500.getAddress(), 1701))).isPresent();
        assertThat(net.responder.ipsecOf(new InetSocketAddress("198.51.100.1", 4500))).isEmpty();
    }
}
