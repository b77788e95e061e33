package net.l2sec.aaa.policy;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.RateLimit;

/**
 * One authorization rule (config {@code aaa.policy.rules[]}).
 *
 * @param name           appears in the session log line and the {@code rule} metric label
 * @param groups         the rule matches a user in any of these groups; empty matches everyone. A group is a full
 *                       DN (compared case-insensitively) or a plain name compared with the value of a DN's first
 *                       RDN (its CN) and with plain group names (RADIUS Filter-Id or a configured attribute)
 * @param allow          allow or deny
 * @param pool           address pool for allowed users (RADIUS Framed-Pool / Framed-IP-Address take precedence)
 * @param dns            DNS servers offered (empty: the ppp.dns default)
 * @param sessionTimeout maximum session time (RADIUS Session-Timeout takes precedence)
 * @param idleTimeout    idle time limit (RADIUS Idle-Timeout takes precedence)
 * @param maxSessions    concurrent established sessions allowed per user
 * @param routes         split tunnelling: the networks its users reach through the tunnel, answered to DHCPINFORM
 *                       (RADIUS Framed-Route takes precedence)
 * @param domain         the DNS domain answered to DHCPINFORM (option 15)
 * @param maxSessionsTotal sessions the rule may hold at once, all its users together (a licence-like cap)
 * @param rateLimit      each session's bandwidth limit (RADIUS WISPr-Bandwidth-Max-Down/Up take precedence)
 */
public record PolicyRule(String name, List<String> groups, boolean allow, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout, OptionalInt maxSessions,
                         List<Ipv4Route> routes, Optional<String> domain, OptionalInt maxSessionsTotal,
                         Optional<RateLimit> rateLimit) {
    public PolicyRule {
        groups = List.copyOf(groups);
        dns = List.copyOf(dns);
        routes = List.copyOf(routes);
    }

    /** Without routes, domain or total cap. */
    public PolicyRule(String name, List<String> groups, boolean allow, Optional<String> pool, List<Inet4Address> dns,
                      Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout, OptionalInt maxSessions) {
        this(name, groups, allow, pool, dns, sessionTimeout, idleTimeout, maxSessions, List.of(), Optional.empty(),
                OptionalInt.empty(), Optional.empty());
    }

    public static PolicyRule allowAll(String name) {
        return new PolicyRule(name, List.of(), true, Optional.empty(), List.of(), Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    public static PolicyRule denyAll(String name) {
        return new PolicyRule(name, List.of(), false, Optional.empty(), List.of(), Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    /** Whether a user in {@code userGroups} matches. */
    public boolean matches(Set<String> userGroups) {
        if (groups.isEmpty()) return true;
        for (String wanted : groups) {
            for (String has : userGroups) {
                if (sameGroup(wanted, has)) return true;
            }
        }
        return false;
    }

    static boolean sameGroup(String wanted, String has) {
        if (wanted.equalsIgnoreCase(has)) return true;
        if (wanted.contains("=")) return normalizeDn(wanted).equals(normalizeDn(has));
        return wanted.equalsIgnoreCase(firstRdnValue(has));
    }

    /** "CN=VPN Users,OU=Groups,DC=corp" gives "VPN Users"; a plain name is returned as is. */
    static String firstRdnValue(String dn) {
        int eq = dn.indexOf('=');
        if (eq < 0) return dn;
        StringBuilder value = new StringBuilder();
        for (int i = eq + 1; i < dn.length(); i++) {
            char c = dn.charAt(i);
            if (c == '\\' && i + 1 < dn.length()) {
                value.append(dn.charAt(++i));
            } else if (c == ',' || c == '+') {
                break;
            } else {
                value.append(c);
            }
        }
        return value.toString().trim();
    }

    private static String normalizeDn(String dn) {
        return dn.replaceAll("\\s*,\\s*", ",").replaceAll("\\s*=\\s*", "=").toLowerCase(Locale.ROOT);
    }
}
