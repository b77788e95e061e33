package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import net.l2sec.aaa.policy.Policy;
import net.l2sec.aaa.policy.PolicyRule;
import net.l2sec.aaa.radius.DynamicAuthorizationClient;
import net.l2sec.aaa.radius.RadiusDictionary;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.RateLimit;

/** Reads and validates the {@code aaa} section (see conf/concentrator.yaml for every key). */
final class AaaConfigReader {
    static final Set<String> BACKENDS = Set.of("local", "radius", "ldap");
    /**
     * Method keys in {@code aaa.methods}: {@code eap} routes both EAP methods; {@code ikev2-psk} and
     * {@code ikev2-certificate} route the IKEv2 clients IKE itself authenticated, whose identity a backend authorizes.
     */
    static final Map<String, List<AuthMethod>> METHOD_KEYS = Map.of(
            "pap", List.of(AuthMethod.PAP), "chap", List.of(AuthMethod.CHAP_MD5), "mschapv2", List.of(AuthMethod.MSCHAPV2),
            "eap", List.of(AuthMethod.EAP_MSCHAPV2, AuthMethod.EAP_MD5),
            "ikev2-psk", List.of(AuthMethod.IKEV2_PSK), "ikev2-certificate", List.of(AuthMethod.IKEV2_CERTIFICATE));

    private AaaConfigReader() {}

    static AaaConfig read(ConfigNode aaa, String serverName, List<String> poolNames) {
        // local users
        Optional<Path> users = Optional.empty();
        if (aaa.has("local")) {
            ConfigNode local = aaa.section("local");
            users = local.path("users-file");
            if (users.isEmpty()) local.problem("users-file", "is required when aaa.local is present");
            else if (!Files.isReadable(users.get())) local.problem("users-file", "cannot read " + users.get());
            else local.requirePrivate("users-file", users.get());
        }
        Optional<AaaConfig.Radius> radius = aaa.has("radius") ? Optional.ofNullable(radius(aaa.section("radius"), serverName)) : Optional.empty();
        Optional<AaaConfig.Ldap> ldap = aaa.has("ldap") ? Optional.ofNullable(ldap(aaa.section("ldap"))) : Optional.empty();

        Set<String> configured = new HashSet<>();
        if (users.isPresent()) configured.add("local");
        if (aaa.has("radius")) configured.add("radius");
        if (aaa.has("ldap")) configured.add("ldap");
        if (configured.isEmpty()) aaa.problem("local", "no authentication backend: configure aaa.local, aaa.radius or aaa.ldap");

        Map<AuthMethod, List<String>> methods = methods(aaa, configured);

        ConfigNode policyNode = aaa.section("policy");
        boolean groupsFromLdap = policyNode.bool("groups-from-ldap", false);
        if (groupsFromLdap && !configured.contains("ldap")) policyNode.problem("groups-from-ldap", "needs aaa.ldap");
        Policy policy = policy(policyNode, poolNames);
        return new AaaConfig(users, radius, ldap, methods, groupsFromLdap, policy);
    }

    /**
     * Default routing: RADIUS for every PPP method when configured, else LDAP for PAP; the local file last as a
     * fallback (break-glass accounts when the servers do not answer, or users only the file knows). The IKEv2 PSK and
     * certificate methods go to the backends that can authorize an identity without its password: LDAP, then the
     * local file (RADIUS cannot: an Access-Request needs a credential).
     */
    private static Map<AuthMethod, List<String>> methods(ConfigNode aaa, Set<String> configured) {
        Map<AuthMethod, List<String>> out = new EnumMap<>(AuthMethod.class);
        for (var e : METHOD_KEYS.entrySet()) {
            boolean identityOnly = identityOnly(e.getKey());
            List<String> dflt = new ArrayList<>();
            if (identityOnly) {
                if (configured.contains("ldap")) dflt.add("ldap");
            } else if (configured.contains("radius")) {
                dflt.add("radius");
            } else if (configured.contains("ldap") && e.getKey().equals("pap")) {
                dflt.add("ldap");
            }
            if (configured.contains("local") && !(e.getKey().equals("eap") && configured.contains("radius"))) dflt.add("local");
            for (AuthMethod m : e.getValue()) out.put(m, dflt);
        }
        if (!aaa.has("methods")) return out;
        ConfigNode methods = aaa.section("methods");
        for (var e : METHOD_KEYS.entrySet()) {
            String k = e.getKey();
            if (!methods.has(k)) continue;
            List<String> list = methods.stringList(k, List.of());
            for (String b : list) {
                if (!BACKENDS.contains(b)) methods.problem(k, "unknown backend \"" + b + "\" (local, radius or ldap)");
                else if (!configured.contains(b)) methods.problem(k, "backend \"" + b + "\" is not configured (aaa." + b + ")");
                else if (b.equals("ldap") && !k.equals("pap") && !identityOnly(k)) {
                    methods.problem(k, "ldap verifies PAP only (an LDAP bind needs the cleartext password); route " + k + " to radius");
                }
            }
            if (identityOnly(k) && !list.isEmpty() && list.stream().allMatch("radius"::equals)) {
                methods.problem(k, "radius cannot authorize IKEv2 PSK or certificate clients (an Access-Request needs a"
                        + " password or EAP to send): list local or ldap");
            }
            if (k.equals("eap") && list.size() > 1 && list.getFirst().equals("radius")) {
                methods.problem(k, "EAP relayed to RADIUS has no fallback: list radius alone, or local alone");
            }
            if (new HashSet<>(list).size() != list.size()) methods.problem(k, "lists a backend twice");
            for (AuthMethod m : e.getValue()) out.put(m, List.copyOf(list));
        }
        return out;
    }

