package net.l2sec.dataplane.ikev2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import org.junit.jupiter.api.Test;

/**
 * What the admin interface shows of an IKEv2 client ({@link Ikev2Responder#ipsecOf}): the IKE SA's suite, group,
 * tag and IDi, its child SAs with both SPIs, UDP encapsulation and the age, found by the address and port the
 * client's session has; through a child rekey, and gone with the IKE SA.
 */
class Ikev2IpsecInfoTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 40000);
    /** Where the test client sends IKE_AUTH and everything after (its NAT-T port; the SA moved there). */
    static final InetSocketAddress NAT = new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1);
    /** The harness's sessions start at the epoch. */
    static final Instant NOW = Instant.EPOCH.plusSeconds(90);

    @Test
    void anEstablishedClientShowsItsIkeSaAndChildSa() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);

        IpsecInfo info = h.responder.ipsecOf(NAT, NOW).orElseThrow();
        assertThat(info.ikeVersion()).isEqualTo(2);
        assertThat(info.ikeSa()).isEqualTo(String.format("%016x", c.spir));
        // AES-256-CBC, HMAC-SHA-256 (PRF the same hash), ECP256 as the test client offers
        assertThat(info.ike()).isEqualTo("aes256-sha256-ecp256");
        assertThat(info.dhGroup()).isEqualTo("ecp256");
        assertThat(info.mode()).as("IKEv2 has no phase 1 modes").isNull();
        assertThat(info.natT()).as("ESP in UDP/4500").isTrue();
        assertThat(info.peerId()).isEqualTo("10.0.2.15");
        assertThat(info.age()).isEqualTo(Duration.ofSeconds(90));
        assertThat(info.esp()).containsExactly(new IpsecInfo.Child(h.sas.installed.getFirst().inboundSpi(), c.childSpi,
                "aes128-sha256"));
    }

    @Test
    void onlyTheClientsOwnAddressAndPortFindIt() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        assertThat(h.responder.ipsecOf(NAT, NOW)).as("nothing established yet").isEmpty();
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        assertThat(h.responder.ipsecOf(NAT, NOW)).isPresent();
        // IKE_SA_INIT's port: the SA moved to UDP/4500's mapping, and so did the session
        assertThat(h.responder.ipsecOf(CLIENT, NOW)).isEmpty();
        // another client behind the same NAT
        assertThat(h.responder.ipsecOf(new InetSocketAddress(CLIENT.getAddress(), 50000), NOW)).isEmpty();
        assertThat(h.responder.ipsecOf(new InetSocketAddress("198.51.100.8", NAT.getPort()), NOW)).isEmpty();
    }

    @Test
    void afterAMobikeMoveItIsFoundAtTheNewAddressAndTheSessionWasTold() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        InetSocketAddress moved = new InetSocketAddress("203.0.113.9", 4500);
        c.open(h.exchange(moved, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.INFORMATIONAL,
                List.of(Payload.Notify.of(NotifyType.UPDATE_SA_ADDRESSES)))));
        assertThat(h.sas.moves).containsExactly(moved);
        assertThat(h.sessions.moves).as("RemoteAccess.Session.peerMoved").containsExactly(moved);
        assertThat(h.responder.ipsecOf(moved, NOW)).isPresent();
        assertThat(h.responder.ipsecOf(NAT, NOW)).isEmpty();
    }

    @Test
    void aChildRekeyShowsBothPairsUntilTheOldIsDeleted() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        int oldOut = c.childSpi;
        int newOut = 0x7777;
        c.open(h.exchange(NAT, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.CREATE_CHILD_SA, List.of(
                new Payload.Notify(Payload.Proposal.ESP, IkeAuth.spiBytes(oldOut), NotifyType.REKEY_SA, new byte[0]),
                c.espProposal(newOut, null), new Payload.Nonce(new byte[32]),
                new TrafficSelectors(true, List.of(Ikev2TestClient.anyV4())),
                new TrafficSelectors(false, List.of(Ikev2TestClient.anyV4()))))));
        assertThat(h.responder.ipsecOf(NAT, NOW).orElseThrow().esp()).extracting(IpsecInfo.Child::outboundSpi)
                .containsExactly(oldOut, newOut);
        c.open(h.exchange(NAT, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.INFORMATIONAL,
                List.of(new Payload.Delete(Payload.Proposal.ESP, 4, List.of(IkeAuth.spiBytes(oldOut)))))));
        assertThat(h.responder.ipsecOf(NAT, NOW).orElseThrow().esp()).extracting(IpsecInfo.Child::outboundSpi)
                .containsExactly(newOut);
    }

    @Test
    void aDeletedIkeSaShowsNothing() throws Exception {
        Ikev2Harness h = new Ikev2Harness();
        Ikev2TestClient c = new Ikev2TestClient(CLIENT);
        h.login(c, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
        c.open(h.exchange(NAT, Ikev2Harness.LOCAL_4500, c.request(ExchangeType.INFORMATIONAL,
                List.of(new Payload.Delete(Payload.Proposal.IKE, 0, List.of())))));
        assertThat(h.responder.ipsecOf(NAT, NOW)).isEmpty();
    }
}
