package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CbcIvGeneratorTest {
    /** A "random" source that yields zeros: the IV key is then the all-zero AES-128 key. */
    private static final SecureRandom ZEROS = new SecureRandom() {
        @Override
        public void nextBytes(byte[] bytes) {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    };

    @Test
    void ivIsTheCounterEncryptedUnderTheIvKey() throws Exception {
        CbcIvGenerator g = new CbcIvGenerator(ZEROS);
        byte[] iv = new byte[16];
        g.nextIv(iv);
        // AES-128 with the zero key on the zero block (FIPS-197 / the GCM hash subkey of McGrew-Viega test case 1)
        assertThat(HexFormat.of().formatHex(iv)).isEqualTo("66e94bd4ef8a2c3b884cfa59ca342b2e");
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"));
        for (long i = 1; i <= CbcIvGenerator.BATCH + 2; i++) { // across a refill
            g.nextIv(iv);
            byte[] block = new byte[16];
            for (int j = 0; j < 8; j++) block[8 + j] = (byte) (i >>> (56 - 8 * j));
            assertThat(iv).as("IV %d", i).isEqualTo(aes.doFinal(block));
        }
    }

    @Test
    void ivsAreDistinctAndThreeDesTakesEightOctets() {
        CbcIvGenerator g = new CbcIvGenerator(new SecureRandom());
        Set<String> seen = new HashSet<>();
        byte[] iv = new byte[8];
        for (int i = 0; i < 3 * CbcIvGenerator.BATCH; i++) {
            g.nextIv(iv);
            assertThat(seen.add(HexFormat.of().formatHex(iv))).isTrue();
        }
        g.wipe();
    }
}
