package net.l2sec.aaa.radius;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * RADIUS client configuration shared by authentication and accounting.
 *
 * @param servers         tried in this order; a server that did not answer is skipped for {@code deadTime}
 * @param timeout         how long to wait for an answer to one transmission
 * @param retries         retransmissions to the same server after the first transmission timed out
 * @param deadTime        how long a server that did not answer stays out of rotation
 * @param nasIdentifier   NAS-Identifier (RFC 2865 section 5.32) sent in every request
 * @param nasIpAddress    NAS-IP-Address (RFC 2865 section 5.4), sent when present
 * @param groupAttributes names of reply attributes whose string values become the user's groups
 */
public record RadiusClientSettings(List<RadiusServer> servers, Duration timeout, int retries, Duration deadTime,
                                   String nasIdentifier, Optional<Inet4Address> nasIpAddress,
                                   List<String> groupAttributes) {
    /** The default {@link #groupAttributes()}. */
    public static final List<String> DEFAULT_GROUP_ATTRIBUTES = List.of("Filter-Id");

    public RadiusClientSettings {
        servers = List.copyOf(servers);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(deadTime, "deadTime");
        Objects.requireNonNull(nasIdentifier, "nasIdentifier");
        Objects.requireNonNull(nasIpAddress, "nasIpAddress");
        groupAttributes = List.copyOf(groupAttributes);
        if (servers.isEmpty()) throw new IllegalArgumentException("at least one RADIUS server is required");
        var names = new HashSet<String>();
        for (RadiusServer s : servers) {
            if (!names.add(s.name())) throw new IllegalArgumentException("duplicate RADIUS server name " + s.name());
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("RADIUS timeout must be between 0 and 60 s: " + timeout);
        }
        if (retries < 0 || retries > 10) throw new IllegalArgumentException("RADIUS retries must be 0..10: " + retries);
        if (deadTime.isNegative()) throw new IllegalArgumentException("RADIUS dead time must not be negative: " + deadTime);
        if (nasIdentifier.isEmpty() || nasIdentifier.length() > 253) {
            throw new IllegalArgumentException("NAS-Identifier must be 1..253 characters");
        }
        if (groupAttributes.stream().anyMatch(a -> RadiusDictionary.get().getAttributeTemplate(a).isEmpty())) {
            throw new IllegalArgumentException("unknown RADIUS attribute in group attributes " + groupAttributes);
        }
    }

    /** Defaults: 3 s timeout, 2 retries, 30 s dead time, no NAS-IP-Address, groups from Filter-Id. */
    public static RadiusClientSettings of(List<RadiusServer> servers, String nasIdentifier) {
        return new RadiusClientSettings(servers, Duration.ofSeconds(3), 2, Duration.ofSeconds(30), nasIdentifier,
                Optional.empty(), DEFAULT_GROUP_ATTRIBUTES);
    }
}
