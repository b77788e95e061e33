package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Payload;
import org.junit.jupiter.api.Test;

/**
 * The offers as the logs describe them, for codes we know and codes we do not (the strings operators grep for),
 * and the response transform of Quick Mode with our lifetime in it.
 */
class ProposalDescriptionTest {
    static Payload.Transform transform(int id, Attribute... attributes) {
        return new Payload.Transform(1, id, List.of(attributes));
    }

    static Payload.Sa sa(int protocol, Payload.Transform... transforms) {
        return new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, protocol, new byte[4], List.of(transforms))));
    }

    @Test
    void phase1OffersAreDescribedWithTheNamesOfKnownCodesAndTheNumbersOfOthers() {
        assertThat(Phase1Proposal.describeOffer(sa(1,
                transform(1, Attribute.of(1, 7), Attribute.of(14, 256), Attribute.of(2, 4), Attribute.of(3, 1), Attribute.of(4, 14)),
                transform(1, Attribute.of(1, 5), Attribute.of(2, 2), Attribute.of(3, 3), Attribute.of(4, 19)),
                transform(1, Attribute.of(1, 1), Attribute.of(2, 1), Attribute.of(3, 65001), Attribute.of(4, 1)),
                transform(1, Attribute.of(1, 99), Attribute.of(2, 77), Attribute.of(3, 2), Attribute.of(4, 42)),
                transform(1, Attribute.of(1, 7), Attribute.of(2, 2), Attribute.of(4, 2)))))
                .isEqualTo("aes256-sha256-modp2048, 3des-sha1-ecp256/auth=rsa, des-md5-modp768/auth=xauth65001, "
                        + "enc99-hash77-group42/auth=2, aes-1-sha1-modp1024/auth=-1");
    }

    @Test
    void espOffersAreDescribedWithTheNamesOfKnownCodesAndTheNumbersOfOthers() {
        assertThat(ChildProposal.describeOffer(sa(3,
                transform(12, Attribute.of(6, 128), Attribute.of(5, 2), Attribute.of(4, 4)),
                transform(20, Attribute.of(6, 256), Attribute.of(3, 14), Attribute.of(4, 61444)),
                transform(3, Attribute.of(5, 5), Attribute.of(4, 1)),
                transform(11, Attribute.of(5, 99), Attribute.of(4, 2)))))
                .isEqualTo("aes128-sha1/mode4, aes256gcm16-group14/mode61444, 3des-sha256/mode1, esp11-auth99/mode2");
        assertThat(ChildProposal.describeOffer(sa(2, transform(3, Attribute.of(5, 2)))))
                .isEqualTo("proto2:3des-sha1/mode-1");
    }

    @Test
    void theQuickModeResponseCarriesOurLifetimeInPlaceOfTheClients() {
        Payload.Transform offered = transform(12, Attribute.of(1, 2), Attribute.of(2, 250000), Attribute.of(1, 1),
                Attribute.of(2, 100_000), Attribute.of(4, 4), Attribute.of(5, 2), Attribute.of(6, 128));
        ChildProposal chosen = ChildProposal.select(sa(3, offered), null, ResponderBehaviourTest.settings());
        assertThat(chosen.lifetimeSeconds()).isEqualTo(8 * 3600);
        assertThat(chosen.lifetimeKbytes()).isEqualTo(250000);
        assertThat(chosen.responseTransform().attributes()).containsExactly(Attribute.of(1, 2), Attribute.of(2, 250000),
                Attribute.of(1, 1), Attribute.of(2, 8 * 3600), Attribute.of(4, 4), Attribute.of(5, 2), Attribute.of(6, 128));
    }
}
