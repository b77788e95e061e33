package net.l2sec.dataplane;

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
 */
public record SessionContext(String tag, InetSocketAddress peer, int localTunnelId, int localSessionId, Instant started) {
    public SessionContext {
        if (tag == null || tag.isBlank()) throw new IllegalArgumentException("tag");
        if (peer == null) throw new IllegalArgumentException("peer");
    }

    public static String tagOf(int localTunnelId, int localSessionId) {
        return "t" + localTunnelId + "/s" + localSessionId;
    }
}
