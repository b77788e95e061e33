package net.l2sec.dataplane.l2tp;

import java.util.Optional;
import net.l2sec.spi.session.EndCause;

/**
 * What the LNS sends when PPP ends a call for an {@link EndCause}: the Result Code AVP of the CDN (RFC 2661
 * section 4.4.2) and, when the call was the tunnel's last, whether the tunnel is cleared too (StopCCN, general
 * request) and with which {@link TeardownCause}. The one place where a session's end cause becomes L2TP codes.
 *
 * @param clearsIdleTunnel present when the tunnel goes with its last call
 */
record CallDisconnect(CdnResult result, ErrorCode error, Optional<TeardownCause> clearsIdleTunnel) {
    private static final CallDisconnect ADMINISTRATIVE =
            new CallDisconnect(CdnResult.ADMINISTRATIVE, ErrorCode.NO_ERROR, Optional.empty());

    static CallDisconnect of(EndCause cause) {
        return switch (cause) {
            // an operator's disconnect (admin interface, RADIUS Disconnect-Request) ends the client's connection,
            // not just the call: without it the tunnel would idle until the client hangs up or its hellos go
            // unanswered
            case ADMIN_DISCONNECT -> new CallDisconnect(CdnResult.ADMINISTRATIVE, ErrorCode.NO_ERROR,
                    Optional.of(TeardownCause.ADMIN_DISCONNECT));
            // result 3, "call disconnected for administrative reasons": PPP decided, whatever the reason
            case NO_COMMON_AUTH_METHOD, AUTH_FAILED, AUTH_TIMEOUT, NO_POOL, POOL_EXHAUSTED, ADDRESS_IN_USE, LCP_TIMEOUT,
                 IPCP_TIMEOUT, IPCP_CLOSED, ECHO_TIMEOUT, PEER_TERMINATE, IDLE_TIMEOUT, SESSION_TIMEOUT -> ADMINISTRATIVE;
            // IKEv2 sessions' refusals and replacements; a PPP session reports a session limit as AUTH_FAILED
            case SESSION_LIMIT, RULE_SESSION_LIMIT, REPLACED -> ADMINISTRATIVE;
            // the lower layer's own causes: PPP does not close a call for them, it is told of them
            case PEER_REQUEST, RETRANSMIT_LIMIT, HELLO_TIMEOUT, PROTOCOL_ERROR, UNKNOWN_MANDATORY_AVP, TUNNEL_DOWN,
                 TRANSPORT_DOWN, SHUTDOWN -> ADMINISTRATIVE;
        };
    }
}
