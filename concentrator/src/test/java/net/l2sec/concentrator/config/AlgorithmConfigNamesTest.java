package net.l2sec.concentrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.api.Test;

/**
 * Each algorithm enum parses the strongSwan-style names of the {@code ipsec} section itself: known names (any case),
 * the legacy ones only with their switch, unknown ones with the list of known names. The texts are the ones
 * operators see after {@code file: key: }.
 */
class AlgorithmConfigNamesTest {

    @Test
    void ikeCipherNamesCarryTheKeyLength() {
        assertThat(IkeCipher.parse("aes128", false)).isEqualTo(new IkeCipher.WithKeyLength(IkeCipher.AES_CBC, 128));
        assertThat(IkeCipher.parse("aes192", false)).isEqualTo(new IkeCipher.WithKeyLength(IkeCipher.AES_CBC, 192));
        assertThat(IkeCipher.parse("AES256", false)).isEqualTo(new IkeCipher.WithKeyLength(IkeCipher.AES_CBC, 256));
        assertThat(IkeCipher.parse("3des", true)).isEqualTo(new IkeCipher.WithKeyLength(IkeCipher.TRIPLE_DES_CBC, 192));
        assertThatThrownBy(() -> IkeCipher.parse("3des", false))
                .hasMessage("3des is legacy: set ipsec.legacy.3des: true to allow it");
        assertThatThrownBy(() -> IkeCipher.parse("Blowfish", true))
                .hasMessage("unknown algorithm \"Blowfish\" (known: aes128, aes192, aes256, 3des)");
        assertThatThrownBy(() -> IkeCipher.parse("aes128gcm16", true))
                .hasMessage("unknown algorithm \"aes128gcm16\" (known: aes128, aes192, aes256, 3des)");
    }

    @Test
    void espCipherNamesCarryTheKeyLengthAndTheMode() {
        assertThat(EspCipher.parse("aes128", false)).isEqualTo(new EspCipher.WithKeyLength(EspCipher.AES_CBC, 128));
        assertThat(EspCipher.parse("aes256", false)).isEqualTo(new EspCipher.WithKeyLength(EspCipher.AES_CBC, 256));
        assertThat(EspCipher.parse("aes128gcm16", false)).isEqualTo(new EspCipher.WithKeyLength(EspCipher.AES_GCM_16, 128));
        assertThat(EspCipher.parse("AES256GCM16", false)).isEqualTo(new EspCipher.WithKeyLength(EspCipher.AES_GCM_16, 256));
        assertThat(EspCipher.parse("3des", true)).isEqualTo(new EspCipher.WithKeyLength(EspCipher.TRIPLE_DES_CBC, 192));
        assertThatThrownBy(() -> EspCipher.parse("3DES", false))
                .hasMessage("3des is legacy: set ipsec.legacy.3des: true to allow it");
        assertThatThrownBy(() -> EspCipher.parse("aes192gcm16", true))
                .hasMessage("unknown algorithm \"aes192gcm16\" (known: aes128, aes192, aes256, aes128gcm16, aes256gcm16, 3des)");
    }

    @Test
    void ikeHashNames() {
        assertThat(IkeHash.parse("sha1")).isEqualTo(IkeHash.SHA1);
        assertThat(IkeHash.parse("SHA256")).isEqualTo(IkeHash.SHA2_256);
        assertThat(IkeHash.parse("sha384")).isEqualTo(IkeHash.SHA2_384);
        assertThat(IkeHash.parse("sha512")).isEqualTo(IkeHash.SHA2_512);
        assertThatThrownBy(() -> IkeHash.parse("md5")).hasMessage("unknown algorithm \"md5\" (known: sha1, sha256, sha384, sha512)");
    }

    @Test
    void dhGroupNamesWithTheModp1024Switch() {
        assertThat(DhGroup.parse("modp1536", false)).isEqualTo(DhGroup.MODP1536);
        assertThat(DhGroup.parse("MODP2048", false)).isEqualTo(DhGroup.MODP2048);
        assertThat(DhGroup.parse("ecp256", false)).isEqualTo(DhGroup.ECP256);
        assertThat(DhGroup.parse("ecp384", false)).isEqualTo(DhGroup.ECP384);
        assertThat(DhGroup.parse("modp1024", true)).isEqualTo(DhGroup.MODP1024);
        assertThatThrownBy(() -> DhGroup.parse("modp1024", false))
                .hasMessage("modp1024 is legacy: set ipsec.legacy.modp1024: true to allow it");
        assertThat(DhGroup.parse("ecp521", false)).isEqualTo(DhGroup.ECP521);
        assertThatThrownBy(() -> DhGroup.parse("curve25519", true))
                .hasMessage("unknown algorithm \"curve25519\" (known: modp1024, modp1536, modp2048, ecp256, ecp384, ecp521)");
    }

    @Test
    void espIntegrityNames() {
        assertThat(EspIntegrity.parse("sha1")).isEqualTo(EspIntegrity.HMAC_SHA1_96);
        assertThat(EspIntegrity.parse("sha256")).isEqualTo(EspIntegrity.HMAC_SHA2_256_128);
        assertThat(EspIntegrity.parse("Sha384")).isEqualTo(EspIntegrity.HMAC_SHA2_384_192);
        assertThat(EspIntegrity.parse("sha512")).isEqualTo(EspIntegrity.HMAC_SHA2_512_256);
        assertThatThrownBy(() -> EspIntegrity.parse("none"))
                .hasMessage("unknown algorithm \"none\" (known: sha1, sha256, sha384, sha512)");
    }

    @Test
    void everyNameParsesBackToItself() {
        for (String n : new String[] {"aes128", "aes192", "aes256", "3des"}) {
            assertThat(IkeCipher.parse(n, true).configName()).isEqualTo(n);
        }
        for (String n : new String[] {"aes128", "aes192", "aes256", "aes128gcm16", "aes256gcm16", "3des"}) {
            assertThat(EspCipher.parse(n, true).configName()).isEqualTo(n);
        }
        for (DhGroup g : DhGroup.values()) assertThat(DhGroup.parse(g.label(), true)).isEqualTo(g);
        for (IkeHash h : IkeHash.values()) assertThat(IkeHash.parse(h.label())).isEqualTo(h);
        for (EspIntegrity i : EspIntegrity.values()) {
            if (i != EspIntegrity.NONE) assertThat(EspIntegrity.parse(i.configName())).isEqualTo(i);
        }
    }
}
