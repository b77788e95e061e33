package net.l2sec.spi.auth;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What an accepted user gets. Empty fields fall back to the concentrator's defaults.
 *
 * @param rule           name of the policy rule that decided (appears in the session log line)
 * @param pool           address pool name
 * @param dns            DNS servers to offer in IPCP (RFC 1877)
 * @param sessionTimeout maximum session duration
 * @param idleTimeout    idle time after which the session ends
 * @param address        a fixed client address (RADIUS Framed-IP-Address), taken from its pool when it lies in one
 * @param classes        RADIUS Class attribute values (RFC 2865 section 5.25), echoed unchanged in accounting
 * @param groups         the groups the backend and directory put the user in (what the policy matched on)
 * @param filterId       RADIUS Filter-Id, reported in the session log line and accounting
 * @param maxSessions    sessions the user may hold at once (a policy rule's {@code max-sessions}, RADIUS Port-Limit):
 *                       the dataplane counts a session from its authentication to its end and refuses one more
 *                       ({@link RejectReason#SESSION_LIMIT}) in the same step that counts it, so parallel logins
 *                       cannot exceed it; empty for no limit
 * @param routes         split tunnelling: the networks the client reaches through the tunnel (a rule's {@code routes},
 *                       RADIUS Framed-Route), answered to a DHCPINFORM as classless static routes (RFC 3442)
 * @param domain         the DNS domain name answered to a DHCPINFORM (DHCP option 15, RFC 2132 section 3.17)
 * @param maxSessionsTotal sessions the rule that admitted the user may hold at once, all users together (a rule's
 *                       {@code max-sessions-total}): counted and refused like {@code maxSessions}; empty for no cap
 * @param rateLimit      the session's bandwidth limit (a rule's {@code rate-limit}, RADIUS WISPr-Bandwidth-Max-Down/Up)
 * @param ipv6           IPv6 the backend assigned (RADIUS Framed-IPv6-Prefix, Framed-Interface-Id,
 *                       Delegated-IPv6-Prefix); {@link Ipv6Framing#none()} for the concentrator's pool
 */
public record Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                            Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout,
                            Optional<Inet4Address> address, List<byte[]> classes, Set<String> groups,
                            Optional<String> filterId, OptionalInt maxSessions, List<Ipv4Route> routes,
                            Optional<String> domain, OptionalInt maxSessionsTotal, Optional<RateLimit> rateLimit,
                            Ipv6Framing ipv6) {
    public Authorization {
        dns = List.copyOf(dns);
        classes = classes.stream().map(byte[]::clone).toList();
        groups = Set.copyOf(groups);
        routes = List.copyOf(routes);
        if (maxSessions.isPresent() && maxSessions.getAsInt() < 1) throw new IllegalArgumentException("maxSessions");
        if (maxSessionsTotal.isPresent() && maxSessionsTotal.getAsInt() < 1) throw new IllegalArgumentException("maxSessionsTotal");
    }

    /** Without routes, domain or per-rule cap. */
    public Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout,
                         Optional<Inet4Address> address, List<byte[]> classes, Set<String> groups,
                         Optional<String> filterId, OptionalInt maxSessions) {
        this(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId, maxSessions, List.of(),
                Optional.empty(), OptionalInt.empty());
    }

    /** Without a rate limit. */
    public Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout,
                         Optional<Inet4Address> address, List<byte[]> classes, Set<String> groups,
                         Optional<String> filterId, OptionalInt maxSessions, List<Ipv4Route> routes,
                         Optional<String> domain, OptionalInt maxSessionsTotal) {
        this(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId, maxSessions, routes,
                domain, maxSessionsTotal, Optional.empty());
    }

    /** Without IPv6 assignments. */
    public Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout,
                         Optional<Inet4Address> address, List<byte[]> classes, Set<String> groups,
                         Optional<String> filterId, OptionalInt maxSessions, List<Ipv4Route> routes,
                         Optional<String> domain, OptionalInt maxSessionsTotal, Optional<RateLimit> rateLimit) {
        this(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId, maxSessions, routes,
                domain, maxSessionsTotal, rateLimit, Ipv6Framing.none());
    }

    /** With IPv6 assignments, without routes, domain, per-rule cap or rate limit. */
    public Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout,
                         Optional<Inet4Address> address, List<byte[]> classes, Set<String> groups,
                         Optional<String> filterId, OptionalInt maxSessions, Ipv6Framing ipv6) {
        this(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId, maxSessions, List.of(),
                Optional.empty(), OptionalInt.empty(), Optional.empty(), ipv6);
    }

    /** Without a session limit. */
    public Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout,
                         Optional<Inet4Address> address, List<byte[]> classes, Set<String> groups,
                         Optional<String> filterId) {
        this(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId, OptionalInt.empty());
    }

    /** Without address, classes, groups or filter. */
    public Authorization(String rule, Optional<String> pool, List<Inet4Address> dns,
                         Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout) {
        this(rule, pool, dns, sessionTimeout, idleTimeout, Optional.empty(), List.of(), Set.of(), Optional.empty());
    }

    /** Accept with every default. */
    public static Authorization defaults(String rule) {
        return new Authorization(rule, Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }

    @Override
    public List<byte[]> classes() {
        return classes.stream().map(byte[]::clone).toList();
    }

    public Authorization withRule(String newRule) {
        return new Authorization(newRule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId,
                maxSessions, routes, domain, maxSessionsTotal, rateLimit, ipv6);
    }

    public Authorization withMaxSessions(OptionalInt limit) {
        return new Authorization(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId, limit,
                routes, domain, maxSessionsTotal, rateLimit, ipv6);
    }

    public Authorization withRoutes(List<Ipv4Route> newRoutes) {
        return new Authorization(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId,
                maxSessions, newRoutes, domain, maxSessionsTotal, rateLimit, ipv6);
    }

    public Authorization withDomain(Optional<String> newDomain) {
        return new Authorization(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId,
                maxSessions, routes, newDomain, maxSessionsTotal, rateLimit, ipv6);
    }

    public Authorization withRateLimit(Optional<RateLimit> limit) {
        return new Authorization(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId,
                maxSessions, routes, domain, maxSessionsTotal, limit, ipv6);
    }

    public Authorization withMaxSessionsTotal(OptionalInt cap) {
        return new Authorization(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId,
                maxSessions, routes, domain, cap, rateLimit, ipv6);
    }

    public Authorization withIpv6(Ipv6Framing next) {
        return new Authorization(rule, pool, dns, sessionTimeout, idleTimeout, address, classes, groups, filterId,
                maxSessions, routes, domain, maxSessionsTotal, rateLimit, next);
    }

    @Override
    public String toString() {
        return "Authorization[rule=" + rule + ", pool=" + pool.orElse("-") + ", address=" + address.map(Inet4Address::getHostAddress).orElse("-")
                + ", groups=" + groups + ", classes=" + classes.size()
                + (maxSessions.isPresent() ? ", maxSessions=" + maxSessions.getAsInt() : "")
                + (routes.isEmpty() ? "" : ", routes=" + routes) + domain.map(d -> ", domain=" + d).orElse("")
                + (maxSessionsTotal.isPresent() ? ", maxSessionsTotal=" + maxSessionsTotal.getAsInt() : "")
                + rateLimit.map(r -> ", rateLimit=" + r).orElse("") + (ipv6.isEmpty() ? "" : ", ipv6=" + ipv6) + "]";
    }
}
