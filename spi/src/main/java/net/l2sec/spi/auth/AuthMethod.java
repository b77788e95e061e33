package net.l2sec.spi.auth;

import java.util.Locale;
import java.util.Optional;

/** PPP authentication methods, named as they appear in the configuration and in metric labels. */
public enum AuthMethod {
    /** RFC 1334 Password Authentication Protocol: cleartext password (inside IPsec only in production). */
    PAP("pap"),
    /** RFC 1994 CHAP with MD5. */
    CHAP_MD5("chap"),
    /** RFC 2759 Microsoft CHAP version 2 (CHAP algorithm 0x81). */
    MSCHAPV2("mschapv2"),
    /** RFC 3748 EAP carrying EAP-MSCHAPv2 (type 26), what Windows uses. */
    EAP_MSCHAPV2("eap-mschapv2"),
    /** RFC 3748 EAP-MD5-Challenge (type 4). */
    EAP_MD5("eap-md5");

    private final String configName;

    AuthMethod(String configName) {
        this.configName = configName;
    }

    /** The name used in the config file and as the {@code method} metric label. */
    public String configName() {
        return configName;
    }

    public static Optional<AuthMethod> fromConfigName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (AuthMethod m : values()) {
            if (m.configName.equals(n)) return Optional.of(m);
        }
        return Optional.empty();
    }
}
