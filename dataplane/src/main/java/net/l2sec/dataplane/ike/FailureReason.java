package net.l2sec.dataplane.ike;

/** Why a phase 1 or phase 2 negotiation failed: the {@code reason} tag of the phase counters. */
public enum FailureReason {
    NO_PROPOSAL_CHOSEN("no_proposal_chosen"),
    AUTH_FAILED("auth_failed"),
    /** The peer's certificate chain did not validate (untrusted, expired, wrong issuer, malformed). */
    CERT_INVALID("cert_invalid"),
    /** The peer's ID payload is not an identity of its certificate. */
    ID_MISMATCH("id_mismatch"),
    INVALID_PAYLOAD("invalid_payload"),
    TIMEOUT("timeout"),
    RATE_LIMITED("rate_limited"),
    AGGRESSIVE_MODE_REFUSED("aggressive_mode_refused"),
    /**
     * An Aggressive Mode refused: the phase 1s holding keying material reached {@code ipsec.limits.half-open} and
     * all of them are Main Modes, whose peers proved their address (an Aggressive Mode never evicts those).
     */
    HALF_OPEN_LIMIT("half_open_limit"),
    /** A half-open phase 1 given up to make room for a newer one; why: {@code l2sec_ike_half_open_evictions_total}. */
    EVICTED("evicted"),
    INVALID_KE("invalid_ke"),
    /** A child SA to rekey whose ISAKMP SA is gone (IKEv1 IPsec SAs outlive it): the client renegotiates. */
    NO_IKE_SA("no_ike_sa"),
    /** The operator drains the concentrator: new clients are refused, established ones keep (and rekey) theirs. */
    DRAINING("draining"),
    /** A Quick Mode with PFS whose Diffie-Hellman the crypto workers could not take (all busy, queue full). */
    CRYPTO_BUSY("crypto_busy");

    private final String tag;

    FailureReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