    /** The keys of the IKEv2 methods in which IKE authenticated the client and a backend only authorizes the identity. */
    private static boolean identityOnly(String methodKey) {
        return METHOD_KEYS.get(methodKey).stream().noneMatch(AuthMethod::ppp);
    }

    private static AaaConfig.Radius radius(ConfigNode r, String serverName) {
        List<AaaConfig.RadiusServer> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> serverNodes = r.sections("servers");
        if (serverNodes.isEmpty()) r.problem("servers", "at least one RADIUS server is required");
        for (int i = 0; i < serverNodes.size(); i++) {
            ConfigNode s = serverNodes.get(i);
            InetSocketAddress auth = s.socketAddress("address", null);
            if (auth == null) s.problem("address", "is required, e.g. 10.0.0.5:1812");
            String name = s.string("name", auth != null ? auth.getAddress().getHostAddress() + ":" + auth.getPort() : "server" + i);
            if (!names.add(name)) s.problem("name", "two servers named " + name);
            Optional<InetSocketAddress> acct = Optional.ofNullable(s.socketAddress("accounting-address",
                    auth != null ? new InetSocketAddress(auth.getAddress(), auth.getPort() + 1) : null));
            Optional<byte[]> secret = s.secret("secret");
            if (secret.isEmpty() && !s.has("secret") && !s.has("secret-file")) s.problem("secret-file", "is required (the RADIUS shared secret)");
            secret.ifPresent(b -> {
                if (b.length < 16) s.problem("secret", "at least 16 characters: a short RADIUS secret can be guessed offline");
            });
            boolean requireMa = s.bool("require-message-authenticator", true);
            if (auth != null && secret.isPresent()) servers.add(new AaaConfig.RadiusServer(name, auth, acct, secret.get(), requireMa));
        }
        Duration timeout = r.duration("timeout", Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(30));
        int retries = r.integer("retries", 2, 0, 10);
        Duration deadTime = r.duration("dead-time", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1));
        String nasId = r.string("nas-identifier", serverName);
        Optional<Inet4Address> nasIp = r.ipv4("nas-ip-address");
        List<String> groupAttributes = r.stringList("group-attributes", List.of("Filter-Id"));
        for (String a : groupAttributes) {
            if (RadiusDictionary.get().getAttributeTemplate(a).isEmpty()) {
                r.problem("group-attributes", "unknown RADIUS attribute \"" + a + "\" (e.g. Filter-Id, Class)");
            }
        }

        ConfigNode a = r.section("accounting");
        boolean acctEnabled = a.bool("enabled", true);
        Duration interim = a.duration("interim-interval", Duration.ofMinutes(10), Duration.ZERO, Duration.ofDays(1));
        if (!interim.isZero() && interim.compareTo(Duration.ofSeconds(60)) < 0) {
            a.problem("interim-interval", "at least 60s (RFC 2869 section 2.1), or 0s to send no Interim-Update");
        }
        Path spool = a.path("spool-dir").orElse(Path.of("/var/spool/l2sec/accounting"));

