package net.l2sec.aaa.radius;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One RADIUS server as configured.
 *
 * @param name                        operator-facing name, used in log lines and as the {@code server} metric tag
 * @param auth                        authentication address (usually port 1812)
 * @param accounting                  accounting address (usually port 1813), empty when the server takes no accounting
 * @param secret                      the shared secret (RFC 2865 section 3); never logged
 * @param requireMessageAuthenticator drop Access-Accept/Reject/Challenge without a valid Message-Authenticator
 *                                    (BlastRADIUS, CVE-2024-3596). True unless the operator explicitly configures a
 *                                    legacy server that cannot send one.
 */
public record RadiusServer(String name, InetSocketAddress auth, Optional<InetSocketAddress> accounting, byte[] secret,
                           boolean requireMessageAuthenticator) {
    public RadiusServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(accounting, "accounting");
        Objects.requireNonNull(secret, "secret");
        if (name.isBlank() || !name.matches("[A-Za-z0-9_.:-]+")) {
            throw new IllegalArgumentException("RADIUS server name must be letters, digits, '_', '.', ':' or '-': " + name);
        }
        if (auth.isUnresolved()) throw new IllegalArgumentException("RADIUS server " + name + ": unresolved auth address " + auth);
        if (auth.getPort() == 0) throw new IllegalArgumentException("RADIUS server " + name + ": auth port 0");
        accounting.ifPresent(a -> {
            if (a.isUnresolved() || a.getPort() == 0) {
                throw new IllegalArgumentException("RADIUS server " + name + ": bad accounting address " + a);
            }
        });
        if (secret.length == 0) throw new IllegalArgumentException("RADIUS server " + name + ": empty shared secret");
        secret = secret.clone();
    }

    /** With Message-Authenticator required (the safe default). */
    public RadiusServer(String name, InetSocketAddress auth, Optional<InetSocketAddress> accounting, byte[] secret) {
        this(name, auth, accounting, secret, true);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusServer s && name.equals(s.name) && auth.equals(s.auth) && accounting.equals(s.accounting)
                && java.security.MessageDigest.isEqual(secret, s.secret)
                && requireMessageAuthenticator == s.requireMessageAuthenticator;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, auth, accounting, requireMessageAuthenticator);
    }

    @Override
    public String toString() {
        return "RadiusServer[name=" + name + ", auth=" + auth + ", accounting=" + accounting.map(Object::toString).orElse("-")
                + ", secret=<redacted>, requireMessageAuthenticator=" + requireMessageAuthenticator + "]";
    }
}
