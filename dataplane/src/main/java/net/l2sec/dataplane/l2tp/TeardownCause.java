package net.l2sec.dataplane.l2tp;

/**
 * Why a tunnel or session ended or failed: {@link #tag()} is the {@code cause}/{@code reason} tag of the
 * {@code l2sec.l2tp.*.closed} and {@code *.failed} counters, {@link #text()} the log wording.
 */
public enum TeardownCause {
    PEER_REQUEST("peer request"),
    RETRANSMIT_LIMIT("retransmit limit"),
    HELLO_TIMEOUT("hello timeout"),
    AUTH_FAILED("tunnel authentication failed"),
    NO_RESOURCES("no resources"),
    PROTOCOL_ERROR("protocol error"),
    UNKNOWN_MANDATORY_AVP("unknown mandatory avp"),
    REFUSED("refused"),
    PPP_CLOSED("ppp closed"),
    TUNNEL_DOWN("tunnel down"),
    /** The transport the tunnel was created through is gone (e.g. its IPsec SAs were deleted). */
    TRANSPORT_DOWN("transport down"),
    SHUTDOWN("shutdown"),
    /** The operator drains the concentrator for maintenance: new calls are refused. */
    DRAINING("draining"),
    /** The operator disconnected the tunnel's last call (admin interface, RADIUS Disconnect-Request). */
    ADMIN_DISCONNECT("admin disconnect");

    private final String text;

    TeardownCause(String text) {
        this.text = text;
    }

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public String text() {
        return text;
    }
}
