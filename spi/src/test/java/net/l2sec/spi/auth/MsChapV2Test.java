package net.l2sec.spi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 2759 section 9.2 "Hash Example" known-answer vectors. */
class MsChapV2Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final String USER = "User";
    private static final String PASSWORD = "clientPass";
    private static final byte[] AUTH_CHALLENGE = HEX.parseHex("5B5D7C7D7B3F2F3E3C2C602132262628");
    private static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255E262A28295F2B3A337C7E");

    @Test
    void challengeHash() {
        assertThat(HEX.formatHex(MsChapV2.challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, USER)))
                .isEqualToIgnoringCase("D02E4386BCE91226");
    }

    @Test
    void ntPasswordHash() {
        assertThat(HEX.formatHex(MsChapV2.ntPasswordHash(PASSWORD))).isEqualToIgnoringCase("44EBBA8D5312B8D611474411F56989AE");
        assertThat(HEX.formatHex(MsChapV2.hashNtPasswordHash(MsChapV2.ntPasswordHash(PASSWORD))))
                .isEqualToIgnoringCase("41C00C584BD2D91C4017A2A12FA59F3F");
    }

    @Test
    void ntResponse() {
        byte[] r = MsChapV2.generateNtResponse(AUTH_CHALLENGE, PEER_CHALLENGE, USER, MsChapV2.ntPasswordHash(PASSWORD));
        assertThat(HEX.formatHex(r)).isEqualToIgnoringCase("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
    }

    @Test
    void authenticatorResponse() {
        byte[] nt = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
        byte[] s = MsChapV2.generateAuthenticatorResponse(MsChapV2.ntPasswordHash(PASSWORD), nt, PEER_CHALLENGE,
                AUTH_CHALLENGE, USER);
        assertThat(MsChapV2.authenticatorResponseString(s)).isEqualTo("S=407A5589115FD0D6209F510FE9C04566932CDA56");
    }

    @Test
    void credentialsVerifyAcceptsRightHashAndStripsDomain() {
        byte[] nt = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
        var c = new MsChapV2Credentials("CORP\\User", AUTH_CHALLENGE, PEER_CHALLENGE, nt);
        assertThat(c.verify(MsChapV2.ntPasswordHash(PASSWORD))).hasValueSatisfying(
                s -> assertThat(MsChapV2.authenticatorResponseString(s)).isEqualTo("S=407A5589115FD0D6209F510FE9C04566932CDA56"));
        assertThat(c.verify(MsChapV2.ntPasswordHash("wrong"))).isEmpty();
    }

    @Test
    void toStringRedacts() {
        var c = new PapCredentials("alice", "secret".getBytes());
        assertThat(c.toString()).doesNotContain("secret");
    }
}
