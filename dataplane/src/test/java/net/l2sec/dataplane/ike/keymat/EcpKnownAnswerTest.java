package net.l2sec.dataplane.ike.keymat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ECP groups against RFC 5903's test vectors (section 8): the initiator's and responder's private values
 * {@code i} and {@code r}, their public values {@code gi}/{@code gr} as KE data (x || y, section 7) and the shared
 * secret {@code girx} (the x coordinate, section 9), both ways.
 */
class EcpKnownAnswerTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** RFC 5903 section 8.3, 521-bit Random ECP Group (IKE group 21). */
    private static final String I521 = "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
            + "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52";
    private static final String GIX521 = "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
            + "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E";
    private static final String GIY521 = "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
            + "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582";
    private static final String R521 = "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
            + "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9";
    private static final String GRX521 = "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
            + "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F";
    private static final String GRY521 = "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
            + "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A";
    private static final String GIRX521 = "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
            + "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA";

    @Test
    void ecp521IsGroup21WithSixtySixOctetCoordinates() {
        assertThat(DhGroup.of(21)).isSameAs(DhGroup.ECP521);
        assertThat(DhGroup.ECP521.label()).isEqualTo("ecp521");
        assertThat(DhGroup.ECP521.elliptic()).isTrue();
        // RFC 5903 section 7: each coordinate is ceiling(521 / 8) = 66 octets
        assertThat(DhGroup.ECP521.length()).isEqualTo(66);
        assertThat(DhGroup.ECP521.publicValueLength()).isEqualTo(132);
        assertThat(DhGroup.parse("ECP521", false)).isSameAs(DhGroup.ECP521);
    }

    @Test
    void ecp521KnownAnswerOfRfc5903Section83() throws Exception {
        DiffieHellman i = DiffieHellman.withEcPrivateValue(DhGroup.ECP521, new BigInteger(I521, 16));
        DiffieHellman r = DiffieHellman.withEcPrivateValue(DhGroup.ECP521, new BigInteger(R521, 16));
        assertThat(i.publicValue()).isEqualTo(hex(GIX521 + GIY521));
        assertThat(r.publicValue()).isEqualTo(hex(GRX521 + GRY521));
        assertThat(i.sharedSecret(hex(GRX521 + GRY521))).isEqualTo(hex(GIRX521));
        assertThat(r.sharedSecret(hex(GIX521 + GIY521))).isEqualTo(hex(GIRX521));
    }

    /** RFC 5903 sections 8.1 and 8.2 (groups 19 and 20): i, r and girx; the public values computed from them. */
    @ParameterizedTest
    @CsvSource({
            "ECP256, C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433,"
                    + " C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53,"
                    + " D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE",
            "ECP384, 099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194,"
                    + " 41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC,"
                    + " 11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"})
    void ecp256And384KnownAnswers(DhGroup group, String iHex, String rHex, String girx) throws Exception {
        DiffieHellman i = DiffieHellman.withEcPrivateValue(group, new BigInteger(iHex, 16));
        DiffieHellman r = DiffieHellman.withEcPrivateValue(group, new BigInteger(rHex, 16));
        assertThat(i.sharedSecret(r.publicValue())).isEqualTo(hex(girx));
        assertThat(r.sharedSecret(i.publicValue())).isEqualTo(hex(girx));
    }

    @Test
    void aPointOffTheCurveOrOfTheWrongLengthIsRefused() throws Exception {
        DiffieHellman i = DiffieHellman.withEcPrivateValue(DhGroup.ECP521, new BigInteger(I521, 16));
        byte[] off = hex(GRX521 + GRY521);
        off[off.length - 1] ^= 1;
        assertThatThrownBy(() -> i.sharedSecret(off)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> i.sharedSecret(hex(GRX521))).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("66 octets for ecp521");
    }

    @Test
    void aFreshEcp521PairAgrees() throws Exception {
        DiffieHellman a = DiffieHellman.generate(DhGroup.ECP521);
        DiffieHellman b = DiffieHellman.generate(DhGroup.ECP521);
        assertThat(a.publicValue()).hasSize(132);
        assertThat(a.sharedSecret(b.publicValue())).hasSize(66).isEqualTo(b.sharedSecret(a.publicValue()));
    }
}
