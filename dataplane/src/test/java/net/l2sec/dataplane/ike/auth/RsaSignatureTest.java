package net.l2sec.dataplane.ike.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * IKEv1 RSA signatures are PKCS#1 v1.5 type-1 padding of the bare hash, without DigestInfo (RFC 7296 section 3.8
 * contrasts IKEv2's RSASSA-PKCS1-v1_5 with it): checked here by opening the signature with the public key by hand.
 */
class RsaSignatureTest {
    static Path file(String name) throws Exception {
        return Path.of(RsaSignatureTest.class.getResource("/ike/certs/" + name).toURI());
    }

    @Test
    void signsTheBareHashWithType1Padding() throws Exception {
        RSAPublicKey pub = (RSAPublicKey) PemFiles.certificates(file("client.crt.pem")).get(0).getPublicKey();
        byte[] hash = HexFormat.of().parseHex("00112233445566778899aabbccddeeff01234567"); // a SHA-1 sized HASH_I
        byte[] sig = RsaSignature.sign(PemFiles.privateKey(file("client.key.pem")), hash);
        assertThat(sig).hasSize(256);

        byte[] block = new BigInteger(1, sig).modPow(pub.getPublicExponent(), pub.getModulus()).toByteArray();
        byte[] em = new byte[256];
        System.arraycopy(block, 0, em, 256 - block.length, block.length);
        assertThat(em[0]).isZero();
        assertThat(em[1]).isEqualTo((byte) 1);
        int sep = 256 - hash.length - 1;
        for (int i = 2; i < sep; i++) assertThat(em[i]).isEqualTo((byte) 0xff);
        assertThat(em[sep]).isZero();
        assertThat(Arrays.copyOfRange(em, sep + 1, 256)).isEqualTo(hash);

        assertThat(RsaSignature.verify(pub, hash, sig)).isTrue();
        sig[10] ^= 1;
        assertThat(RsaSignature.verify(pub, hash, sig)).isFalse();
        assertThat(RsaSignature.verify(pub, hash, new byte[3])).isFalse();
    }
}
