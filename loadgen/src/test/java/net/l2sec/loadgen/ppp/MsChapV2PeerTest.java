package net.l2sec.loadgen.ppp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ppp.auth.ChapPacket;
import org.junit.jupiter.api.Test;

/** The client side of MS-CHAPv2 against the example of RFC 2759 section 9.2. */
class MsChapV2PeerTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] AUTHENTICATOR_CHALLENGE = HEX.parseHex("5B5D7C7D7B3F2F3E3C2C602132262628");
    private static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255E262A28295F2B3A337C7E");

    /** Hands out the RFC's Peer-Challenge where the client would draw random octets. */
    private static final RandomGenerator FIXED = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(PEER_CHALLENGE, 0, bytes, 0, bytes.length);
        }
    };

    @Test
    void responseAndAuthenticatorResponseAreTheRfcExample() {
        MsChapV2Peer peer = new MsChapV2Peer("User", "clientPass", FIXED);
        ChapPacket.Response r = peer.respond(new ChapPacket.Challenge(7, AUTHENTICATOR_CHALLENGE, "srv".getBytes()));
        assertThat(r.identifier()).isEqualTo(7);
        assertThat(new String(r.name(), StandardCharsets.UTF_8)).isEqualTo("User");
        byte[] v = r.value();
        assertThat(v).hasSize(49);
        assertThat(Arrays.copyOfRange(v, 0, 16)).isEqualTo(PEER_CHALLENGE);
        assertThat(Arrays.copyOfRange(v, 16, 24)).containsOnly(0);
        assertThat(HEX.withUpperCase().formatHex(Arrays.copyOfRange(v, 24, 48)))
                .isEqualTo("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
        assertThat(v[48]).isZero();
        assertThat(peer.verify(new ChapPacket.Success(7, "S=407A5589115FD0D6209F510FE9C04566932CDA56 M=welcome"))).isTrue();
        assertThat(peer.verify(new ChapPacket.Success(7, "S=407a5589115fd0d6209f510fe9c04566932cda56"))).isTrue();
        assertThat(peer.verify(new ChapPacket.Success(7, "S=507A5589115FD0D6209F510FE9C04566932CDA56 M=forged"))).isFalse();
    }

    /** A repeated Challenge is answered with the same Response, so the Success for the first still verifies. */
    @Test
    void aRepeatedChallengeGetsTheSameResponse() {
        MsChapV2Peer peer = new MsChapV2Peer("User", "clientPass", new java.util.SplittableRandom(1));
        ChapPacket.Challenge c = new ChapPacket.Challenge(7, AUTHENTICATOR_CHALLENGE, "srv".getBytes());
        ChapPacket.Response first = peer.respond(c);
        ChapPacket.Response again = peer.respond(new ChapPacket.Challenge(7, AUTHENTICATOR_CHALLENGE.clone(), "srv".getBytes()));
        assertThat(again.value()).isEqualTo(first.value());
        ChapPacket.Response fresh = peer.respond(new ChapPacket.Challenge(8, AUTHENTICATOR_CHALLENGE, "srv".getBytes()));
        assertThat(fresh.identifier()).isEqualTo(8);
        assertThat(Arrays.copyOfRange(fresh.value(), 0, 16)).isNotEqualTo(Arrays.copyOfRange(first.value(), 0, 16));
    }

    @Test
    void failureReasonNamesTheError() {
        assertThat(MsChapV2Peer.failureReason(new ChapPacket.Failure(1, "E=691 R=0 C=00 V=3 M=Access denied"))).isEqualTo("mschapv2_691");
        assertThat(MsChapV2Peer.failureReason(new ChapPacket.Failure(1, "nope"))).isEqualTo("mschapv2_failure");
    }
}
