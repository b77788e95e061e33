package net.l2sec.dataplane.ikev2;

import java.time.Duration;

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
 */
public record Ikev2Settings(boolean enabled, int cookieThreshold, boolean mobike, Duration authTimeout) {
    public Ikev2Settings {
        if (cookieThreshold < 0) throw new IllegalArgumentException("cookie threshold below 0");
        if (authTimeout == null || !authTimeout.isPositive()) throw new IllegalArgumentException("auth timeout");
    }

    public static Ikev2Settings defaults() {
        return new Ikev2Settings(true, 64, true, Duration.ofSeconds(60));
    }
}
