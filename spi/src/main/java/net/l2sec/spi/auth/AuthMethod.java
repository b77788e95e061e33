package net.l2sec.spi.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How a session's user authenticated, named as in the configuration and in metric labels: the PPP methods, and the
 * IKEv2 methods in which IKE itself authenticates the client (no PPP, no EAP).
 */
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
    EAP_MD5("eap-md5"),
    /**
     * IKEv2 (RFC 7296 section 2.15): the client's AUTH payload is computed with the pre-shared key. IKE verifies it;
     * the backends are asked only to authorize the client's identity (a {@link ProvenIdentity}).
     */
    IKEV2_PSK("ikev2-psk"),
    /**
     * IKEv2 (RFC 7296 sections 2.15, 3.6): the client signs its AUTH payload with the key of a certificate that chains
     * to our trusted CA and names its identity. IKE verifies it; the backends authorize the identity.
     */
    IKEV2_CERTIFICATE("ikev2-certificate");

    private final String configName;

    AuthMethod(String configName) {
        this.configName = configName;
    }

    /** The name used in the config file and as the {@code method} metric label. */
    public String configName() {
        return configName;
    }

    /** True for the methods PPP negotiates in LCP (RFC 1661 section 6.2); false for the IKEv2 ones. */
    public boolean ppp() {
        return this != IKEV2_PSK && this != IKEV2_CERTIFICATE;
    }

    /** The methods PPP negotiates, in declaration order. */
    public static Set<AuthMethod> pppMethods() {
        return EnumSet.range(PAP, EAP_MD5);
    }

    public static Optional<AuthMethod> fromConfigName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (AuthMethod m : values()) {
            if (m.configName.equals(n)) return Optional.of(m);
        }
        return Optional.empty();
    }
}
