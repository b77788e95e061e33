package net.l2sec.dataplane.auth;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an accepted user gets. Empty fields fall back to the concentrator's defaults.
 *
 * @param rule           name of the policy rule that decided (appears in the session log line)
 * @param pool           address pool name
 * @param dns            DNS servers to offer in IPCP (RFC 1877)
 * @param sessionTimeout maximum session duration
 * @param idleTimeout    idle time after which the session ends
 */
public record Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                            Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
    public Authorization {
        dns = List.copyOf(dns);
    }

    /** Accept with every default. */
    public static Authorization defaults(String rule) {
        return new Authorization(rule, Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }
}
