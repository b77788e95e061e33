package net.l2sec.aaa.radius;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Dynamic Authorization server (RFC 5176).
 *
 * @param listen                address and port to receive on (RFC 5176 section 3: UDP 3799 by default)
 * @param clients               who may send requests, each with its shared secret; everyone else is ignored
 * @param replayWindow          how far an Event-Timestamp may lie from our clock, and how long answers are kept to
 *                              answer retransmissions (RFC 5176 section 3.4 suggests 300 seconds)
 * @param requireEventTimestamp discard requests without Event-Timestamp (replay protection, RFC 5176 section 3.4)
 * @param nasIdentifier         our NAS-Identifier: a request naming another NAS gets Error-Cause 403
 * @param nasIpAddress          our NAS-IP-Address, likewise
 */
public record DynamicAuthorizationSettings(InetSocketAddress listen, List<DynamicAuthorizationClient> clients,
                                           Duration replayWindow, boolean requireEventTimestamp, String nasIdentifier,
                                           Optional<Inet4Address> nasIpAddress) {
    public static final int DEFAULT_PORT = 3799;
    public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofSeconds(300);

    public DynamicAuthorizationSettings {
        clients = List.copyOf(clients);
        if (replayWindow.isNegative() || replayWindow.isZero()) throw new IllegalArgumentException("replayWindow " + replayWindow);
        if (nasIdentifier == null || nasIdentifier.isBlank()) throw new IllegalArgumentException("nasIdentifier");
        if (clients.stream().map(DynamicAuthorizationClient::address).distinct().count() != clients.size()) {
            throw new IllegalArgumentException("a Dynamic Authorization client address is listed twice");
        }
    }

    /** A 300 s replay window, Event-Timestamp required. */
    public static DynamicAuthorizationSettings of(InetSocketAddress listen, List<DynamicAuthorizationClient> clients,
                                                  String nasIdentifier, Optional<Inet4Address> nasIpAddress) {
        return new DynamicAuthorizationSettings(listen, clients, DEFAULT_REPLAY_WINDOW, true, nasIdentifier, nasIpAddress);
    }
}
