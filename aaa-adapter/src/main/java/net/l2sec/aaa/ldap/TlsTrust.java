package net.l2sec.aaa.ldap;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Certificate checks for LDAPS and StartTLS: the chain must lead to a trusted CA (PKIX, via the JDK) and the leaf
 * must name the host the URL names (RFC 4513 section 3.1.3 with RFC 6125 rules). The Apache LDAP API does not
 * verify host names itself, so every connection gets a trust manager bound to its host.
 */
final class TlsTrust {
    private final X509ExtendedTrustManager pkix;

    private TlsTrust(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** Trusts the CA certificates in {@code pemFile}, or the JVM's default trust store when empty. */
    static TlsTrust load(Optional<Path> pemFile) throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        if (pemFile.isPresent()) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            Collection<? extends java.security.cert.Certificate> certs;
            try (InputStream in = Files.newInputStream(pemFile.get())) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) throw new CertificateException("no certificate in " + pemFile.get());
            int i = 0;
            for (var c : certs) store.setCertificateEntry("ca" + i++, c);
            tmf.init(store);
        } else {
            tmf.init((KeyStore) null);
        }
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) return new TlsTrust(x);
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    /** A trust manager that accepts only certificates for {@code host}. */
    X509TrustManager forHost(String host) {
        return new HostBound(pkix, host);
    }

    /**
     * RFC 6125 section 6: an IP literal must match an iPAddress subjectAltName; a DNS name matches a dNSName
     * subjectAltName (case-insensitive, a {@code *} only as the whole left-most label, covering one label); the
     * subject CN counts only when the certificate has no dNSName at all (section 6.4.4).
     */
    static boolean matchesHost(X509Certificate cert, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<String> dnsNames = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2) dnsNames.add((String) san.get(1));
                    if (type == 7) ips.add((String) san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (isIpLiteral(h)) {
            InetAddress want = InetAddress.ofLiteral(h);
            for (String ip : ips) {
                try {
                    if (InetAddress.ofLiteral(ip).equals(want)) return true;
                } catch (IllegalArgumentException ignored) {
                    // not comparable
                }
            }
            return false;
        }
        if (dnsNames.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN") && dnsNameMatches(rdn.getValue().toString(), h)) return true;
                }
            } catch (InvalidNameException e) {
                return false;
            }
            return false;
        }
        for (String name : dnsNames) {
            if (dnsNameMatches(name, h)) return true;
        }
        return false;
    }

    static boolean dnsNameMatches(String pattern, String host) {
        String p = stripDot(pattern.toLowerCase(Locale.ROOT));
        String h = stripDot(host.toLowerCase(Locale.ROOT));
        if (!p.startsWith("*.")) return p.equals(h);
        int dot = h.indexOf('.');
        if (dot <= 0) return false;
        String suffix = p.substring(2);
        // a wildcard never covers a public suffix-like single label ("*.com")
        return suffix.contains(".") && h.substring(dot + 1).equals(suffix);
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean isIpLiteral(String host) {
        if (host.contains(":")) return true;
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** PKIX chain validation by the JDK, then the host-name check on the leaf. */
    private static final class HostBound extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;
        private final String host;

        HostBound(X509ExtendedTrustManager pkix, String host) {
            this.pkix = pkix;
            this.host = host;
        }

        private void checkHost(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !matchesHost(chain[0], host)) {
                throw new CertificateException("server certificate "
                        + (chain == null || chain.length == 0 ? "missing" : chain[0].getSubjectX500Principal().getName())
                        + " does not name host " + host);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            checkHost(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            checkHost(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            checkHost(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client role not supported");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client role not supported");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client role not supported");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
