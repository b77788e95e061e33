package net.l2sec.spi.session;

/**
 * Every way a session ends, as it travels between the layers: PPP tells the lower layer why it closes the call,
 * L2TP tells PPP why the call went away, the session registry tells accounting. Each layer maps it to its own
 * vocabulary in one place: the RFC 2866 Acct-Terminate-Cause is carried here ({@link #terminateCause()}), the
 * L2TP CDN and StopCCN codes are chosen by the L2TP layer.
 *
 * <p>{@link #tag()} is the metric label value ({@code l2sec_ppp_sessions_failed_total{reason}} for the
 * {@link Kind#FAILURE failures}); {@link #text()} is the word the log lines carry after {@code cause=}. They differ
 * only for the causes a lower layer reports, whose log wording is L2TP's ({@code hello timeout}).
 */
public enum EndCause {
    // ---- the session failed: negotiation, authentication, address assignment, keepalive ----

    /** LCP: the peer rejected authentication, or refused every method we offer (also EAP's Nak, RFC 3748 5.3.1). */
    NO_COMMON_AUTH_METHOD("no_common_auth_method", TerminateCause.NAS_REQUEST, Kind.FAILURE),
    /** The backend rejected the credentials, or policy refused the user. */
    AUTH_FAILED("auth_failed", TerminateCause.NAS_REQUEST, Kind.FAILURE),
    /** The Authentication phase did not finish in time (the peer or the backend stalled). */
    AUTH_TIMEOUT("auth_timeout", TerminateCause.NAS_REQUEST, Kind.FAILURE),
    /** The authorization names an address pool that does not exist. */
    NO_POOL("no_pool", TerminateCause.SERVICE_UNAVAILABLE, Kind.FAILURE),
    /** No free address in the pool. */
    POOL_EXHAUSTED("pool_exhausted", TerminateCause.SERVICE_UNAVAILABLE, Kind.FAILURE),
    /** The assigned address (RADIUS Framed-IP-Address) is held by another session. */
    ADDRESS_IN_USE("address_in_use", TerminateCause.SERVICE_UNAVAILABLE, Kind.FAILURE),
    /** LCP never opened (RFC 1661 section 4.6 Max-Configure exhausted). */
    LCP_TIMEOUT("lcp_timeout", TerminateCause.PORT_ERROR, Kind.FAILURE),
    /** IPCP never opened. */
    IPCP_TIMEOUT("ipcp_timeout", TerminateCause.PORT_ERROR, Kind.FAILURE),
    /** IPCP opened, then the peer closed or rejected it (without it the session has no purpose). */
    IPCP_CLOSED("ipcp_closed", TerminateCause.PORT_ERROR, Kind.FAILURE),
    /** Too many LCP Echo-Requests unanswered (RFC 1661 section 5.8): the peer is gone. */
    ECHO_TIMEOUT("echo_timeout", TerminateCause.LOST_CARRIER, Kind.FAILURE),
    /** The user holds its policy rule's {@code max-sessions} already (an IKEv2 session is refused before it opens). */
    SESSION_LIMIT("session_limit", TerminateCause.NAS_REQUEST, Kind.FAILURE),
    /** The rule that admitted the user holds its {@code max-sessions-total} already (IKEv2, as above). */
    RULE_SESSION_LIMIT("rule_session_limit", TerminateCause.NAS_REQUEST, Kind.FAILURE),

    // ---- someone's choice or a limit ----

    /** The peer sent an LCP Terminate-Request. */
    PEER_TERMINATE("peer_terminate", TerminateCause.USER_REQUEST, Kind.ORDERLY),
    /** No IP packet for Idle-Timeout (RFC 2865 section 5.28). */
    IDLE_TIMEOUT("idle_timeout", TerminateCause.IDLE_TIMEOUT, Kind.ORDERLY),
    /** Session-Timeout since the first authorization (RFC 2865 section 5.27). */
    SESSION_TIMEOUT("session_timeout", TerminateCause.SESSION_TIMEOUT, Kind.ORDERLY),
    /** An operator's disconnect: the admin interface or a RADIUS Disconnect-Request (RFC 5176). */
    ADMIN_DISCONNECT("admin_disconnect", TerminateCause.ADMIN_RESET, Kind.ORDERLY),
    /**
     * The client connected again and said INITIAL_CONTACT (RFC 7296 section 2.4): it lost this older session (a
     * restart, a crash); reported as Lost-Carrier.
     */
    REPLACED("replaced", TerminateCause.LOST_CARRIER, Kind.ORDERLY),

    // ---- the lower layer went away (L2TP call or tunnel, the IPsec SAs under them) ----

    /** The peer hung up: L2TP CDN or StopCCN (RFC 2661 sections 5.7, 5.8). */
    PEER_REQUEST("peer_request", "peer request", TerminateCause.USER_REQUEST),
    /** The L2TP control connection gave up retransmitting (RFC 2661 section 5.8). */
    RETRANSMIT_LIMIT("retransmit_limit", "retransmit limit", TerminateCause.LOST_CARRIER),
    /** The L2TP peer stopped acknowledging HELLOs (RFC 2661 section 6.5). */
    HELLO_TIMEOUT("hello_timeout", "hello timeout", TerminateCause.LOST_CARRIER),
    /** The L2TP peer broke the protocol. */
    PROTOCOL_ERROR("protocol_error", "protocol error", TerminateCause.PORT_ERROR),
    /** An L2TP message with a mandatory AVP we do not know (RFC 2661 section 4.1). */
    UNKNOWN_MANDATORY_AVP("unknown_mandatory_avp", "unknown mandatory avp", TerminateCause.PORT_ERROR),
    /** The L2TP tunnel carrying the call ended for a reason of its own. */
    TUNNEL_DOWN("tunnel_down", "tunnel down", TerminateCause.LOST_CARRIER),
    /** What the tunnel was created through is gone (its IPsec SAs were deleted or expired). */
    TRANSPORT_DOWN("transport_down", "transport down", TerminateCause.LOST_CARRIER),
    /** The concentrator stops. */
    SHUTDOWN("shutdown", "shutdown", TerminateCause.ADMIN_REBOOT);

    /** Who or what ended the session. */
    public enum Kind {
        /** The session failed: counted as a failure ({@code l2sec_ppp_sessions_failed_total}). */
        FAILURE,
        /** The peer, an operator or a configured limit ended it. */
        ORDERLY,
        /** The layer under the session went away; that layer counts why. */
        LOWER_LAYER
    }

    private final String tag;
    private final String text;
    private final TerminateCause terminateCause;
    private final Kind kind;

    EndCause(String tag, TerminateCause terminateCause, Kind kind) {
        this(tag, tag, terminateCause, kind);
    }

    EndCause(String tag, String text, TerminateCause terminateCause) {
        this(tag, text, terminateCause, Kind.LOWER_LAYER);
    }

    EndCause(String tag, String text, TerminateCause terminateCause, Kind kind) {
        this.tag = tag;
        this.text = text;
        this.terminateCause = terminateCause;
        this.kind = kind;
    }

    /** The metric label value, lower case with underscores. */
    public String tag() {
        return tag;
    }

    /** The log wording ({@code ppp down cause=...}, {@code l2tp session down cause=...}). */
    public String text() {
        return text;
    }

    /** RFC 2866 section 5.10 Acct-Terminate-Cause of a session that ends so. */
    public TerminateCause terminateCause() {
        return terminateCause;
    }

    public Kind kind() {
        return kind;
    }

    /** True for the causes counted as session failures. */
    public boolean isFailure() {
        return kind == Kind.FAILURE;
    }
}
