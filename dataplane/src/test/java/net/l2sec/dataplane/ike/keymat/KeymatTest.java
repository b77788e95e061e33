package net.l2sec.dataplane.ike.keymat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Known answers from src/test/resources/ike/keymat_vectors.py (an independent stdlib Python implementation). */
class KeymatTest {
    static final Map<String, byte[]> V = load();

    static Map<String, byte[]> load() {
        try (InputStream in = KeymatTest.class.getResourceAsStream("/ike/keymat-vectors.txt")) {
            Map<String, byte[]> m = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                int eq = line.indexOf('=');
                m.put(line.substring(0, eq), HexFormat.of().parseHex(line.substring(eq + 1).trim()));
            }
            return m;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] v(String set, String name) {
        byte[] b = V.get(set + "." + name);
        assertThat(b).as(set + "." + name).isNotNull();
        return b;
    }

    static long cookie(byte[] b) {
        return new BigInteger(1, b).longValue();
    }

    @ParameterizedTest
    @CsvSource({"sha1_aes256,SHA1,AES_CBC,256", "sha256_aes128,SHA2_256,AES_CBC,128", "sha1_3des,SHA1,TRIPLE_DES_CBC,192"})
    void reproducesThePythonVectors(String set, IkeHash hash, IkeCipher cipher, int keyBits) throws Exception {
        // the MODP secret with fixed exponents, through the JCE: checks the group and the padding too
        DiffieHellman i = DiffieHellman.withPrivateExponent(DhGroup.MODP1024, new BigInteger(1, v(set, "xi")));
        DiffieHellman r = DiffieHellman.withPrivateExponent(DhGroup.MODP1024, new BigInteger(1, v(set, "xr")));
        assertThat(i.publicValue()).isEqualTo(v(set, "gxi"));
        assertThat(r.publicValue()).isEqualTo(v(set, "gxr"));
        byte[] gxy = r.sharedSecret(v(set, "gxi"));
        assertThat(gxy).isEqualTo(v(set, "gxy"));

        Keymat k = new Keymat(hash, cipher, keyBits, cookie(v(set, "cky_i")), cookie(v(set, "cky_r")));
        k.derivePreSharedKey(v(set, "psk"), v(set, "ni"), v(set, "nr"), gxy);
        assertThat(k.skeyid()).isEqualTo(v(set, "skeyid"));
        assertThat(k.skeyidD()).isEqualTo(v(set, "skeyid_d"));
        assertThat(k.skeyidA()).isEqualTo(v(set, "skeyid_a"));
        assertThat(k.skeyidE()).isEqualTo(v(set, "skeyid_e"));
        assertThat(k.encryptionKey()).isEqualTo(v(set, "enc_key"));
        k.initPhase1Iv(v(set, "gxi"), v(set, "gxr"));
        assertThat(k.iv(0)).isEqualTo(v(set, "iv"));
        assertThat(k.hashI(v(set, "gxi"), v(set, "gxr"), v(set, "sai_b"), v(set, "idii_b"))).isEqualTo(v(set, "hash_i"));
        assertThat(k.hashR(v(set, "gxi"), v(set, "gxr"), v(set, "sai_b"), v(set, "idir_b"))).isEqualTo(v(set, "hash_r"));

        int mid = new BigInteger(1, v(set, "mid")).intValue();
        k.setPhase1LastBlock(v(set, "last_p1_block"));
        assertThat(k.iv(mid)).isEqualTo(v(set, "qm_iv"));
        assertThat(k.hash1(mid, v(set, "qm_rest"))).isEqualTo(v(set, "qm_hash1"));
        assertThat(k.hash2(mid, v(set, "ni2"), v(set, "qm_rest"))).isEqualTo(v(set, "qm_hash2"));
        assertThat(k.hash3(mid, v(set, "ni2"), v(set, "nr2"))).isEqualTo(v(set, "qm_hash3"));
        int spi = new BigInteger(1, v(set, "spi")).intValue();
        assertThat(k.childKeymat(null, 3, spi, v(set, "ni2"), v(set, "nr2"), 52)).isEqualTo(v(set, "keymat"));
        assertThat(k.childKeymat(v(set, "gqm_xy"), 3, spi, v(set, "ni2"), v(set, "nr2"), 36)).isEqualTo(v(set, "keymat_pfs"));

        k.wipe();
        assertThat(k.skeyid()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"sha1_aes256,SHA1,AES_CBC,256", "sha256_aes128,SHA2_256,AES_CBC,128"})
    void signatureKeysReproduceThePythonVectors(String set, IkeHash hash, IkeCipher cipher, int keyBits) {
        Keymat k = new Keymat(hash, cipher, keyBits, cookie(v(set, "cky_i")), cookie(v(set, "cky_r")));
        k.deriveSignature(v(set, "ni"), v(set, "nr"), v(set, "gxy"));
        assertThat(k.skeyid()).isEqualTo(v(set, "sig_skeyid"));
        assertThat(k.skeyidD()).isEqualTo(v(set, "sig_skeyid_d"));
        assertThat(k.skeyidA()).isEqualTo(v(set, "sig_skeyid_a"));
        assertThat(k.skeyidE()).isEqualTo(v(set, "sig_skeyid_e"));
        assertThat(k.hashI(v(set, "gxi"), v(set, "gxr"), v(set, "sai_b"), v(set, "idii_b"))).isEqualTo(v(set, "sig_hash_i"));
    }

