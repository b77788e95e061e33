package net.l2sec.dataplane.ikev2;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the IKEv2 responder adds to the policy it shares with IKEv1 ({@code ike.IkeSettings}: algorithms, PSK,
 * certificates, local identity, fragmentation, DPD, lifetimes, phase-1 bounds).
 *
 * @param enabled          serve IKEv2 (RFC 7296) on the IKE ports beside IKEv1; default true whenever IPsec is on
 * @param cookieThreshold  IKE SAs in IKE_SA_INIT/IKE_AUTH (half-open) on one worker from which every new
 *                         IKE_SA_INIT must return our COOKIE first (RFC 7296 section 2.6); 0 asks it of everyone
 * @param mobike           accept MOBIKE (RFC 4555): the client moves its SAs to a new address with
 *                         UPDATE_SA_ADDRESSES
 * @param authTimeout      how long an IKE SA may stay between IKE_SA_INIT and the end of IKE_AUTH (EAP included)
 * @param clientAuth       how clients may authenticate themselves (RFC 7296 section 2.15): EAP (the default, a user
 *                         behind every session), the pre-shared key, a certificate
 * @param eapOnly          honour a client's EAP_ONLY_AUTHENTICATION (RFC 5998): we then send neither certificate nor
 *                         signature and authenticate with the EAP method's MSK alone
 */
public record Ikev2Settings(boolean enabled, int cookieThreshold, boolean mobike, Duration authTimeout,
                            Set<ClientAuth> clientAuth, boolean eapOnly) {
    public Ikev2Settings {
        if (cookieThreshold < 0) throw new IllegalArgumentException("cookie threshold below 0");
        if (authTimeout == null || !authTimeout.isPositive()) throw new IllegalArgumentException("auth timeout");
        if (clientAuth.isEmpty()) throw new IllegalArgumentException("no client authentication method");
        clientAuth = Set.copyOf(clientAuth);
    }

    /** EAP clients only, no EAP-only. */
    public Ikev2Settings(boolean enabled, int cookieThreshold, boolean mobike, Duration authTimeout) {
        this(enabled, cookieThreshold, mobike, authTimeout, EnumSet.of(ClientAuth.EAP), false);
    }

    public static Ikev2Settings defaults() {
        return new Ikev2Settings(true, 64, true, Duration.ofSeconds(60));
    }

    public Ikev2Settings withClientAuth(Set<ClientAuth> methods, boolean eapOnlyAllowed) {
        return new Ikev2Settings(enabled, cookieThreshold, mobike, authTimeout, methods, eapOnlyAllowed);
    }

    /** How an IKEv2 client authenticates itself, named as in {@code ipsec.ikev2.client-auth}. */
    public enum ClientAuth {
        /** EAP-MSCHAPv2 after our signature (RFC 7296 section 2.16): the user's password, checked by the backends. */
        EAP("eap"),
        /** AUTH with the pre-shared key (section 2.15, method 2): the IDi is then authorized by the backends. */
        PSK("psk"),
        /** AUTH signed with a certificate of our trusted CA that names the IDi (sections 2.15, 3.6). */
        CERTIFICATE("certificate");

        private final String configName;

        ClientAuth(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static Optional<ClientAuth> fromConfigName(String name) {
            for (ClientAuth a : values()) if (a.configName.equals(name.toLowerCase(Locale.ROOT))) return Optional.of(a);
            return Optional.empty();
        }
    }
}
