package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ip.nd.RouterPreference;
import net.l2sec.dataplane.ppp.PppSettings;
import net.l2sec.spi.auth.AuthMethod;

/** Reads the {@code ppp} section; its defaults are stated here and documented in conf/concentrator.yaml. */
final class PppConfigReader {
    /**
     * Offered in this order (LCP's preference) when {@code ppp.auth-methods} is not set: every method but EAP-MD5,
     * as conf/concentrator.yaml documents. PAP is among them because a directory that verifies PAP only (an LDAP
     * bind) must be usable without listing methods, and L2TP runs only inside IPsec unless
     * {@code l2tp.require-ipsec} is turned off, so its cleartext password never crosses the network in clear.
     */
    static final List<String> DEFAULT_AUTH_METHODS = List.of("mschapv2", "eap-mschapv2", "chap", "pap");

    private PppConfigReader() {}

    /**
     * @param addressing the tunnel-side address (our IPCP address) and the pools, the first of which is the
     *                   default pool unless {@code ppp.pool} names another
     */
    static PppSettings read(ConfigNode ppp, TunnelInterfaceConfigReader.TunAndPools addressing) {
        List<AuthMethod> methods = new ArrayList<>();
        for (String m : ppp.stringList("auth-methods", DEFAULT_AUTH_METHODS)) {
            Optional<AuthMethod> am = AuthMethod.fromConfigName(m);
            if (am.isEmpty() || !am.get().ppp()) ppp.problem("auth-methods", "unknown method \"" + m + "\" (pap, chap, mschapv2, eap-mschapv2, eap-md5)");
            else if (methods.contains(am.get())) ppp.problem("auth-methods", "\"" + m + "\" is listed twice");
            else methods.add(am.get());
        }
        if (methods.isEmpty()) {
            ppp.problem("auth-methods", "at least one method is required");
            methods.add(AuthMethod.MSCHAPV2);
        }
        List<String> poolNames = addressing.poolNames();
        String pool = ppp.string("pool", poolNames.isEmpty() ? "" : poolNames.getFirst());
        if (!poolNames.isEmpty() && !poolNames.contains(pool)) ppp.problem("pool", "no pool named \"" + pool + "\" in pools");
        List<Inet4Address> dns = ppp.ipv4List("dns", 2);
        List<Inet4Address> wins = ppp.ipv4List("wins", 2);
        return new PppSettings(
                methods,
                ppp.integer("mru", 1400, 576, 1500),
                addressing.tun().address(),
                dns.size() > 2 ? dns.subList(0, 2) : dns,
                wins.size() > 2 ? wins.subList(0, 2) : wins,
                pool,
                ppp.duration("echo-interval", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(10)),
                ppp.integer("echo-failures", 4, 1, 100),
                ppp.duration("restart-timer", Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofSeconds(30)),
                ppp.integer("max-configure", 10, 1, 100),
                ppp.integer("max-terminate", 2, 1, 100),
                ppp.integer("max-failure", 5, 1, 100),
                ppp.duration("auth-timeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(5)),
                throttle(ppp.section("auth-throttle")),
                mssClamp(ppp, addressing.tun().mtu()),
                addressing.tun().prefixLength(),
                ipv6(ppp, addressing));
    }

    /** {@code ppp.mss-clamp}: auto (the default), off, or an MSS of 536..1460 (RFC 9293 3.7.1: 536 is IPv4's least). */
    private static PppSettings.MssClamp mssClamp(ConfigNode ppp, int tunnelMtu) {
        String v = ppp.string("mss-clamp", "auto").strip().toLowerCase(java.util.Locale.ROOT);
        switch (v) {
            case "auto" -> {
                return PppSettings.MssClamp.auto(tunnelMtu);
            }
            case "off" -> {
                return PppSettings.MssClamp.off();
            }
            default -> {
                try {
                    int mss = Integer.parseInt(v);
                    if (mss >= 536 && mss <= 1460) return PppSettings.MssClamp.fixed(mss);
                } catch (NumberFormatException e) {
                    // the problem below
                }
                ppp.problem("mss-clamp", "must be auto, off or an MSS of 536..1460, got \"" + v + "\"");
                return PppSettings.MssClamp.auto(tunnelMtu);
            }
        }
    }

    /**
     * {@code ppp.pool6}, {@code ppp.dns6}, {@code ppp.router-advertisement-interval}, {@code ppp.router-preference}:
     * IPv6 is on when pools6 has a pool.
     */
    private static PppSettings.Ipv6 ipv6(ConfigNode ppp, TunnelInterfaceConfigReader.TunAndPools addressing) {
        List<String> names = addressing.pool6Names();
        String pool6 = ppp.string("pool6", names.isEmpty() ? "" : names.getFirst());
        if (!pool6.isEmpty() && !names.contains(pool6)) ppp.problem("pool6", "no IPv6 pool named \"" + pool6 + "\" in pools6");
        List<java.net.Inet6Address> dns6 = ppp.ipv6List("dns6", 3);
        Duration interval = ppp.duration("router-advertisement-interval", Duration.ofSeconds(600), Duration.ofSeconds(4),
                Duration.ofSeconds(1800));
        String preference = ppp.string("router-preference", "high");
        Optional<RouterPreference> prf = RouterPreference.of(preference);
        if (prf.isEmpty()) ppp.problem("router-preference", "must be high, medium or low (RFC 4191), got \"" + preference + "\"");
        return new PppSettings.Ipv6(pool6.isEmpty() || !names.contains(pool6) ? Optional.empty() : Optional.of(pool6),
                dns6.size() > 3 ? dns6.subList(0, 3) : dns6, interval, prf.orElse(RouterPreference.HIGH));
    }

    /** {@code ppp.auth-throttle}: its defaults are {@link PppSettings.Throttle#defaults()}. */
    private static PppSettings.Throttle throttle(ConfigNode t) {
        PppSettings.Throttle d = PppSettings.Throttle.defaults();
        return new PppSettings.Throttle(
                t.duration("window", d.window(), Duration.ofSeconds(1), Duration.ofDays(1)),
                t.integer("tunnel-failures", d.tunnelFailures(), 1, 1000),
                t.integer("user-failures", d.userFailures(), 1, 1000),
                t.duration("hold-down", d.holdDown(), Duration.ZERO, Duration.ofDays(1)));
    }
}
