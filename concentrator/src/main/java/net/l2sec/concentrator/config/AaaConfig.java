package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import net.l2sec.aaa.policy.Policy;
import net.l2sec.spi.auth.AuthMethod;

/**
 * The {@code aaa} section, validated: backends, method routing and the authorization policy. Every part compares
 * by value, secrets by their octets (a reload keeps a backend whose settings are equal).
 *
 * @param localUsersFile the local user file, when the local backend is configured
 * @param radius         RADIUS servers, accounting and Disconnect/CoA
 * @param ldap           LDAP / Active Directory
 * @param methods        which backends verify which method, in order ({@code local}, {@code radius}, {@code ldap})
 * @param groupsFromLdap look groups up in LDAP also for users another backend authenticated
 * @param policy         ordered authorization rules
 */
public record AaaConfig(Optional<Path> localUsersFile, Optional<Radius> radius, Optional<Ldap> ldap,
                        Map<AuthMethod, List<String>> methods, boolean groupsFromLdap, Policy policy) {

    /** One RADIUS server; {@code secret} is never shown by toString. */
    public record RadiusServer(String name, InetSocketAddress authentication, Optional<InetSocketAddress> accounting,
                               byte[] secret, boolean requireMessageAuthenticator) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RadiusServer s && name.equals(s.name) && authentication.equals(s.authentication)
                    && accounting.equals(s.accounting) && Arrays.equals(secret, s.secret)
                    && requireMessageAuthenticator == s.requireMessageAuthenticator;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, authentication, accounting, Arrays.hashCode(secret), requireMessageAuthenticator);
        }

        @Override
        public String toString() {
            return "RadiusServer[" + name + " auth=" + authentication + " acct=" + accounting.map(String::valueOf).orElse("-")
                    + " secret=<redacted> require-message-authenticator=" + requireMessageAuthenticator + "]";
        }
    }

    /**
     * RADIUS: the servers and client settings authentication uses, and the services (accounting, Disconnect/CoA)
     * that run beside it.
     */
    public record Radius(List<RadiusServer> servers, Duration timeout, int retries, Duration deadTime,
                         String nasIdentifier, Optional<Inet4Address> nasIpAddress, List<String> groupAttributes,
                         Accounting accounting, Optional<DynamicAuthorization> dynamicAuthorization) {}

    /** RFC 2866 accounting: records spooled in {@code spoolDir} until acknowledged. */
    public record Accounting(boolean enabled, Duration interimInterval, Path spoolDir) {}

    /** RFC 5176 Disconnect/CoA listener. */
    public record DynamicAuthorization(InetSocketAddress listen, List<DynamicAuthorizationClient> clients,
                                       Duration replayWindow, boolean requireEventTimestamp) {}

    public record DynamicAuthorizationClient(InetAddress address, byte[] secret) {
        @Override
        public boolean equals(Object o) {
            return o instanceof DynamicAuthorizationClient c && address.equals(c.address) && Arrays.equals(secret, c.secret);
        }

        @Override
        public int hashCode() {
            return Objects.hash(address, Arrays.hashCode(secret));
        }

        @Override
        public String toString() {
            return "DynamicAuthorizationClient[" + address.getHostAddress() + " secret=<redacted>]";
        }
    }

    public record Ldap(List<URI> urls, boolean startTls, Optional<Path> trustedCertificates, String bindDn, byte[] bindPassword,
                       String baseDn, Optional<String> userFilter, String groupMode, int poolSize, Duration connectTimeout,
                       Duration operationTimeout, Duration deadTime) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ldap l && urls.equals(l.urls) && startTls == l.startTls
                    && trustedCertificates.equals(l.trustedCertificates) && bindDn.equals(l.bindDn)
                    && Arrays.equals(bindPassword, l.bindPassword) && baseDn.equals(l.baseDn)
                    && userFilter.equals(l.userFilter) && groupMode.equals(l.groupMode) && poolSize == l.poolSize
                    && connectTimeout.equals(l.connectTimeout) && operationTimeout.equals(l.operationTimeout)
                    && deadTime.equals(l.deadTime);
        }

        @Override
        public int hashCode() {
            return Objects.hash(urls, startTls, trustedCertificates, bindDn, Arrays.hashCode(bindPassword), baseDn,
                    userFilter, groupMode, poolSize, connectTimeout, operationTimeout, deadTime);
        }

        @Override
        public String toString() {
            return "Ldap[" + urls + " bind-dn=" + bindDn + " password=<redacted> base-dn=" + baseDn + "]";
        }
    }
}
