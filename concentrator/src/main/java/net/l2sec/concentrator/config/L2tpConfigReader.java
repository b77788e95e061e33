package net.l2sec.concentrator.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import net.l2sec.dataplane.l2tp.L2tpSettings;

/**
 * Reads the {@code l2tp} section. The LNS defaults are {@link L2tpSettings#defaults()}; the listener's are stated
 * here. conf/concentrator.yaml documents them all.
 */
final class L2tpConfigReader {
    private L2tpConfigReader() {}

    /** @param hostName {@code server.name}, our Host Name AVP */
    static ConcentratorConfig.L2tp read(ConfigNode l2tp, String hostName) {
        InetSocketAddress listen = l2tp.socketAddress("listen", new InetSocketAddress("0.0.0.0", 1701));
        boolean requireIpsec = l2tp.bool("require-ipsec", true);
        L2tpSettings d = L2tpSettings.defaults();
        ConfigNode rtx = l2tp.section("retransmit");
        Duration initial = rtx.duration("initial", d.retransmitInitial(), Duration.ofMillis(100), Duration.ofSeconds(10));
        Duration max = rtx.duration("max", d.retransmitMax(), Duration.ofMillis(100), Duration.ofSeconds(60));
        if (max.compareTo(initial) < 0) rtx.problem("max", "must not be shorter than l2tp.retransmit.initial");
        L2tpSettings settings = new L2tpSettings(
                hostName,
                l2tp.integer("receive-window", d.receiveWindow(), 1, 256),
                initial, max,
                rtx.integer("retries", d.retransmitRetries(), 1, 20),
                l2tp.duration("hello-interval", d.helloInterval(), Duration.ofSeconds(5), Duration.ofHours(1)),
                l2tp.secret("tunnel-secret"),
                l2tp.integer("max-tunnels", d.maxTunnels(), 1, 65535),
                l2tp.integer("max-sessions-per-tunnel", d.maxSessionsPerTunnel(), 1, 65535),
                l2tp.integer("max-tunnels-per-peer", d.maxTunnelsPerPeer(), 1, 65535),
                l2tp.duration("connect-timeout", d.connectTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(10)),
                l2tp.integer("max-send-window", d.maxSendWindow(), 1, 256),
                l2tp.integer("max-send-queue", d.maxSendQueue(), 1, 4096));
        return new ConcentratorConfig.L2tp(listen, requireIpsec, settings);
    }
}
