package net.l2sec.concentrator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/** Turns the validated {@code ipsec:} section (strongSwan-style algorithm names) into the responder's settings. */
final class IpsecSettingsMapping {
    private IpsecSettingsMapping() {}

    static IkeSettings ikeSettings(ConcentratorConfig.Ipsec c) {
        List<Integer> ikeAes = aesBits(c.ikeEncryption(), "");
        List<IkeHash> hashes = new ArrayList<>();
        for (String h : c.ikeIntegrity()) {
            for (IkeHash v : IkeHash.values()) if (v.label().equals(h)) hashes.add(v);
        }
        List<DhGroup> groups = new ArrayList<>();
        for (String g : c.ikeGroups()) {
            for (DhGroup v : DhGroup.values()) if (v.label().equals(g)) groups.add(v);
        }
        List<EspCipher> ciphers = new ArrayList<>();
        if (!aesBits(c.espEncryption(), "").isEmpty()) ciphers.add(EspCipher.AES_CBC);
        if (!aesBits(c.espEncryption(), "gcm16").isEmpty()) ciphers.add(EspCipher.AES_GCM_16);
        List<Integer> espAes = new ArrayList<>(aesBits(c.espEncryption(), ""));
        for (int b : aesBits(c.espEncryption(), "gcm16")) if (!espAes.contains(b)) espAes.add(b);
        List<EspIntegrity> integrity = new ArrayList<>();
        for (String i : c.espIntegrity()) {
            integrity.add(switch (i) {
                case "sha1" -> EspIntegrity.HMAC_SHA1_96;
                case "sha256" -> EspIntegrity.HMAC_SHA2_256_128;
                case "sha384" -> EspIntegrity.HMAC_SHA2_384_192;
                case "sha512" -> EspIntegrity.HMAC_SHA2_512_256;
                default -> throw new IllegalArgumentException("validated config has unknown ESP integrity " + i);
            });
        }
        IkeSettings d = IkeSettings.defaults();
        return new IkeSettings(c.psk(), ikeAes, hashes, groups, ciphers, espAes, integrity, c.legacy3des(),
                c.legacyModp1024(), c.ikeLifetimeMax(), c.espLifetimeMax(), c.dpdDelay(), c.dpdMaxFailures(),
                c.localId(), c.halfOpenLimit(), d.halfOpenTimeout(),
                c.newPerSourcePerSecond(), c.aggressiveMode(), c.psk().isPresent(), c.certificates(), c.fragmentation());
    }

    /** Key sizes of the {@code aesNNN<suffix>} names in {@code names}, in order. */
    private static List<Integer> aesBits(List<String> names, String suffix) {
        List<Integer> out = new ArrayList<>();
        for (String n : names) {
            String s = n.toLowerCase(Locale.ROOT);
            if (s.startsWith("aes") && s.endsWith(suffix) && s.length() == 6 + suffix.length()) {
                out.add(Integer.parseInt(s.substring(3, 6)));
            }
        }
        return out;
    }

}
