package net.l2sec.dataplane.ikev2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ikev2.keymat.EncryptionAlgorithm;
import net.l2sec.dataplane.ikev2.keymat.IntegrityAlgorithm;
import net.l2sec.dataplane.ikev2.keymat.PrfAlgorithm;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.Transform;
import org.junit.jupiter.api.Test;

/** Proposal choice as the clients' offers need it (README "IKEv2 clients", proposals per client). */
class Ikev2ProposalsTest {
    /** What {@code ipsec.legacy.modp1024: true} gives: the default groups and the switch, not a longer list. */
    static IkeSettings withModp1024() {
        return IkeSettings.defaults().withLegacy(false, true);
    }

    static Sa offer(int encr, int bits, int integ, int prf, int dh) {
        List<Transform> t = new ArrayList<>();
        t.add(new Transform(Transform.ENCR, encr, bits));
        if (integ > 0) t.add(new Transform(Transform.INTEG, integ, 0));
        t.add(new Transform(Transform.PRF, prf, 0));
        t.add(new Transform(Transform.DH, dh, 0));
        return new Sa(List.of(new Proposal(1, Proposal.IKE, new byte[0], t)));
    }

    @Test
    void windowsDefaultNeedsTheLegacySwitch() {
        Sa windows = offer(12, 256, 2, 2, 2);
        assertThat(new Ikev2Proposals(IkeSettings.defaults()).chooseIke(windows)).isEmpty();
        var chosen = new Ikev2Proposals(withModp1024()).chooseIke(windows).orElseThrow();
        assertThat(chosen.cipher()).isEqualTo(EncryptionAlgorithm.ENCR_AES_CBC);
        assertThat(chosen.integrity()).isEqualTo(IntegrityAlgorithm.HMAC_SHA1_96);
        assertThat(chosen.prf()).isEqualTo(PrfAlgorithm.HMAC_SHA1);
        assertThat(chosen.group()).isEqualTo(DhGroup.MODP1024);
        assertThat(chosen.describe()).isEqualTo("aes256-sha1-modp1024");
    }

    @Test
    void androidGcmWithoutIntegrity() {
        var chosen = new Ikev2Proposals(IkeSettings.defaults()).chooseIke(offer(20, 256, 0, 5, 19)).orElseThrow();
        assertThat(chosen.integrity()).isNull();
        assertThat(chosen.describe()).isEqualTo("aes256gcm16-prfsha256-ecp256");
        assertThat(new Ikev2Proposals(IkeSettings.defaults()).chooseChild(new Sa(List.of(new Proposal(1, Proposal.ESP,
                new byte[] {1, 2, 3, 4}, List.of(new Transform(Transform.ENCR, 20, 256), new Transform(Transform.ESN, 0, 0))))),
                Optional.empty())).isPresent();
    }
}
