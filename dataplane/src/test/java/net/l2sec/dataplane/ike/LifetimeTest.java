package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Payload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lifetimes from the wire (RFC 2407 section 4.5, RFC 2409 Appendix A: variable-length values) become ours: the
 * client's when positive and within our maximum, else our maximum; never negative, never overflowing.
 */
class LifetimeTest {
    /** A phase-1 Life Duration (Appendix A class 12) of {@code octets}, variable-length (TLV). */
    private static Attribute duration(byte[] octets) {
        return new Attribute(12, octets, false);
    }

    /** An IPsec SA Life Duration (RFC 2407 section 4.5 class 2) of {@code octets}, variable-length (TLV). */
    private static Attribute espDuration(byte[] octets) {
        return new Attribute(2, octets, false);
    }

    private static Payload.Sa phase1(Attribute lifeDuration) {
        Payload.Transform t = TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA2_256, DhGroup.MODP2048);
        List<Attribute> attrs = new java.util.ArrayList<>(t.attributes());
        attrs.replaceAll(a -> a.type() == 12 ? lifeDuration : a);
        return new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 1, new byte[0],
                List.of(new Payload.Transform(1, 1, attrs)))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffffffffffffffff", "8000000000000000", "000000000000000000000001", "00000000", "7fffffffffffffff"})
    void aPhase1LifetimeThatIsNoUsableNumberIsOurMaximum(String hex) {
        IkeSettings s = ResponderBehaviourTest.settings();
        Phase1Proposal p = Phase1Proposal.select(phase1(duration(java.util.HexFormat.of().parseHex(hex))), s);
        assertThat(p.lifetime()).isEqualTo(s.ikeLifetimeMax()).isPositive();
    }

    @Test
    void aShorterPhase1LifetimeOfTheClientWins() {
        Phase1Proposal p = Phase1Proposal.select(phase1(Attribute.of(12, 3600)), ResponderBehaviourTest.settings());
        assertThat(p.lifetime()).isEqualTo(Duration.ofHours(1));
        Phase1Proposal eight = Phase1Proposal.select(phase1(duration(new byte[] {0, 0, 0, 0, 0, 0, 0x70, (byte) 0x80})),
                ResponderBehaviourTest.settings());
        assertThat(eight.lifetime()).isEqualTo(Duration.ofSeconds(0x7080));
    }

    private static ChildProposal child(Attribute seconds, Attribute kbytes) {
        Payload.Transform t = ProposalDescriptionTest.transform(12, Attribute.of(1, 1), seconds, Attribute.of(1, 2), kbytes,
                Attribute.of(4, 4), Attribute.of(5, 2), Attribute.of(6, 128));
        return ChildProposal.select(ProposalDescriptionTest.sa(3, t), null, ResponderBehaviourTest.settings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffffffffffffffff", "8000000000000000", "000000000000000000000001"})
    void anEspLifetimeThatIsNoUsableNumberIsOurMaximumAndOctetsNeverGoNegative(String hex) {
        byte[] octets = java.util.HexFormat.of().parseHex(hex);
        ChildProposal c = child(espDuration(octets), espDuration(octets));
        assertThat(c.lifetimeSeconds()).isEqualTo(ResponderBehaviourTest.settings().childLifetimeMax().toSeconds());
        assertThat(c.lifetimeBytes()).as("no octet limit").isZero();
        // the response carries our lifetime, which the client then holds too
        assertThat(c.responseTransform().attributes()).contains(Attribute.of(2, 8 * 3600));
    }

    @Test
    void aHugeKilobyteLifetimeDoesNotOverflowInOctets() {
        ChildProposal c = child(Attribute.of(2, 3600), espDuration(java.util.HexFormat.of().parseHex("7fffffffffffffff")));
        assertThat(c.lifetimeBytes()).isPositive().isEqualTo(ChildProposal.MAX_KBYTES * 1024);
        assertThat(c.lifetimeSeconds()).isEqualTo(3600);
    }
}
