package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import org.junit.jupiter.api.Test;

/**
 * What the README says about Windows, held to the responder: the phase 1 offer of Windows' built-in L2TP/IPsec
 * client (Windows 8 to 11, MS NT5 ISAKMPOAKLEY version 9), in its order as public logs show it: ECP384 and ECP256
 * first (libreswan issue 26, hwdsl2/setup-ipsec-vpn issue 102, where servers without IKEv1 ECP refused groups 20 and
 * 19), then MODP2048 with AES-256 (what SoftEtherVPN issue 1253 negotiated with Windows 10), MODP1024 last.
 * With the shipped groups it needs no {@code legacy.modp1024}; an offer of MODP1024 alone (Windows' IKEv2 defaults,
 * Android 5's L2TP client) does.
 */
class WindowsL2tpOfferTest {
    static final List<Payload.Transform> WINDOWS_L2TP = List.of(
            TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP384),
            TestInitiator.p1(2, IkeCipher.AES_CBC, 128, IkeHash.SHA1, DhGroup.ECP256),
            TestInitiator.p1(3, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048),
            TestInitiator.p1(4, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP1024));

    static final List<Payload.Transform> MODP1024_ONLY = List.of(
            TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP1024),
            TestInitiator.p1(2, IkeCipher.AES_CBC, 128, IkeHash.SHA1, DhGroup.MODP1024),
            TestInitiator.p1(3, IkeCipher.TRIPLE_DES_CBC, 192, IkeHash.SHA1, DhGroup.MODP1024));

    private static int chosen(IkeSettings settings, List<Payload.Transform> offer) throws Exception {
        IkeHarness net = new IkeHarness(settings);
        TestInitiator i = ResponderBehaviourTest.client(net, 500, 4500);
        byte[] reply = net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1(offer));
        return i.mm2(reply).first(Payload.Sa.class).proposals().getFirst().transforms().getFirst().number();
    }

    @Test
    void windowsGetsEcp384WithTheShippedGroupsAndModp2048WithoutEcp() throws Exception {
        IkeSettings shipped = ResponderBehaviourTest.settings();
        assertThat(shipped.allowedGroups()).doesNotContain(DhGroup.MODP1024);
        assertThat(chosen(shipped, WINDOWS_L2TP)).as("aes256-sha1-ecp384").isEqualTo(1);
        // a server that has no IKEv1 ECP (the issues' libreswan) gets to Windows' third transform: MODP2048
        assertThat(chosen(shipped, WINDOWS_L2TP.subList(2, 4))).as("aes256-sha1-modp2048").isEqualTo(3);
    }

    @Test
    void anOfferOfModp1024AloneNeedsTheLegacySwitch() throws Exception {
        IkeHarness net = new IkeHarness(ResponderBehaviourTest.settings());
        TestInitiator i = ResponderBehaviourTest.client(net, 500, 4500);
        Payload.Notify n = ResponderBehaviourTest.unprotectedNotify(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1(MODP1024_ONLY)));
        assertThat(n.notifyType()).isEqualTo(NotifyType.NO_PROPOSAL_CHOSEN.code());
        assertThat(chosen(ResponderBehaviourTest.settings().withLegacy(false, true), MODP1024_ONLY)).isEqualTo(1);
    }
}
