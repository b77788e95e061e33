package net.l2sec.spi.auth;

/** Why authentication failed, as the {@code reason} metric label and in the session log line. */
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
    PEER_PROTOCOL("peer_protocol");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
