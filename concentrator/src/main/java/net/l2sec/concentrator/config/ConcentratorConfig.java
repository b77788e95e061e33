package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.ppp.PppSettings;

/**
 * A validated configuration: everything the concentrator needs to start, already checked.
 *
 * @param source       the file it came from
 * @param l2tpListen   UDP address for L2TP (1701)
 * @param requireIpsec accept L2TP only inside IPsec; false allows plain L2TP (lab use, logged loudly)
 * @param l2tp         L2TP behaviour
 * @param ppp          PPP behaviour
 * @param tun          the TUN device client traffic leaves through
 * @param pools        client address pools
 * @param aaa          authentication backends
 * @param metrics      Prometheus endpoint
 * @param ipsec        IKEv1 + ESP
 * @param admin        the session administration interface
 */
public record ConcentratorConfig(Path source, InetSocketAddress l2tpListen, boolean requireIpsec, L2tpSettings l2tp,
                                 PppSettings ppp, Tun tun, List<Pool> pools, AaaConfig aaa, Metrics metrics, Ipsec ipsec,
                                 Logging logging, Admin admin) {

    /**
     * IKEv1 + ESP. Algorithm names are strongSwan-style ({@code aes256}, {@code sha1}, {@code modp2048},
     * {@code aes128gcm16}); legacy ones are accepted only with their {@code legacy} switch.
     */
    public record Ipsec(InetSocketAddress ikeListen, InetSocketAddress nattListen, java.util.Optional<byte[]> psk,
                        java.util.Optional<String> localId,
                        List<String> ikeEncryption, List<String> ikeIntegrity, List<String> ikeGroups,
                        java.time.Duration ikeLifetimeMax, List<String> espEncryption, List<String> espIntegrity,
                        java.time.Duration espLifetimeMax, int replayWindow, boolean legacyModp1024, boolean legacy3des,
                        java.time.Duration dpdDelay, int dpdMaxFailures, boolean aggressiveMode, int halfOpenLimit,
                        int newPerSourcePerSecond,
                        java.util.Optional<net.l2sec.dataplane.ike.auth.CertificateAuth> certificates,
                        net.l2sec.dataplane.ike.IkeSettings.Fragmentation fragmentation) {
        @Override
        public String toString() {
            return "Ipsec[ike=" + ikeListen + " natt=" + nattListen + " psk=" + (psk.isPresent() ? "<set>" : "<none>")
                    + " certificates=" + certificates.map(c -> c.certificate().getSubjectX500Principal().getName()).orElse("<none>") + "]";
        }
    }

    /** The TUN device: its address is the concentrator's tunnel-side address (the client's PPP peer). */
    public record Tun(String name, Inet4Address address, int prefixLength, int mtu) {}

    /** A client address pool, first..last inclusive. */
    public record Pool(String name, Inet4Address first, Inet4Address last) {}

    /** Log levels: {@code level} for everything, DEBUG for the loggers (package or class names) in {@code debug}. */
    public record Logging(String level, List<String> debug) {}

    /**
     * The admin interface (HTTP + JSON on loopback, bearer token). {@code listen} null means disabled.
     *
     * @param listen    loopback address and port
     * @param token     the bearer token clients must present (from {@code token-file})
     * @param tokenFile where the token came from, for the command-line client; null when disabled
     */
    public record Admin(InetSocketAddress listen, byte[] token, Path tokenFile) {
        public static final Admin DISABLED = new Admin(null, null, null);

        public boolean enabled() {
            return listen != null;
        }

        @Override
        public String toString() {
            return "Admin[listen=" + listen + " token=" + (token != null ? "<set>" : "<none>") + " tokenFile=" + tokenFile + "]";
        }
    }

    /** Prometheus exposition; {@code listen} null means disabled. */
    public record Metrics(InetSocketAddress listen) {}
}
