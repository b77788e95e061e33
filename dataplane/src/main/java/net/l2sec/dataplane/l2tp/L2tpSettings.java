package net.l2sec.dataplane.l2tp;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * LNS behaviour knobs (config section {@code l2tp}).
 *
 * @param hostName             our Host Name AVP (RFC 2661 section 4.4.3)
 * @param receiveWindow        our Receive Window Size AVP: control messages we buffer out of order
 * @param retransmitInitial    first control-message retransmission timeout (doubles per retry)
 * @param retransmitMax        cap on the retransmission timeout
 * @param retransmitRetries    retransmissions before the tunnel is declared dead (RFC 2661 section 5.8)
 * @param helloInterval        idle time after which we send HELLO (RFC 2661 section 6.5)
 * @param tunnelSecret         shared secret for tunnel authentication and hidden AVPs (RFC 2661 sections 4.3, 5.1.1)
 * @param maxTunnels           tunnels accepted at once (further SCCRQ are answered with StopCCN)
 * @param maxSessionsPerTunnel sessions accepted per tunnel (further ICRQ are answered with CDN)
 */
public record L2tpSettings(String hostName, int receiveWindow, Duration retransmitInitial, Duration retransmitMax,
                           int retransmitRetries, Duration helloInterval, Optional<byte[]> tunnelSecret,
                           int maxTunnels, int maxSessionsPerTunnel) {

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
                && maxTunnels == s.maxTunnels && maxSessionsPerTunnel == s.maxSessionsPerTunnel;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, receiveWindow, retransmitInitial, retransmitMax, retransmitRetries, helloInterval,
                Arrays.hashCode(tunnelSecret.orElse(null)), maxTunnels, maxSessionsPerTunnel);
    }

    @Override
    public String toString() {
        return "L2tpSettings[hostName=" + hostName + ", receiveWindow=" + receiveWindow + ", retransmitInitial="
                + retransmitInitial + ", retransmitMax=" + retransmitMax + ", retransmitRetries=" + retransmitRetries
                + ", helloInterval=" + helloInterval + ", tunnelSecret=" + (tunnelSecret.isPresent() ? "<set>" : "<none>")
                + ", maxTunnels=" + maxTunnels + ", maxSessionsPerTunnel=" + maxSessionsPerTunnel + "]";
    }
}