    @Test
    void cbcIvsChainAcrossMessagesAndBothSidesAgree() throws Exception {
        String set = "sha1_aes256";
        Keymat a = new Keymat(IkeHash.SHA1, IkeCipher.AES_CBC, 256, 1, 2);
        Keymat b = new Keymat(IkeHash.SHA1, IkeCipher.AES_CBC, 256, 1, 2);
        for (Keymat k : new Keymat[] {a, b}) {
            k.derivePreSharedKey(v(set, "psk"), v(set, "ni"), v(set, "nr"), v(set, "gxy"));
            k.initPhase1Iv(v(set, "gxi"), v(set, "gxr"));
        }
        byte[] m5 = a.encrypt(0, "message five".getBytes(StandardCharsets.US_ASCII));
        assertThat(m5).hasSize(16);
        assertThat(new String(authentic(b, 0, m5), StandardCharsets.US_ASCII)).startsWith("message five");
        byte[] m6 = b.encrypt(0, new byte[20]);
        assertThat(authentic(a, 0, m6)).isEqualTo(new byte[32]);
        a.completePhase1();
        b.completePhase1();
        byte[] qm = a.encrypt(77, new byte[16]);
        assertThat(authentic(b, 77, qm)).isEqualTo(new byte[16]);
        assertThat(b.iv(77)).isEqualTo(a.iv(77));
        assertThatThrownBy(() -> b.decrypt(0, new byte[15])).isInstanceOf(java.security.GeneralSecurityException.class);
    }

    /** Decrypts as the responder does, then takes the message as verified: the exchange's IV moves on. */
    private static byte[] authentic(Keymat k, int messageId, byte[] ciphertext) throws Exception {
        byte[] plain = k.decrypt(messageId, ciphertext);
        k.authentic(messageId, ciphertext);
        return plain;
    }

    @Test
    void onlyAMessageFoundAuthenticMovesItsExchangesIv() throws Exception {
        String set = "sha1_aes256";
        Keymat a = new Keymat(IkeHash.SHA1, IkeCipher.AES_CBC, 256, 1, 2);
        Keymat b = new Keymat(IkeHash.SHA1, IkeCipher.AES_CBC, 256, 1, 2);
        for (Keymat k : new Keymat[] {a, b}) {
            k.derivePreSharedKey(v(set, "psk"), v(set, "ni"), v(set, "nr"), v(set, "gxy"));
            k.initPhase1Iv(v(set, "gxi"), v(set, "gxr"));
            k.completePhase1();
        }
        byte[] first = "quick mode message one, 32 bytes".getBytes(StandardCharsets.US_ASCII);
        byte[] third = "quick mode message three, 32 byt".getBytes(StandardCharsets.US_ASCII);
        assertThat(authentic(b, 9, a.encrypt(9, first))).isEqualTo(first);
        byte[] ivAfterFirst = b.iv(9);
        // a forgery (same length, other octets) decrypts to garbage and is not taken: the IV stays
        byte[] forged = new byte[32];
        forged[5] = 1;
        assertThat(b.decrypt(9, forged)).isNotEqualTo(third);
        assertThat(b.iv(9)).isEqualTo(ivAfterFirst);
        assertThat(b.exchanges()).isEqualTo(1);
        // the genuine next message still decrypts
        assertThat(authentic(b, 9, a.encrypt(9, third))).isEqualTo(third);
        // looking at a new exchange's IV, or decrypting in it, stores nothing
        b.decrypt(10, forged);
        assertThat(b.exchanges()).isEqualTo(1);
    }

