package net.l2sec.spi.session;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Who a PPP session belongs to: the identity an operator follows through the logs and that accounting reports.
 *
 * @param tag             short id that ties every log line of the session together, e.g. {@code t4821/s17}
 * @param peer            the client's public address and port as seen on the outer UDP packet (NAT included)
 * @param localTunnelId   our L2TP Tunnel ID (RFC 2661 section 3.1)
 * @param localSessionId  our L2TP Session ID
 * @param started         when the L2TP session was established (ICCN received)
 * @param client          what the client said about itself so far (L2TP Host and Vendor Name, IKE vendor IDs)
 */
public record SessionContext(String tag, InetSocketAddress peer, int localTunnelId, int localSessionId, Instant started,
                             ClientIdentity client) {
    public SessionContext {
        if (tag == null || tag.isBlank()) throw new IllegalArgumentException("tag");
        if (peer == null) throw new IllegalArgumentException("peer");
        if (client == null) client = ClientIdentity.NONE;
    }

    /** A client that said nothing about itself. */
    public SessionContext(String tag, InetSocketAddress peer, int localTunnelId, int localSessionId, Instant started) {
        this(tag, peer, localTunnelId, localSessionId, started, ClientIdentity.NONE);
    }

    public SessionContext withClient(ClientIdentity identity) {
        return new SessionContext(tag, peer, localTunnelId, localSessionId, started, identity);
    }

    /**
     * RFC 2866 section 5.5 Acct-Session-Id: unique across restarts (start second, tunnel and session IDs), the
     * same in the Access-Request, every accounting record and the admin view.
     */
    public String acctSessionId() {
        return String.format("%08X-%04X%04X", started.getEpochSecond() & 0xffffffffL, localTunnelId, localSessionId);
    }

    /** NAS-Port (RFC 2865 section 5.5): our tunnel ID in the high 16 bits, our session ID in the low 16. */
    public long nasPort() {
        return ((long) localTunnelId << 16) | localSessionId;
    }

    /** The tunnel ID of every IKEv2 session's context (L2TP's are never 0). */
    public static final int IKEV2_TUNNEL_ID = 0;

    /**
     * The context of an IKEv2 client's session (no L2TP): tunnel ID 0, which L2TP never uses (RFC 2661 section 3.1
     * reserves it), marks it, and {@code sessionId} (1 to 65535, a per-process counter) stands in for the L2TP
     * session ID in the Acct-Session-Id and the NAS-Port, so the ids stay unique the way L2TP sessions' are.
     *
     * @param tag the IKE SA's log tag, so that session and IKE lines correlate
     */
    public static SessionContext ikev2(String tag, InetSocketAddress peer, int sessionId, Instant started,
                                       ClientIdentity client) {
        if (sessionId < 1 || sessionId > 0xffff) throw new IllegalArgumentException("session id " + sessionId);
        return new SessionContext(tag, peer, IKEV2_TUNNEL_ID, sessionId, started, client);
    }

    /** What carries the session: tunnel ID 0 marks an IKEv2 session ({@link #ikev2}). */
    public SessionProtocol protocol() {
        return localTunnelId == IKEV2_TUNNEL_ID ? SessionProtocol.IKEV2 : SessionProtocol.L2TP;
    }

    public static String tagOf(int localTunnelId, int localSessionId) {
        return "t" + localTunnelId + "/s" + localSessionId;
    }
}
