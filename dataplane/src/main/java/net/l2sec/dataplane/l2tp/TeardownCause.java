package net.l2sec.dataplane.l2tp;

import net.l2sec.spi.session.EndCause;

/**
 * Why a tunnel or session ended or failed: {@link #tag()} is the {@code cause}/{@code reason} tag of the
 * {@code l2sec.l2tp.*.closed} and {@code *.failed} counters, {@link #text()} the log wording, and
 * {@link #endCause()} what PPP is told when its call goes away for this reason (the one place an L2TP teardown
 * becomes a session's {@link EndCause}).
 */
public enum TeardownCause {
    PEER_REQUEST("peer request", EndCause.PEER_REQUEST),
    RETRANSMIT_LIMIT("retransmit limit", EndCause.RETRANSMIT_LIMIT),
    HELLO_TIMEOUT("hello timeout", EndCause.HELLO_TIMEOUT),
    /** Only before the tunnel is established, when it carries no call. */
    AUTH_FAILED("tunnel authentication failed", EndCause.TUNNEL_DOWN),
    /** A call or tunnel refused: every Session ID or Tunnel ID is in use. Never an established call's end. */
    NO_RESOURCES("no resources", EndCause.TUNNEL_DOWN),
    /** A tunnel refused: {@code l2tp.max-tunnels} tunnels are held, closing ones included. */
    TUNNEL_LIMIT("tunnel limit", EndCause.TUNNEL_DOWN),
    /** A tunnel refused: the peer (transport, address and port) holds {@code l2tp.max-tunnels-per-peer} already. */
    PEER_TUNNEL_LIMIT("peer tunnel limit", EndCause.TUNNEL_DOWN),
    /** A call refused: its tunnel carries {@code l2tp.max-sessions-per-tunnel} already. */
    SESSION_LIMIT("session limit", EndCause.TUNNEL_DOWN),
    /** A call cleared: no ICCN within {@code l2tp.connect-timeout} of its ICRQ. Never an established call's end. */
    CONNECT_TIMEOUT("connect timeout", EndCause.TUNNEL_DOWN),
    /**
     * A tunnel cleared: more than {@code l2tp.max-send-queue} of our control messages waited for the peer's
     * acknowledgements (a peer that asks for more while acknowledging nothing).
     */
    SEND_QUEUE_FULL("send queue full", EndCause.TUNNEL_DOWN),
    PROTOCOL_ERROR("protocol error", EndCause.PROTOCOL_ERROR),
    UNKNOWN_MANDATORY_AVP("unknown mandatory avp", EndCause.UNKNOWN_MANDATORY_AVP),
    /** An outgoing call refused; never an established call's end. */
    REFUSED("refused", EndCause.TUNNEL_DOWN),
    /** PPP ended the call itself; never reported back to PPP. */
    PPP_CLOSED("ppp closed", EndCause.TUNNEL_DOWN),
    /** A call's end because its tunnel ended (the tunnel's own cause is what PPP is told). */
    TUNNEL_DOWN("tunnel down", EndCause.TUNNEL_DOWN),
    /** The transport the tunnel was created through is gone (e.g. its IPsec SAs were deleted). */
    TRANSPORT_DOWN("transport down", EndCause.TRANSPORT_DOWN),
    SHUTDOWN("shutdown", EndCause.SHUTDOWN),
    /** The operator drains the concentrator for maintenance: new calls are refused. */
    DRAINING("draining", EndCause.TUNNEL_DOWN),
    /** The operator disconnected the tunnel's last call (admin interface, RADIUS Disconnect-Request). */
    ADMIN_DISCONNECT("admin disconnect", EndCause.ADMIN_DISCONNECT);

    private final String text;
    private final EndCause endCause;

    TeardownCause(String text, EndCause endCause) {
        this.text = text;
        this.endCause = endCause;
    }

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public String text() {
        return text;
    }

    /** What PPP's {@code lowerLayerDown} is given when an established call ends for this reason. */
    public EndCause endCause() {
        return endCause;
    }
}