    @Test
    void atMostMaxExchangesIvsAreKeptAndALateMessageOfTheOldestNoLongerDecrypts() throws Exception {
        String set = "sha1_aes256";
        Keymat initiator = new Keymat(IkeHash.SHA1, IkeCipher.AES_CBC, 256, 1, 2);
        Keymat responder = new Keymat(IkeHash.SHA1, IkeCipher.AES_CBC, 256, 1, 2);
        for (Keymat k : new Keymat[] {initiator, responder}) {
            k.derivePreSharedKey(v(set, "psk"), v(set, "ni"), v(set, "nr"), v(set, "gxy"));
            k.initPhase1Iv(v(set, "gxi"), v(set, "gxr"));
            k.completePhase1();
        }
        byte[] plain = "a quick mode message of 32 bytes".getBytes(StandardCharsets.US_ASCII);
        assertThat(authentic(responder, 1, initiator.encrypt(1, plain))).isEqualTo(plain);
        // the peer opens 32 more exchanges, and keeps only exchange 1 and the newest going on its side
        int newest = Keymat.MAX_EXCHANGES + 1;
        for (int mid = 2; mid <= newest; mid++) {
            assertThat(authentic(responder, mid, initiator.encrypt(mid, plain))).isEqualTo(plain);
            if (mid != newest) initiator.endExchange(mid);
            assertThat(responder.exchanges()).isEqualTo(Math.min(mid, Keymat.MAX_EXCHANGES));
        }
        // exchange 1 was our oldest: its chained IV is gone, its next message decrypts to garbage
        assertThat(responder.decrypt(1, initiator.encrypt(1, plain))).isNotEqualTo(plain);
        // the newest still chains
        assertThat(authentic(responder, newest, initiator.encrypt(newest, plain))).isEqualTo(plain);
        responder.endExchange(newest);
        assertThat(responder.exchanges()).isEqualTo(Keymat.MAX_EXCHANGES - 1);
    }

    @ParameterizedTest
    @EnumSource(DhGroup.class)
    void bothSidesOfEveryGroupAgree(DhGroup g) throws Exception {
        DiffieHellman i = DiffieHellman.generate(g);
        DiffieHellman r = DiffieHellman.generate(g);
        assertThat(i.publicValue()).hasSize(g.publicValueLength());
        byte[] s1 = i.sharedSecret(r.publicValue());
        assertThat(s1).hasSize(g.length()).isEqualTo(r.sharedSecret(i.publicValue()));
        assertThatThrownBy(() -> i.sharedSecret(new byte[3])).isInstanceOf(java.security.GeneralSecurityException.class);
    }

    @ParameterizedTest
    @EnumSource(value = DhGroup.class, names = {"MODP1024", "MODP1536", "MODP2048"})
    void modpPrivateExponentsAreSizedToTheGroupsStrengthNotItsPrime(DhGroup g) {
        int longest = 0;
        for (int n = 0; n < 16; n++) {
            int bits = DiffieHellman.generate(g).privateExponentBitLength();
            assertThat(bits).as("RFC 3526 section 8: about twice the strength").isLessThanOrEqualTo(g.privateExponentBits());
            longest = Math.max(longest, bits);
        }
        assertThat(longest).as("16 draws, none using the full length is 2^-16 likely")
                .isGreaterThan(g.privateExponentBits() - 8);
        assertThat(g.privateExponentBits()).isBetween(160, 8 * g.length() / 4);
    }

    @Test
    void degenerateModpValuesAreRefused() {
        DiffieHellman i = DiffieHellman.generate(DhGroup.MODP2048);
        byte[] one = new byte[256];
        one[255] = 1;
        assertThatThrownBy(() -> i.sharedSecret(one)).isInstanceOf(java.security.GeneralSecurityException.class);
        byte[] offCurve = new byte[64];
        offCurve[63] = 5;
        DiffieHellman e = DiffieHellman.generate(DhGroup.ECP256);
        assertThatThrownBy(() -> e.sharedSecret(offCurve)).isInstanceOf(java.security.GeneralSecurityException.class);
    }
}
