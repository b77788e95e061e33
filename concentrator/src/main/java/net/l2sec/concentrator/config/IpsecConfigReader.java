package net.l2sec.concentrator.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.l2sec.dataplane.ike.CryptoWorkers;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ikev2.Ikev2Settings;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * Reads the {@code ipsec} section into the responders' {@link IkeSettings} (shared by IKEv1 and IKEv2) and IKEv2's own
 * {@link Ikev2Settings} ({@code ipsec.ikev2}): algorithm names (strongSwan-style, each
 * parsed by its enum) become typed proposals, legacy ones only with their {@code ipsec.legacy} switch. The defaults
 * are stated here (the half-open timeout, not configurable, is {@link IkeSettings#defaults()}'s; fragmentation's
 * are {@link IkeSettings.Fragmentation#defaults()}); conf/concentrator.yaml documents them.
 */
final class IpsecConfigReader {
    /** A DNS name (RFC 1123 labels), which ipsec.local-id may be besides an IPv4 address. */
    private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** {@code ipsec.crypto-workers} at most: the work is CPU-bound, more threads than cores only queue. */
    static final int MAX_CRYPTO_WORKERS = 256;

    private IpsecConfigReader() {}

    /** {@code ipsec.crypto-workers} by default: one thread per processor. */
    static int defaultCryptoWorkers() {
        return Runtime.getRuntime().availableProcessors();
    }

    static ConcentratorConfig.Ipsec read(ConfigNode n, boolean requireIpsec) {
        InetSocketAddress ikeListen = n.socketAddress("listen-ike", new InetSocketAddress("0.0.0.0", 500));
        InetSocketAddress nattListen = n.socketAddress("listen-natt", new InetSocketAddress("0.0.0.0", 4500));
        Optional<byte[]> psk = n.secret("psk");
        Optional<CertificateAuth> certificates = CertificateConfigReader.read(n);
        if (requireIpsec && psk.isEmpty() && certificates.isEmpty() && !n.has("certificate")) {
            n.problem("psk-file", "a pre-shared key (psk-file, or psk) or a certificate section is required while "
                    + "l2tp.require-ipsec is true");
        }
        psk.ifPresent(k -> {
            if (k.length < 16) n.problem("psk", "too short: use at least 16 characters (20+ random ones; a PSK can be guessed offline)");
        });
        Optional<String> localId = localId(n);
        ConfigNode legacy = n.section("legacy");
        boolean modp1024 = legacy.bool("modp1024", false);
        boolean des3 = legacy.bool("3des", false);

        ConfigNode ike = n.section("ike");
        List<IkeCipher.WithKeyLength> ikeCiphers = algorithms(ike, "encryption", List.of("aes256", "aes128"),
                a -> IkeCipher.parse(a, des3));
        List<IkeHash> ikeHashes = algorithms(ike, "integrity", List.of("sha256", "sha384", "sha512", "sha1"), IkeHash::parse);
        List<DhGroup> groups = algorithms(ike, "groups", List.of("modp2048", "ecp256", "ecp384", "ecp521", "modp1536"),
                g -> DhGroup.parse(g, modp1024));
        // at least 30 s: short lifetimes are for labs and tests (an IKEv2 SA is rekeyed at nine tenths of it)
        Duration ikeLifetime = ike.duration("lifetime-max", Duration.ofHours(24), Duration.ofSeconds(30), Duration.ofDays(7));

        ConfigNode esp = n.section("esp");
        List<EspCipher.WithKeyLength> espCiphers = algorithms(esp, "encryption",
                List.of("aes256", "aes128", "aes256gcm16", "aes128gcm16"), a -> EspCipher.parse(a, des3));
        List<EspIntegrity> espIntegrity = algorithms(esp, "integrity", List.of("sha1", "sha256", "sha384", "sha512"),
                EspIntegrity::parse);
        Duration espLifetime = esp.duration("lifetime-max", Duration.ofHours(8), Duration.ofMinutes(1), Duration.ofDays(1));
        int window = esp.integer("replay-window", 128, 32, 4096);
        int cryptoWorkers = n.integer("crypto-workers", defaultCryptoWorkers(), 1, MAX_CRYPTO_WORKERS);
        int cryptoNice = n.integer("crypto-nice", CryptoWorkers.NICE, 0, 19);
        if (window % 32 != 0) esp.problem("replay-window", "must be a multiple of 32");

        ConfigNode dpd = n.section("dpd");
        Duration dpdDelay = dpd.duration("delay", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1));
        int dpdFailures = dpd.integer("max-failures", 5, 1, 100);
        boolean aggressive = n.bool("aggressive-mode", false);
        ConfigNode limits = n.section("limits");
        int halfOpen = limits.integer("half-open", 1024, 1, 1_000_000);
        int perSource = limits.integer("new-per-source-per-second", 5, 1, 100_000);
        IkeSettings.HalfOpen message1 = new IkeSettings.HalfOpen(
                limits.integer("half-open-memory-mib", 32, 1, 4096) * IkeSettings.HalfOpen.MIB,
                limits.integer("half-open-per-source", 64, 1, 1_000_000));
        IkeSettings.Fragmentation fragmentation = fragmentation(n.section("fragmentation"));
        // without a certificate EAP clients are refused at IKE_AUTH (no_certificate) unless eap-only: the shipped
        // PSK-only configuration keeps IKEv2 on for PSK clients an operator may allow
        Ikev2Settings ikev2 = ikev2(n.section("ikev2"), psk.isPresent(),
                certificates.map(c -> !c.trustAnchors().isEmpty()).orElse(false));
        certificates.ifPresent(cert -> {
            if (!cert.servesIkev1() && psk.isEmpty() && !ikev2.enabled()) {
                n.problem("certificate", "serves IKEv2 only (" + (cert.rsa() ? "no ca-file for client certificates"
                        : "an EC key: IKEv1 signs with RSA only") + ") and ipsec.ikev2.enabled is false: set a psk-file "
                        + "for IKEv1 or enable IKEv2");
            }
        });

        Optional<IkeSettings> settings = psk.isEmpty() && certificates.isEmpty() ? Optional.empty()
                : Optional.of(new IkeSettings(psk, aesKeyBits(ikeCiphers), ikeHashes, groups, espCiphers(espCiphers),
                        espAesKeyBits(espCiphers), espIntegrity, des3, modp1024, ikeLifetime, espLifetime, dpdDelay,
                        dpdFailures, localId, halfOpen, IkeSettings.defaults().halfOpenTimeout(), perSource, aggressive,
                        psk.isPresent(), certificates, fragmentation, message1));
        return new ConcentratorConfig.Ipsec(ikeListen, nattListen, settings, window, cryptoWorkers, cryptoNice, ikev2);
    }

    /**
     * {@code ipsec.ikev2}: what IKEv2 adds to the policy it shares with IKEv1 (proposals, PSK, certificate, local-id,
     * fragmentation, dpd, lifetimes). On by default whenever IPsec is configured.
     */
    private static Ikev2Settings ikev2(ConfigNode v2, boolean psk, boolean clientCas) {
        Ikev2Settings d = Ikev2Settings.defaults();
        Set<Ikev2Settings.ClientAuth> clientAuth = EnumSet.noneOf(Ikev2Settings.ClientAuth.class);
        for (String name : v2.stringList("client-auth", List.of("eap"))) {
            Optional<Ikev2Settings.ClientAuth> a = Ikev2Settings.ClientAuth.fromConfigName(name);
            if (a.isEmpty()) v2.problem("client-auth", "unknown method \"" + name + "\" (eap, psk, certificate)");
            else if (!clientAuth.add(a.get())) v2.problem("client-auth", "\"" + name + "\" is listed twice");
        }
        boolean eapOnly = v2.bool("eap-only", false);
        boolean enabled = v2.bool("enabled", d.enabled());
        if (enabled && clientAuth.contains(Ikev2Settings.ClientAuth.PSK) && !psk) {
            v2.problem("client-auth", "psk needs the pre-shared key: set ipsec.psk-file");
        }
        if (enabled && clientAuth.contains(Ikev2Settings.ClientAuth.CERTIFICATE) && !clientCas) {
            v2.problem("client-auth", "certificate needs the CAs that issue client certificates: set ipsec.certificate.ca-file");
        }
        if (eapOnly && !clientAuth.contains(Ikev2Settings.ClientAuth.EAP)) {
            v2.problem("eap-only", "EAP-only authentication needs eap in client-auth");
        }
        if (clientAuth.isEmpty()) clientAuth.add(Ikev2Settings.ClientAuth.EAP);
        return new Ikev2Settings(enabled, v2.integer("cookie-threshold", d.cookieThreshold(), 0, 1_000_000),
                v2.bool("mobike", d.mobike()),
                v2.duration("auth-timeout", d.authTimeout(), Duration.ofSeconds(5), Duration.ofMinutes(10)),
                clientAuth, eapOnly);
    }

    /** {@code ipsec.local-id}: our identity in ID_R, an IPv4 address or a DNS name. */
    private static Optional<String> localId(ConfigNode n) {
        Optional<String> localId = n.optionalString("local-id").map(String::trim);
        localId.ifPresent(id -> {
            boolean literal = id.matches("[0-9.]+");
            if (literal ? ConfigNode.parseIpv4(id).isEmpty() : !DNS_NAME.matcher(id).matches()) {
                n.problem("local-id", "must be an IPv4 address (sent as ID_IPV4_ADDR) or a DNS name (sent as ID_FQDN), got \""
                        + id + "\"");
            }
        });
        return localId;
    }

    private static IkeSettings.Fragmentation fragmentation(ConfigNode frag) {
        IkeSettings.Fragmentation d = IkeSettings.Fragmentation.defaults();
        return new IkeSettings.Fragmentation(frag.bool("enabled", d.enabled()),
                frag.integer("max-datagram", d.maxDatagram(), 576, 65535), d.maxFragments(), d.maxMessageSize(),
                d.reassemblyTimeout());
    }

    /**
     * An algorithm list: each name parsed by its enum (which refuses unknown names and legacy ones without their
     * switch), no duplicates, at least one.
     */
    private static <T> List<T> algorithms(ConfigNode n, String key, List<String> defaults, Function<String, T> parse) {
        List<T> out = new ArrayList<>();
        for (String name : n.stringList(key, defaults)) {
            try {
                T algorithm = parse.apply(name);
                if (out.contains(algorithm)) n.problem(key, "\"" + name + "\" is listed twice");
                else out.add(algorithm);
            } catch (IllegalArgumentException e) {
                n.problem(key, e.getMessage());
            }
        }
        if (out.isEmpty()) n.problem(key, "at least one algorithm is required");
        return List.copyOf(out);
    }

    /** Phase-1 AES key sizes in the order listed (3DES is the {@code legacy3des} switch). */
    private static List<Integer> aesKeyBits(List<IkeCipher.WithKeyLength> ciphers) {
        return ciphers.stream().filter(c -> c.cipher() == IkeCipher.AES_CBC).map(IkeCipher.WithKeyLength::keyBits).toList();
    }

    /** The AES modes listed, CBC before GCM (3DES is the {@code legacy3des} switch). */
    private static List<EspCipher> espCiphers(List<EspCipher.WithKeyLength> ciphers) {
        return Stream.of(EspCipher.AES_CBC, EspCipher.AES_GCM_16)
                .filter(mode -> ciphers.stream().anyMatch(c -> c.cipher() == mode)).toList();
    }

    /** ESP AES key sizes: those of CBC in the order listed, then those only GCM has. */
    private static List<Integer> espAesKeyBits(List<EspCipher.WithKeyLength> ciphers) {
        List<Integer> bits = new ArrayList<>();
        for (EspCipher mode : List.of(EspCipher.AES_CBC, EspCipher.AES_GCM_16)) {
            for (EspCipher.WithKeyLength c : ciphers) {
                if (c.cipher() == mode && !bits.contains(c.keyBits())) bits.add(c.keyBits());
            }
        }
        return List.copyOf(bits);
    }
}
