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

    /** RFC 3079 section 3.5.3 (the 128-bit sample): MasterKey and the server's SendStartKey128 from the RFC 2759 example. */
    @Test
    void rfc3079MasterKeyAndStartKeys() {
        byte[] nt = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
        byte[] master = MsChapV2.masterKey(MsChapV2.hashNtPasswordHash(MsChapV2.ntPasswordHash(PASSWORD)), nt);
        assertThat(HEX.formatHex(master)).isEqualToIgnoringCase("FDECE3717A8C838CB388E527AE3CDD31");
        // the RFC's SendStartKey128 is the server's send key: Magic3, which is the client's receive key
        assertThat(HEX.formatHex(MsChapV2.asymmetricStartKey(master, true, true))).isEqualToIgnoringCase("8B7CDC149B993A1BA118CB153F56DCCB");
        assertThat(MsChapV2.asymmetricStartKey(master, false, false)).isEqualTo(MsChapV2.asymmetricStartKey(master, true, true));
        assertThat(MsChapV2.asymmetricStartKey(master, true, false)).isEqualTo(MsChapV2.asymmetricStartKey(master, false, true));
        assertThat(MsChapV2.asymmetricStartKey(master, false, true)).isNotEqualTo(MsChapV2.asymmetricStartKey(master, true, true));
    }

    /** The EAP-MSCHAPv2 MSK: server MasterReceiveKey (Magic2), server MasterSendKey (the RFC 3079 sample), 32 zeros. */
    @Test
    void eapMskOfTheRfcExample() {
        byte[] nt = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
        byte[] msk = MsChapV2.eapMsk(MsChapV2.ntPasswordHash(PASSWORD), nt);
        assertThat(msk).hasSize(64);
        assertThat(HEX.formatHex(msk)).isEqualToIgnoringCase("D5F0E9521E3EA9589645E86051C82226" + "8B7CDC149B993A1BA118CB153F56DCCB"
                + "00".repeat(32));
    }

    @Test
    void acceptCopiesTheMskAndNeverPrintsIt() {
        byte[] key = new byte[64];
        key[0] = 0x42;
        var accept = new AuthResult.Accept("User", java.util.Optional.empty(), Authorization.defaults("r"), java.util.Optional.of(key));
        key[0] = 0;
        assertThat(accept.msk()).hasValueSatisfying(m -> assertThat(m[0]).isEqualTo((byte) 0x42));
        accept.msk().orElseThrow()[0] = 7;
        assertThat(accept.msk().orElseThrow()[0]).isEqualTo((byte) 0x42);
        assertThat(accept.toString()).doesNotContain("42").contains("64 octets");
        assertThat(new AuthResult.Accept("User", java.util.Optional.empty(), Authorization.defaults("r")).msk()).isEmpty();
        assertThat(accept.withAuthorization(Authorization.defaults("other")).msk()).isPresent();
    }
}
