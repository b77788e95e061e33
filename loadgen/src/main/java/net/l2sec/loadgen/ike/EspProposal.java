package net.l2sec.loadgen.ike;

import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/** The one ESP transform a client offers: {@code aes256-sha1}, {@code aes128-sha256} or {@code aes128gcm16}. */
public record EspProposal(EspCipher cipher, int keyBits, EspIntegrity integrity) {
    public static EspProposal parse(String spec) {
        String[] p = spec.split("-");
        EspCipher.WithKeyLength c = EspCipher.parse(p[0], true);
        if (c.cipher().aead()) {
            if (p.length != 1) throw new IllegalArgumentException("ESP proposal " + spec + ": AES-GCM takes no integrity algorithm");
            return new EspProposal(c.cipher(), c.keyBits(), EspIntegrity.NONE);
        }
        if (p.length != 2) throw new IllegalArgumentException("ESP proposal " + spec + ": cipher-integrity, e.g. aes256-sha1");
        return new EspProposal(c.cipher(), c.keyBits(), EspIntegrity.parse(p[1]));
    }

    /** KEYMAT octets per direction: encryption key, GCM's 4-octet salt, integrity key (RFC 4106 section 8.1). */
    public int keymatLength() {
        int key = (cipher.fixedKeyBits() != 0 ? cipher.fixedKeyBits() : keyBits) / 8;
        return key + (cipher.aead() ? 4 : 0) + integrity.keyBits() / 8;
    }

    @Override
    public String toString() {
        String c = new EspCipher.WithKeyLength(cipher, keyBits).configName();
        return cipher.aead() ? c : c + "-" + integrity.configName();
    }
}
