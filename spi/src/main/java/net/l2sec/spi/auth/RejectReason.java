package net.l2sec.spi.auth;

/**
 * Why authentication failed, as the {@code reason} metric label and in the session log line. The backends answer
 * with the first eight; the last six are the dataplane's own refusals, which apply whatever the backend: before
 * it is asked ({@link #INVALID_USER_NAME}, {@link #THROTTLED}, {@link #IDENTITY_MISMATCH}) or in place of its
 * accept ({@link #IDENTITY_CHANGED}, {@link #SESSION_LIMIT}, {@link #RULE_SESSION_LIMIT}).
 */
public enum RejectReason {
    /** No such user in the backend. */
    UNKNOWN_USER("unknown_user"),
    /** The password, or the challenge response, is wrong. */
    BAD_CREDENTIALS("bad_credentials"),
    /** The user exists but the stored secret cannot verify this method (e.g. CHAP against a hashed password). */
    METHOD_UNSUPPORTED("method_unsupported"),
    /** The credentials were right but policy refuses the user (group, concurrent-session limit, ...). */
    POLICY_DENIED("policy_denied"),
    /** The account is disabled, locked or expired. */
    ACCOUNT_DISABLED("account_disabled"),
    /** The backend did not answer in time. */
    BACKEND_TIMEOUT("backend_timeout"),
    /** The backend failed (unreachable, protocol error, bug). */
    BACKEND_ERROR("backend_error"),
    /** The peer never completed authentication, or broke the protocol. */
    PEER_PROTOCOL("peer_protocol"),
    /**
     * The user name is not one: empty, longer than 253 octets (RADIUS User-Name, RFC 2865 section 5.1), not UTF-8,
     * or with a control character (C0, DEL, C1). Refused before any backend is asked; a backend's accept naming
     * such a user is refused too.
     */
    INVALID_USER_NAME("invalid_user_name"),
    /** Too many recent failures for the user name or on the tunnel: refused for a while without asking the backend. */
    THROTTLED("throttled"),
    /** EAP-MSCHAPv2: the Name in the MS-CHAPv2 Response is not the EAP Identity the peer gave. */
    IDENTITY_MISMATCH("identity_mismatch"),
    /** Re-authentication (after an LCP renegotiation) as another user than the session's. */
    IDENTITY_CHANGED("identity_changed"),
    /** The user holds the sessions the authorization allows ({@link Authorization#maxSessions()}) already. */
    SESSION_LIMIT("session_limit"),
    /** The rule that admitted the user holds all the sessions it may ({@link Authorization#maxSessionsTotal()}) already. */
    RULE_SESSION_LIMIT("rule_session_limit");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
