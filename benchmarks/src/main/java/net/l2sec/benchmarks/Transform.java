package net.l2sec.benchmarks;

import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/** The two ESP transforms measured; the benchmark parameter {@code transform} names one of them. */
public enum Transform {
    /** ESP_AES-CBC 128 (RFC 3602) with HMAC-SHA1-96 (RFC 2404): what Windows and macOS propose first. */
    AES128_CBC_SHA1(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96),
    /** ESP_AES-GCM 128 with a 16-octet ICV (RFC 4106). */
    AES128_GCM16(EspCipher.AES_GCM_16, 128, EspIntegrity.NONE);

    final EspCipher cipher;
    final int keyBits;
    final EspIntegrity integrity;

    Transform(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        this.cipher = cipher;
        this.keyBits = keyBits;
        this.integrity = integrity;
    }

    /** Octets of KEYMAT one SA takes: key (and GCM's salt), then the integrity key. */
    int keymatLength() {
        return keyBits / 8 + (cipher.aead() ? 4 : integrity.keyBits() / 8);
    }
}
