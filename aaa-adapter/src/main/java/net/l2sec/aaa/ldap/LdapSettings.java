package net.l2sec.aaa.ldap;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link LdapAuthenticator} reaches the directory.
 *
 * @param urls                {@code ldap://host[:port]} or {@code ldaps://host[:port]}, tried in order: the first
 *                            live one serves, a failing one is skipped for {@code deadTime} (domain controller failover)
 * @param startTls            upgrade {@code ldap://} connections with StartTLS (RFC 4511 section 4.14) before binding;
 *                            ignored for {@code ldaps://}
 * @param trustedCertificates PEM file of the CA certificates that may sign the servers' certificates; empty = the JVM's
 *                            default trust store. The server certificate must also name the URL's host (RFC 4513
 *                            section 3.1.3, RFC 6125), an IP literal must be an iPAddress subjectAltName.
 * @param bindDn              the service account that searches users and groups (AD also accepts {@code user@realm})
 * @param bindPassword        its password (UTF-8); never logged, {@link #toString()} redacts it
 * @param baseDn              where users and groups are searched (subtree)
 * @param userFilter          filter with {@value LdapNames#USER_PLACEHOLDER}, replaced by the escaped user name
 * @param groupMode           how nested groups are resolved
 * @param poolSize            service-account connections kept per server
 * @param connectTimeout      TCP connect (and TLS handshake) limit
 * @param operationTimeout    limit for each LDAP operation's response
 * @param deadTime            how long a failed server is skipped
 */
public record LdapSettings(List<URI> urls, boolean startTls, Optional<Path> trustedCertificates, String bindDn,
                           byte[] bindPassword, String baseDn, String userFilter, GroupMode groupMode, int poolSize,
                           Duration connectTimeout, Duration operationTimeout, Duration deadTime) {
    /** Matches an AD user by sAMAccountName or by userPrincipalName. */
    public static final String AD_USER_FILTER =
            "(&(objectClass=user)(|(sAMAccountName={user})(userPrincipalName={user})))";
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DEAD_TIME = Duration.ofSeconds(30);

    public LdapSettings {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) throw new IllegalArgumentException("at least one LDAP URL is needed");
        for (URI u : urls) {
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ldap") && !scheme.equals("ldaps")) {
                throw new IllegalArgumentException("LDAP URL must be ldap:// or ldaps://: " + u);
            }
            if (u.getHost() == null || u.getHost().isEmpty()) throw new IllegalArgumentException("LDAP URL without host: " + u);
        }
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        if (bindDn == null || bindDn.isBlank()) throw new IllegalArgumentException("bindDn is empty");
        Objects.requireNonNull(bindPassword, "bindPassword");
        bindPassword = bindPassword.clone();
        if (baseDn == null || baseDn.isBlank()) throw new IllegalArgumentException("baseDn is empty");
        if (userFilter == null || !userFilter.contains(LdapNames.USER_PLACEHOLDER)
                || !userFilter.startsWith("(") || !userFilter.endsWith(")")) {
            throw new IllegalArgumentException("userFilter must be a parenthesized filter containing "
                    + LdapNames.USER_PLACEHOLDER + ": " + userFilter);
        }
        Objects.requireNonNull(groupMode, "groupMode");
        if (poolSize < 1) throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("operationTimeout", operationTimeout);
        requirePositive("deadTime", deadTime);
    }

    /** Active Directory defaults: {@link #AD_USER_FILTER}, {@link GroupMode#AD_IN_CHAIN}, default pool and timeouts. */
    public static LdapSettings activeDirectory(List<URI> urls, boolean startTls, Optional<Path> trustedCertificates,
                                               String bindDn, byte[] bindPassword, String baseDn) {
        return new LdapSettings(urls, startTls, trustedCertificates, bindDn, bindPassword, baseDn, AD_USER_FILTER,
                GroupMode.AD_IN_CHAIN, DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_OPERATION_TIMEOUT,
                DEFAULT_DEAD_TIME);
    }

    public LdapSettings withUrls(List<URI> newUrls) {
        return new LdapSettings(newUrls, startTls, trustedCertificates, bindDn, bindPassword, baseDn, userFilter,
                groupMode, poolSize, connectTimeout, operationTimeout, deadTime);
    }

    public LdapSettings withStartTls(boolean newStartTls) {
        return new LdapSettings(urls, newStartTls, trustedCertificates, bindDn, bindPassword, baseDn, userFilter,
                groupMode, poolSize, connectTimeout, operationTimeout, deadTime);
    }

    public LdapSettings withTimeouts(Duration newConnectTimeout, Duration newOperationTimeout, Duration newDeadTime) {
        return new LdapSettings(urls, startTls, trustedCertificates, bindDn, bindPassword, baseDn, userFilter,
                groupMode, poolSize, newConnectTimeout, newOperationTimeout, newDeadTime);
    }

    public LdapSettings withGroupMode(GroupMode newGroupMode, String newUserFilter) {
        return new LdapSettings(urls, startTls, trustedCertificates, bindDn, bindPassword, baseDn, newUserFilter,
                newGroupMode, poolSize, connectTimeout, operationTimeout, deadTime);
    }

    @Override
    public byte[] bindPassword() {
        return bindPassword.clone();
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
    }

    @Override
    public String toString() {
        return "LdapSettings[urls=" + urls + ", startTls=" + startTls + ", trustedCertificates="
                + trustedCertificates.map(Path::toString).orElse("<jvm default>") + ", bindDn=" + bindDn
                + ", bindPassword=<redacted>, baseDn=" + baseDn + ", userFilter=" + userFilter + ", groupMode="
                + groupMode + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + ", operationTimeout="
                + operationTimeout + ", deadTime=" + deadTime + "]";
    }
}
