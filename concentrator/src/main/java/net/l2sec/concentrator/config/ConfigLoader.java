package net.l2sec.concentrator.config;

import java.io.IOException;
import java.io.Reader;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import javax.security.auth.x500.X500Principal;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PemFiles;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.ppp.PppSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads and validates {@code concentrator.yaml} (YAML 1.2, so {@code no} stays a string). Every problem is
 * collected and reported together as {@code file: key: reason}; unknown keys are refused. See the shipped
 * {@code conf/concentrator.yaml} for every key and its default.
 */
public final class ConfigLoader {
    /** A DNS name (RFC 1123 labels), which ipsec.local-id may be besides an IPv4 address. */
    private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private ConfigLoader() {}

    public static ConcentratorConfig load(Path file) throws ConfigException {
        Object document;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false).build();
            document = new Load(settings).loadFromReader(r);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> "line " + (m.getLine() + 1) + " column " + (m.getColumn() + 1)).orElse("?");
            throw new ConfigException(List.of(file + ": " + where + ": not valid YAML: " + e.getProblem()));
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(file + ": not valid YAML: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        ConfigNode root = ConfigNode.root(file, document, problems);
        ConcentratorConfig config = read(root);
        root.rejectUnknownKeys();
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return config;
    }

    private static ConcentratorConfig read(ConfigNode root) {
        ConfigNode server = root.section("server");
        String name = server.string("name", "l2sec");
        if (name.isBlank() || name.length() > 64) server.problem("name", "must be 1 to 64 characters");

        // --- L2TP
        ConfigNode l2tp = root.section("l2tp");
        InetSocketAddress l2tpListen = l2tp.socketAddress("listen", new InetSocketAddress("0.0.0.0", 1701));
        boolean requireIpsec = l2tp.bool("require-ipsec", true);
        L2tpSettings d = L2tpSettings.defaults();
        ConfigNode rtx = l2tp.section("retransmit");
        Duration rtxInitial = rtx.duration("initial", d.retransmitInitial(), Duration.ofMillis(100), Duration.ofSeconds(10));
        Duration rtxMax = rtx.duration("max", d.retransmitMax(), Duration.ofMillis(100), Duration.ofSeconds(60));
        if (rtxMax.compareTo(rtxInitial) < 0) rtx.problem("max", "must not be shorter than l2tp.retransmit.initial");
        L2tpSettings l2tpSettings = new L2tpSettings(
                name,
                l2tp.integer("receive-window", d.receiveWindow(), 1, 256),
                rtxInitial, rtxMax,
                rtx.integer("retries", d.retransmitRetries(), 1, 20),
                l2tp.duration("hello-interval", d.helloInterval(), Duration.ofSeconds(5), Duration.ofHours(1)),
                l2tp.secret("tunnel-secret"),
                l2tp.integer("max-tunnels", d.maxTunnels(), 1, 65535),
                l2tp.integer("max-sessions-per-tunnel", d.maxSessionsPerTunnel(), 1, 65535));

        // --- TUN device
        ConfigNode tunNode = root.section("tunnel-interface");
        String tunName = tunNode.string("name", "l2sec0");
        if (!IFNAME.matcher(tunName).matches()) tunNode.problem("name", "must be 1 to 15 of A-Z a-z 0-9 _ . -");
        String cidr = tunNode.string("address", "10.99.0.1/24");
        Inet4Address tunAddress = null;
        int prefix = 24;
        int slash = cidr.indexOf('/');
        Optional<Inet4Address> parsed = ConfigNode.parseIpv4(slash < 0 ? cidr : cidr.substring(0, slash));
        try {
            prefix = slash < 0 ? -1 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (parsed.isEmpty() || prefix < 8 || prefix > 30) {
            tunNode.problem("address", "must be the concentrator's tunnel-side address with prefix, such as 10.99.0.1/24 (prefix 8..30)");
            prefix = 24;
        } else {
            tunAddress = parsed.get();
        }
        int tunMtu = tunNode.integer("mtu", 1400, 576, 9000);
        ConcentratorConfig.Tun tun = new ConcentratorConfig.Tun(tunName, tunAddress, prefix, tunMtu);

        // --- pools
        List<ConcentratorConfig.Pool> pools = new ArrayList<>();
        Set<String> poolNames = new HashSet<>();
        List<ConfigNode> poolNodes = root.sections("pools");
        if (poolNodes.isEmpty()) root.problem("pools", "at least one address pool is required");
        for (ConfigNode p : poolNodes) {
            String pn = p.string("name", "");
            if (!POOL_NAME.matcher(pn).matches()) p.problem("name", "must be 1 to 32 of A-Z a-z 0-9 _ -");
            else if (!poolNames.add(pn)) p.problem("name", "pool \"" + pn + "\" is defined twice");
            String range = p.string("range", "");
            String[] ends = range.split("-", 2);
            Optional<Inet4Address> first = ConfigNode.parseIpv4(ends[0].trim());
            Optional<Inet4Address> last = ends.length == 2 ? ConfigNode.parseIpv4(ends[1].trim()) : Optional.empty();
            if (first.isEmpty() || last.isEmpty()) {
                p.problem("range", "must be first-last such as 10.99.0.10-10.99.0.250");
                continue;
            }
            long a = Ipv4.toInt(first.get()) & 0xffffffffL, b = Ipv4.toInt(last.get()) & 0xffffffffL;
            if (b < a) {
                p.problem("range", "the last address comes before the first");
                continue;
            }
            if (tunAddress != null) {
                long mask = (0xffffffffL << (32 - prefix)) & 0xffffffffL;
                long net = Ipv4.toInt(tunAddress) & mask;
                long t = Ipv4.toInt(tunAddress) & 0xffffffffL;
                if ((a & mask) != net || (b & mask) != net) {
                    p.problem("range", "must lie inside tunnel-interface.address " + cidr
                            + " so the kernel routes replies to the TUN device");
                } else if (t >= a && t <= b) {
                    p.problem("range", "contains the concentrator's own tunnel-side address " + tunAddress.getHostAddress());
                } else if (a == net || b == (net | (~mask & 0xffffffffL))) {
                    p.problem("range", "must not contain the network or broadcast address of " + cidr);
                }
            }
            pools.add(new ConcentratorConfig.Pool(pn, first.get(), last.get()));
        }

        // --- PPP
        ConfigNode ppp = root.section("ppp");
        List<AuthMethod> methods = new ArrayList<>();
        for (String m : ppp.stringList("auth-methods", List.of("mschapv2", "eap-mschapv2"))) {
            Optional<AuthMethod> am = AuthMethod.fromConfigName(m);
            if (am.isEmpty()) ppp.problem("auth-methods", "unknown method \"" + m + "\" (pap, chap, mschapv2, eap-mschapv2, eap-md5)");
            else if (methods.contains(am.get())) ppp.problem("auth-methods", "\"" + m + "\" is listed twice");
            else methods.add(am.get());
        }
        if (methods.isEmpty()) {
            ppp.problem("auth-methods", "at least one method is required");
            methods.add(AuthMethod.MSCHAPV2);
        }
        String defaultPool = ppp.string("pool", pools.isEmpty() ? "default" : pools.get(0).name());
        if (!pools.isEmpty() && !poolNames.contains(defaultPool)) ppp.problem("pool", "no pool named \"" + defaultPool + "\" in pools");
        List<Inet4Address> dns = ppp.ipv4List("dns", 2);
        List<Inet4Address> wins = ppp.ipv4List("wins", 2);
        PppSettings pppSettings = new PppSettings(
                methods,
                ppp.integer("mru", 1400, 576, 1500),
                tunAddress != null ? tunAddress : (Inet4Address) ConfigNode.parseIpv4("10.99.0.1").orElseThrow(),
                dns.size() > 2 ? dns.subList(0, 2) : dns,
                wins.size() > 2 ? wins.subList(0, 2) : wins,
                defaultPool,
                ppp.duration("echo-interval", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(10)),
                ppp.integer("echo-failures", 4, 1, 100),
                ppp.duration("restart-timer", Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofSeconds(30)),
                ppp.integer("max-configure", 10, 1, 100),
                ppp.integer("max-terminate", 2, 1, 100),
                ppp.integer("max-failure", 5, 1, 100),
                ppp.duration("auth-timeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(5)));

        // --- AAA
        List<String> poolNameList = pools.stream().map(ConcentratorConfig.Pool::name).toList();
        AaaConfig aaa = AaaConfigReader.read(root.section("aaa"), name, poolNameList);

        // --- metrics
        ConfigNode metrics = root.section("metrics");
        boolean metricsEnabled = metrics.bool("enabled", true);
        InetSocketAddress metricsAddress = metrics.socketAddress("listen", new InetSocketAddress("127.0.0.1", 9117));
        InetSocketAddress metricsListen = metricsEnabled ? metricsAddress : null;

        ConcentratorConfig.Ipsec ipsec = readIpsec(root.section("ipsec"), requireIpsec);

        // --- logging
        ConfigNode logging = root.section("logging");
        String level = logging.string("level", "info").toLowerCase(java.util.Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            logging.problem("level", "must be error, warn, info, debug or trace");
        }
        List<String> debug = logging.stringList("debug", List.of());
        for (String logger : debug) {
            if (!logger.matches("[A-Za-z_$][A-Za-z0-9_$.]*")) {
                logging.problem("debug", "\"" + logger + "\" is not a logger (package or class) name");
            }
        }

        ConcentratorConfig.Admin admin = root.has("admin") ? readAdmin(root.section("admin")) : ConcentratorConfig.Admin.DISABLED;

        return new ConcentratorConfig(root.file(), l2tpListen, requireIpsec, l2tpSettings, pppSettings, tun, pools,
                aaa, new ConcentratorConfig.Metrics(metricsListen), ipsec,
                new ConcentratorConfig.Logging(level, debug), admin);
    }

    /**
     * The admin interface: on unless {@code enabled: false}; loopback only (it can end every session); the token
     * file must exist (scripts/start.sh creates it) and hold at least 16 characters.
     */
    private static ConcentratorConfig.Admin readAdmin(ConfigNode n) {
        boolean enabled = n.bool("enabled", true);
        InetSocketAddress listen = n.socketAddress("listen", new InetSocketAddress("127.0.0.1", 9118));
        if (!n.has("token-file")) {
            if (enabled) n.problem("token-file", "is required: a file holding the bearer token (scripts/start.sh creates conf/admin.token)");
            return ConcentratorConfig.Admin.DISABLED;
        }
        Path tokenFile = n.path("token-file").orElseThrow();
        if (!enabled) return ConcentratorConfig.Admin.DISABLED;
        if (!listen.getAddress().isLoopbackAddress()) {
            n.problem("listen", "must be a loopback address such as 127.0.0.1:9118: the admin interface can end every session");
        }
        Optional<byte[]> token = n.secret("token");
        if (token.isPresent() && token.get().length < 16) n.problem("token-file", "the token is too short: use at least 16 random characters");
        return token.map(t -> new ConcentratorConfig.Admin(listen, t, tokenFile)).orElse(ConcentratorConfig.Admin.DISABLED);
    }

    static final List<String> IKE_ENCRYPTION = List.of("aes128", "aes192", "aes256", "3des");
    static final List<String> IKE_INTEGRITY = List.of("sha1", "sha256", "sha384", "sha512");
    static final List<String> IKE_GROUPS = List.of("modp1024", "modp1536", "modp2048", "ecp256", "ecp384");
    static final List<String> ESP_ENCRYPTION = List.of("aes128", "aes192", "aes256", "aes128gcm16", "aes256gcm16", "3des");
    static final List<String> ESP_INTEGRITY = List.of("sha1", "sha256", "sha384", "sha512");

    private static ConcentratorConfig.Ipsec readIpsec(ConfigNode n, boolean requireIpsec) {
        InetSocketAddress ike = n.socketAddress("listen-ike", new InetSocketAddress("0.0.0.0", 500));
        InetSocketAddress natt = n.socketAddress("listen-natt", new InetSocketAddress("0.0.0.0", 4500));
        Optional<byte[]> psk = n.secret("psk");
        Optional<CertificateAuth> certificates = readCertificates(n);
        if (requireIpsec && psk.isEmpty() && certificates.isEmpty() && !n.has("certificate")) {
            n.problem("psk-file", "a pre-shared key (psk-file, or psk) or a certificate section is required while "
                    + "l2tp.require-ipsec is true");
        }
        psk.ifPresent(k -> {
            if (k.length < 16) n.problem("psk", "too short: use at least 16 characters (20+ random ones; a PSK can be guessed offline)");
        });
        Optional<String> localId = n.optionalString("local-id").map(String::trim);
        localId.ifPresent(id -> {
            boolean literal = id.matches("[0-9.]+");
            if (literal ? ConfigNode.parseIpv4(id).isEmpty() : !DNS_NAME.matcher(id).matches()) {
                n.problem("local-id", "must be an IPv4 address (sent as ID_IPV4_ADDR) or a DNS name (sent as ID_FQDN), got \""
                        + id + "\"");
            }
        });
        ConfigNode legacy = n.section("legacy");
        boolean modp1024 = legacy.bool("modp1024", false);
        boolean des3 = legacy.bool("3des", false);

        ConfigNode ikeNode = n.section("ike");
        List<String> ikeEnc = algorithms(ikeNode, "encryption", List.of("aes256", "aes128"), IKE_ENCRYPTION, des3, modp1024);
        List<String> ikeInt = algorithms(ikeNode, "integrity", List.of("sha256", "sha384", "sha512", "sha1"), IKE_INTEGRITY, des3, modp1024);
        List<String> groups = algorithms(ikeNode, "groups", List.of("modp2048", "ecp256", "ecp384", "modp1536"), IKE_GROUPS, des3, modp1024);
        if (modp1024 && !groups.contains("modp1024")) groups = append(groups, "modp1024");
        if (des3 && !ikeEnc.contains("3des")) ikeEnc = append(ikeEnc, "3des");
        Duration ikeLife = ikeNode.duration("lifetime-max", Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofDays(7));

        ConfigNode espNode = n.section("esp");
        List<String> espEnc = algorithms(espNode, "encryption", List.of("aes256", "aes128", "aes256gcm16", "aes128gcm16"), ESP_ENCRYPTION, des3, modp1024);
        if (des3 && !espEnc.contains("3des")) espEnc = append(espEnc, "3des");
        List<String> espInt = algorithms(espNode, "integrity", List.of("sha1", "sha256", "sha384", "sha512"), ESP_INTEGRITY, des3, modp1024);
        Duration espLife = espNode.duration("lifetime-max", Duration.ofHours(8), Duration.ofMinutes(1), Duration.ofDays(1));
        int window = espNode.integer("replay-window", 128, 32, 4096);
        if (window % 32 != 0) espNode.problem("replay-window", "must be a multiple of 32");

        ConfigNode dpd = n.section("dpd");
        Duration dpdDelay = dpd.duration("delay", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1));
        int dpdFailures = dpd.integer("max-failures", 5, 1, 100);
        boolean aggressive = n.bool("aggressive-mode", false);
        ConfigNode limits = n.section("limits");
        int halfOpen = limits.integer("half-open", 1024, 1, 1_000_000);
        int perSource = limits.integer("new-per-source-per-second", 5, 1, 100_000);
        ConfigNode frag = n.section("fragmentation");
        IkeSettings.Fragmentation fd = IkeSettings.Fragmentation.defaults();
        IkeSettings.Fragmentation fragmentation = new IkeSettings.Fragmentation(frag.bool("enabled", fd.enabled()),
                frag.integer("max-datagram", fd.maxDatagram(), 576, 65535), fd.maxFragments(), fd.maxMessageSize(),
                fd.reassemblyTimeout());
        return new ConcentratorConfig.Ipsec(ike, natt, psk, localId, ikeEnc, ikeInt, groups, ikeLife, espEnc, espInt, espLife,
                window, modp1024, des3, dpdDelay, dpdFailures, aggressive, halfOpen, perSource, certificates, fragmentation);
    }

    /** {@code ipsec.certificate}: our chain and key, the CAs clients' certificates must chain to, the ID rule. */
    private static Optional<CertificateAuth> readCertificates(ConfigNode ipsec) {
        if (!ipsec.has("certificate")) {
            ipsec.section("certificate");
            return Optional.empty();
        }
        ConfigNode c = ipsec.section("certificate");
        Optional<Path> chainFile = c.path("chain-file");
        Optional<Path> keyFile = c.path("key-file");
        Optional<Path> caFile = c.path("ca-file");
        String idRule = c.string("peer-id", "subject-or-alt-name");
        Optional<String> issuer = c.optionalString("required-issuer");
        if (chainFile.isEmpty()) c.problem("chain-file", "is required: our certificate (PEM), then any intermediates");
        if (keyFile.isEmpty()) c.problem("key-file", "is required: our unencrypted RSA private key (PEM, PKCS#8 or PKCS#1)");
        if (caFile.isEmpty()) c.problem("ca-file", "is required: the CA certificates (PEM) client certificates must chain to");
        CertificateAuth.PeerIdRule rule = switch (idRule) {
            case "subject-or-alt-name" -> CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME;
            case "subject-only" -> CertificateAuth.PeerIdRule.SUBJECT_ONLY;
            default -> {
                c.problem("peer-id", "must be subject-or-alt-name or subject-only");
                yield CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME;
            }
        };
        if (chainFile.isEmpty() || keyFile.isEmpty() || caFile.isEmpty()) return Optional.empty();
        List<X509Certificate> chain = null;
        PrivateKey key = null;
        List<X509Certificate> cas = null;
        try {
            chain = PemFiles.certificates(chainFile.get());
        } catch (IOException | RuntimeException e) {
            c.problem("chain-file", e.getMessage());
        }
        try {
            key = PemFiles.privateKey(keyFile.get());
        } catch (IOException | RuntimeException e) {
            c.problem("key-file", e.getMessage());
        }
        try {
            cas = PemFiles.certificates(caFile.get());
        } catch (IOException | RuntimeException e) {
            c.problem("ca-file", e.getMessage());
        }
        if (chain == null || key == null || cas == null) return Optional.empty();
        if (chain.isEmpty() || !(chain.getFirst().getPublicKey() instanceof RSAPublicKey pub)
                || !(key instanceof RSAPrivateKey priv) || !pub.getModulus().equals(priv.getModulus())) {
            c.problem("key-file", "does not belong to the first certificate of " + chainFile.get() + " (or is not RSA)");
            return Optional.empty();
        }
        try {
            CertificateAuth auth = new CertificateAuth(chain, key, cas, Optional.empty(), rule, false);
            if (issuer.isPresent()) auth = auth.withRequiredIssuer(new X500Principal(issuer.get()));
            return Optional.of(auth);
        } catch (IllegalArgumentException e) {
            c.problem(issuer.isPresent() ? "required-issuer" : "chain-file", e.getMessage());
            return Optional.empty();
        }
    }

    private static List<String> append(List<String> list, String item) {
        List<String> out = new ArrayList<>(list);
        out.add(item);
        return List.copyOf(out);
    }

    /** An algorithm list: known names only, no duplicates, legacy names only with their switch. */
    private static List<String> algorithms(ConfigNode n, String key, List<String> dflt, List<String> known,
                                           boolean des3, boolean modp1024) {
        List<String> out = new ArrayList<>();
        for (String a : n.stringList(key, dflt)) {
            String v = a.toLowerCase(java.util.Locale.ROOT);
            if (!known.contains(v)) n.problem(key, "unknown algorithm \"" + a + "\" (known: " + String.join(", ", known) + ")");
            else if (out.contains(v)) n.problem(key, "\"" + a + "\" is listed twice");
            else if (v.equals("3des") && !des3) n.problem(key, "3des is legacy: set ipsec.legacy.3des: true to allow it");
            else if (v.equals("modp1024") && !modp1024) n.problem(key, "modp1024 is legacy: set ipsec.legacy.modp1024: true to allow it");
            else out.add(v);
        }
        if (out.isEmpty() && !n.has(key)) out.addAll(dflt);
        if (out.isEmpty()) n.problem(key, "at least one algorithm is required");
        return List.copyOf(out);
    }
}