        Optional<AaaConfig.DynamicAuthorization> dyn = Optional.empty();
        if (r.has("dynamic-authorization")) {
            ConfigNode d = r.section("dynamic-authorization");
            InetSocketAddress listen = d.socketAddress("listen", new InetSocketAddress("0.0.0.0", 3799));
            List<AaaConfig.DynamicAuthorizationClient> clients = new ArrayList<>();
            List<ConfigNode> clientNodes = d.sections("clients");
            if (clientNodes.isEmpty()) d.problem("clients", "list the RADIUS servers allowed to send Disconnect/CoA");
            for (ConfigNode c : clientNodes) {
                Optional<Inet4Address> addr = c.ipv4("address");
                if (addr.isEmpty()) c.problem("address", "is required (an IPv4 address)");
                Optional<byte[]> secret = c.secret("secret");
                if (secret.isEmpty() && !c.has("secret") && !c.has("secret-file")) c.problem("secret-file", "is required");
                secret.filter(b -> b.length < DynamicAuthorizationClient.MIN_SECRET_LENGTH).ifPresent(b -> c.problem(
                        c.has("secret-file") ? "secret-file" : "secret", "at least " + DynamicAuthorizationClient.MIN_SECRET_LENGTH
                                + " characters: whoever guesses it can disconnect every session"));
                if (addr.isPresent() && secret.isPresent()) clients.add(new AaaConfig.DynamicAuthorizationClient(addr.get(), secret.get()));
            }
            dyn = Optional.of(new AaaConfig.DynamicAuthorization(listen, clients,
                    d.duration("replay-window", Duration.ofSeconds(300), Duration.ofSeconds(10), Duration.ofHours(1)),
                    d.bool("require-event-timestamp", true)));
        }
        return new AaaConfig.Radius(servers, timeout, retries, deadTime, nasId, nasIp, groupAttributes,
                new AaaConfig.Accounting(acctEnabled, interim, spool), dyn);
    }

    private static AaaConfig.Ldap ldap(ConfigNode l) {
        List<URI> urls = new ArrayList<>();
        for (String u : l.stringList("urls", List.of())) {
            try {
                URI uri = new URI(u);
                if (!"ldap".equalsIgnoreCase(uri.getScheme()) && !"ldaps".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    l.problem("urls", "\"" + u + "\" must be ldaps://host[:port] or ldap://host[:port]");
                } else {
                    urls.add(uri);
                }
            } catch (URISyntaxException e) {
                l.problem("urls", "\"" + u + "\" is not a URL");
            }
        }
        if (urls.isEmpty()) l.problem("urls", "at least one domain controller, e.g. [ldaps://dc1.corp.example.com]");
        boolean startTls = l.bool("start-tls", false);
        boolean plain = urls.stream().anyMatch(u -> u.getScheme().equalsIgnoreCase("ldap"));
        if (plain && !startTls && !l.bool("allow-cleartext", false)) {
            l.problem("urls", "ldap:// without start-tls sends passwords in clear: use ldaps://, set start-tls: true, "
                    + "or (lab only) allow-cleartext: true");
        }
        Optional<Path> trust = l.path("ca-file");
        trust.ifPresent(p -> {
            if (!Files.isReadable(p)) l.problem("ca-file", "cannot read " + p);
        });
        String bindDn = l.string("bind-dn", "");
        if (bindDn.isBlank()) l.problem("bind-dn", "is required (the service account that looks users up)");
        Optional<byte[]> password = l.secret("bind-password");
        if (password.isEmpty() && !l.has("bind-password") && !l.has("bind-password-file")) l.problem("bind-password-file", "is required");
        String baseDn = l.string("base-dn", "");
        if (baseDn.isBlank()) l.problem("base-dn", "is required, e.g. DC=corp,DC=example,DC=com");
        Optional<String> filter = l.optionalString("user-filter");
        filter.ifPresent(f -> {
            if (!f.contains("{user}")) l.problem("user-filter", "must contain {user}");
        });
        String groupMode = l.string("group-mode", "ad-in-chain").toLowerCase(Locale.ROOT);
        if (!groupMode.equals("ad-in-chain") && !groupMode.equals("member-of-walk")) {
            l.problem("group-mode", "must be ad-in-chain (Active Directory) or member-of-walk (other directories)");
        }
        return new AaaConfig.Ldap(urls, startTls, trust, bindDn, password.orElse(new byte[0]), baseDn, filter, groupMode,
                l.integer("pool-size", 8, 1, 256),
                l.duration("connect-timeout", Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofMinutes(1)),
                l.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofMinutes(1)),
                l.duration("dead-time", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)));
    }

    private static Policy policy(ConfigNode p, List<String> poolNames) {
        List<PolicyRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> ruleNodes = p.sections("rules");
        for (int i = 0; i < ruleNodes.size(); i++) {
            ConfigNode r = ruleNodes.get(i);
            String name = r.string("name", "rule" + (i + 1));
            if (!names.add(name)) r.problem("name", "two rules named " + name);
            List<String> groups = r.stringList("groups", List.of());
            boolean allow = action(r, "action", "allow");
            Optional<String> pool = r.optionalString("pool");
            pool.ifPresent(n -> {
                if (!poolNames.contains(n)) r.problem("pool", "no pool named \"" + n + "\" in pools");
            });
            var dns = r.ipv4List("dns", 2);
            Optional<Duration> st = r.has("session-timeout")
                    ? Optional.of(r.duration("session-timeout", Duration.ZERO, Duration.ofMinutes(1), Duration.ofDays(30))) : Optional.empty();
            Optional<Duration> it = r.has("idle-timeout")
                    ? Optional.of(r.duration("idle-timeout", Duration.ZERO, Duration.ofSeconds(30), Duration.ofDays(30))) : Optional.empty();
            OptionalInt max = r.has("max-sessions") ? OptionalInt.of(r.integer("max-sessions", 1, 1, 1000)) : OptionalInt.empty();
            OptionalInt total = r.has("max-sessions-total")
                    ? OptionalInt.of(r.integer("max-sessions-total", 1, 1, 1_000_000)) : OptionalInt.empty();
            rules.add(new PolicyRule(name, groups, allow, pool, dns, st, it, max, routes(r), domain(r), total, rateLimit(r)));
        }
        // with rules, users none of them matches are refused unless the operator says otherwise
        boolean dflt = action(p, "default", ruleNodes.isEmpty() ? "allow" : "deny");
        return new Policy(rules, dflt ? PolicyRule.allowAll("default") : PolicyRule.denyAll("default"));
    }

    /**
     * Most routes a rule may give: the DHCPACK carries them twice (options 121 and 249, up to 9 octets a route,
     * RFC 3442) and must fit the 576 octets every client takes (RFC 2131 section 2) with the other options.
     */
    static final int MAX_ROUTES = 14;

    /** {@code routes: [10.1.0.0/16, 192.168.50.0/24]}: networks, host bits zero. */
    private static List<Ipv4Route> routes(ConfigNode r) {
        List<Ipv4Route> routes = new ArrayList<>();
        List<String> given = r.stringList("routes", List.of());
        if (given.size() > MAX_ROUTES) r.problem("routes", "at most " + MAX_ROUTES + " routes (the DHCP answer must fit 576 octets), got " + given.size());
        for (String s : given) {
            try {
                Ipv4Route route = Ipv4Route.parse(s);
                if (route.prefixLength() == 0) r.problem("routes", "0.0.0.0/0 is the default route: leave routes out to keep the tunnel as the default route");
                else routes.add(route);
            } catch (IllegalArgumentException e) {
                r.problem("routes", e.getMessage());
            }
        }
        return routes;
    }

    /** RFC 1035 section 2.3.1 preferred name syntax: labels of letters, digits and hyphens, 63 octets each, 253 in all. */
    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** {@code rate-limit: 10mbit} (both directions) or {@code rate-limit: {down: 10mbit, up: 2mbit}} (either may be left out). */
    private static Optional<RateLimit> rateLimit(ConfigNode r) {
        if (!r.has("rate-limit")) return Optional.empty();
        long down;
        long up;
        if (r.isSection("rate-limit")) {
            ConfigNode l = r.section("rate-limit");
            down = bitsPerSecond(l, "down");
            up = bitsPerSecond(l, "up");
            if (down == 0 && up == 0) r.problem("rate-limit", "give down, up or both, e.g. {down: 10mbit, up: 2mbit}");
        } else {
            down = up = bitsPerSecond(r, "rate-limit");
        }
        if (down == 0 && up == 0) return Optional.empty();
        try {
            return Optional.of(new RateLimit(down, up));
        } catch (IllegalArgumentException e) {
            r.problem("rate-limit", e.getMessage());
            return Optional.empty();
        }
    }

    private static long bitsPerSecond(ConfigNode n, String key) {
        Optional<String> v = n.optionalString(key);
        if (v.isEmpty()) return 0;
        try {
            long bps = RateLimit.parseBitsPerSecond(v.get());
            if (bps < RateLimit.MIN_BITS_PER_SECOND) n.problem(key, "at least 16kbit, got " + v.get());
            return bps < RateLimit.MIN_BITS_PER_SECOND ? 0 : bps;
        } catch (IllegalArgumentException e) {
            n.problem(key, e.getMessage());
            return 0;
        }
    }

    private static Optional<String> domain(ConfigNode r) {
        Optional<String> d = r.optionalString("domain");
        if (d.isPresent() && !DOMAIN.matcher(d.get()).matches()) {
            r.problem("domain", "must be a DNS domain name such as corp.example.com, got \"" + d.get() + "\"");
            return Optional.empty();
        }
        return d;
    }

    private static boolean action(ConfigNode n, String key, String dflt) {
        String a = n.string(key, dflt).toLowerCase(Locale.ROOT);
        if (!a.equals("allow") && !a.equals("deny")) n.problem(key, "must be allow or deny");
        return !a.equals("deny");
    }
}
