package net.l2sec.dataplane.ikev2.keymat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the IKEv2 key derivation (RFC 7296 sections 2.13, 2.14, 2.17, 2.18): the NIST CAVS sample
 * vector for the SP 800-135 IKEv2 KDF with SHA-1 (g^ir, g^ir (new), Ni, Nr, SPIi, SPIr; 1056 bits of DKM), which
 * checks SKEYSEED, prf+ over Ni | Nr | SPIi | SPIr, the child SA's KEYMAT without and with PFS, and the SKEYSEED of
 * a rekeyed IKE SA.
 */
class Ikev2KeyDerivationTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] GIR = HEX.parseHex("4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52");
    private static final byte[] GIR_NEW = HEX.parseHex("863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330");
    private static final byte[] NI = HEX.parseHex("32b50d5f4a3763f3");
    private static final byte[] NR = HEX.parseHex("9206a04b26564cb1");
    private static final long SPII = 0x34c9e7c188868785L;
    private static final long SPIR = 0x3ff77d760d2b2199L;
    private static final byte[] SKEYSEED = HEX.parseHex("a9a7b222b59f8f48645f28a1db5b5f5d7479cba7");
    private static final byte[] DKM = HEX.parseHex("a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a6"
            + "3080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52204b702c979fa280870d2ed41"
            + "efa9c549fd11198af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435a7a56cc4");
    private static final byte[] DKM_CHILD = HEX.parseHex("8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c58"
            + "11a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe"
            + "20754a2d883ba0c2cf285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e664994d234cb4");
    private static final byte[] DKM_CHILD_DH = HEX.parseHex("bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d3730"
            + "1628190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c0400052f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a"
            + "8bbb5ffb7857240f9a05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054d56fd74c");
    private static final byte[] SKEYSEED_REKEY = HEX.parseHex("63e81194946ebd05df7df5ebf5d8750056bf1f1d");

    private static final PrfAlgorithm PRF = PrfAlgorithm.HMAC_SHA1;

    @Test
    void skeyseedIsPrfOfTheNoncesOverTheSharedSecret() {
        assertArrayEquals(SKEYSEED, IkeSaKeys.skeyseed(PRF, NI, NR, GIR));
    }

    @Test
    void prfPlusOverNoncesAndSpisGivesTheDerivedKeyingMaterial() {
        byte[] seed = ByteBuffer.allocate(32).put(NI).put(NR).putLong(SPII).putLong(SPIR).array();
        assertEquals(132, DKM.length);
        assertArrayEquals(DKM, PRF.prfPlus(SKEYSEED, seed, DKM.length));
        // prf+ is a stream: a shorter request is a prefix of the longer one
        assertArrayEquals(Arrays.copyOf(DKM, 50), PRF.prfPlus(SKEYSEED, seed, 50));
    }

    /** SK_d is the first prf-length octets of the DKM; the IKE SA's seven keys follow each other in it. */
    @Test
    void theIkeSaKeysAreSlicesOfTheDkmInRfcOrder() {
        // AES-CBC-128 with HMAC-SHA1-96: SK_d 20, SK_ai/ar 20 each, SK_ei/er 16 each, SK_pi/pr 20 each = 132
        IkeSaKeys keys = IkeSaKeys.derive(PRF, IntegrityAlgorithm.HMAC_SHA1_96, EncryptionAlgorithm.ENCR_AES_CBC, 128,
                SKEYSEED, NI, NR, SPII, SPIR);
        assertArrayEquals(Arrays.copyOfRange(DKM, 0, 20), keys.skD());
        assertArrayEquals(Arrays.copyOfRange(DKM, 20, 40), keys.skAi());
        assertArrayEquals(Arrays.copyOfRange(DKM, 40, 60), keys.skAr());
        assertArrayEquals(Arrays.copyOfRange(DKM, 60, 76), keys.skEi());
        assertArrayEquals(Arrays.copyOfRange(DKM, 76, 92), keys.skEr());
        assertArrayEquals(Arrays.copyOfRange(DKM, 92, 112), keys.skPi());
        assertArrayEquals(Arrays.copyOfRange(DKM, 112, 132), keys.skPr());
    }

    @Test
    void childSaKeymatWithoutAndWithPfs() {
        IkeSaKeys keys = IkeSaKeys.derive(PRF, IntegrityAlgorithm.HMAC_SHA1_96, EncryptionAlgorithm.ENCR_AES_CBC, 128,
                SKEYSEED, NI, NR, SPII, SPIR);
        assertArrayEquals(DKM_CHILD, keys.childKeymat(null, NI, NR, DKM_CHILD.length));
        assertArrayEquals(DKM_CHILD_DH, keys.childKeymat(GIR_NEW, NI, NR, DKM_CHILD_DH.length));
    }

    @Test
    void rekeyedIkeSaSkeyseedComesFromTheOldSkD() {
        assertArrayEquals(SKEYSEED_REKEY, IkeSaKeys.rekeySkeyseed(PRF, Arrays.copyOf(DKM, 20), GIR_NEW, NI, NR));
    }

    /** RFC 4231 test case 1 for HMAC-SHA-256: the PRF is the plain HMAC. */
    @Test
    void prfIsHmac() {
        byte[] key = new byte[20];
        Arrays.fill(key, (byte) 0x0b);
        assertArrayEquals(HEX.parseHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                PrfAlgorithm.HMAC_SHA2_256.prf(key, "Hi There".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
