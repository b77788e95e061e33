package net.l2sec.dataplane.l2tp;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * LNS behaviour knobs (config section {@code l2tp}). The limits bound what one peer can make us hold and do:
 * every refusal they cause is counted with its {@link TeardownCause}.
 *
 * @param hostName             our Host Name AVP (RFC 2661 section 4.4.3)
 * @param receiveWindow        our Receive Window Size AVP: control messages we buffer out of order
 * @param retransmitInitial    first control-message retransmission timeout (doubles per retry)
 * @param retransmitMax        cap on the retransmission timeout
 * @param retransmitRetries    retransmissions before the tunnel is declared dead (RFC 2661 section 5.8)
 * @param helloInterval        idle time after which we send HELLO (RFC 2661 section 6.5)
 * @param tunnelSecret         shared secret for tunnel authentication and hidden AVPs (RFC 2661 sections 4.3, 5.1.1)
 * @param maxTunnels           tunnels held at once, closing ones included (further SCCRQ are answered with StopCCN)
 * @param maxSessionsPerTunnel sessions accepted per tunnel (further ICRQ are answered with CDN)
 * @param maxTunnelsPerPeer    tunnels held at once for one peer: one transport (an IPsec peer's SAs, or the plain
 *                             UDP socket) and one outer address and port; closing ones included
 * @param connectTimeout       time from ICRQ to ICCN; a call not connected by then is cleared with CDN
 * @param maxSendWindow        most control messages we leave unacknowledged, whatever larger Receive Window Size the
 *                             peer announces (RFC 2661 section 5.8 lets a sender use less); bounds every
 *                             retransmission round
 * @param maxSendQueue         control messages waiting for the send window; a peer that lets more pile up (by not
 *                             acknowledging while it asks for more) loses its tunnel
 */
public record L2tpSettings(String hostName, int receiveWindow, Duration retransmitInitial, Duration retransmitMax,
                           int retransmitRetries, Duration helloInterval, Optional<byte[]> tunnelSecret,
                           int maxTunnels, int maxSessionsPerTunnel, int maxTunnelsPerPeer, Duration connectTimeout,
                           int maxSendWindow, int maxSendQueue) {
    public static final int DEFAULT_MAX_TUNNELS_PER_PEER = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_SEND_WINDOW = 8;
    public static final int DEFAULT_MAX_SEND_QUEUE = 64;

    public L2tpSettings {
        if (maxTunnels < 1 || maxSessionsPerTunnel < 1 || maxTunnelsPerPeer < 1 || maxSendWindow < 1 || maxSendQueue < 1) {
            throw new IllegalArgumentException("L2TP limits must be at least 1");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) throw new IllegalArgumentException("connect timeout");
    }

    /** With the per-peer, connect and send-queue limits at their defaults. */
    public L2tpSettings(String hostName, int receiveWindow, Duration retransmitInitial, Duration retransmitMax,
                        int retransmitRetries, Duration helloInterval, Optional<byte[]> tunnelSecret,
                        int maxTunnels, int maxSessionsPerTunnel) {
        this(hostName, receiveWindow, retransmitInitial, retransmitMax, retransmitRetries, helloInterval, tunnelSecret,
                maxTunnels, maxSessionsPerTunnel, DEFAULT_MAX_TUNNELS_PER_PEER, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_MAX_SEND_WINDOW, DEFAULT_MAX_SEND_QUEUE);
    }

    public static L2tpSettings defaults() {
        return new L2tpSettings("l2sec", 16, Duration.ofSeconds(1), Duration.ofSeconds(8), 5, Duration.ofSeconds(60),
                Optional.empty(), 4096, 256);
    }

    /** Equal settings: the tunnel secret compares by its octets, everything else as a record does. */
    @Override
    public boolean equals(Object o) {
        return o instanceof L2tpSettings s && hostName.equals(s.hostName) && receiveWindow == s.receiveWindow
                && retransmitInitial.equals(s.retransmitInitial) && retransmitMax.equals(s.retransmitMax)
                && retransmitRetries == s.retransmitRetries && helloInterval.equals(s.helloInterval)
                && Arrays.equals(tunnelSecret.orElse(null), s.tunnelSecret.orElse(null))
                && maxTunnels == s.maxTunnels && maxSessionsPerTunnel == s.maxSessionsPerTunnel
                && maxTunnelsPerPeer == s.maxTunnelsPerPeer && connectTimeout.equals(s.connectTimeout)
                && maxSendWindow == s.maxSendWindow && maxSendQueue == s.maxSendQueue;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, receiveWindow, retransmitInitial, retransmitMax, retransmitRetries, helloInterval,
                Arrays.hashCode(tunnelSecret.orElse(null)), maxTunnels, maxSessionsPerTunnel, maxTunnelsPerPeer,
                connectTimeout, maxSendWindow, maxSendQueue);
    }

    @Override
    public String toString() {
        return "L2tpSettings[hostName=" + hostName + ", receiveWindow=" + receiveWindow + ", retransmitInitial="
                + retransmitInitial + ", retransmitMax=" + retransmitMax + ", retransmitRetries=" + retransmitRetries
                + ", helloInterval=" + helloInterval + ", tunnelSecret=" + (tunnelSecret.isPresent() ? "<set>" : "<none>")
                + ", maxTunnels=" + maxTunnels + ", maxSessionsPerTunnel=" + maxSessionsPerTunnel
                + ", maxTunnelsPerPeer=" + maxTunnelsPerPeer + ", connectTimeout=" + connectTimeout
                + ", maxSendWindow=" + maxSendWindow + ", maxSendQueue=" + maxSendQueue + "]";
    }
}
