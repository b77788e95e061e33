package net.l2sec.dataplane.ppp;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;

/**
 * PPP behaviour knobs (config section {@code ppp}).
 *
 * @param authMethods      methods we offer, most preferred first (LCP Authentication-Protocol; a Configure-Nak
 *                         from the peer moves to the next one it accepts). Default: MS-CHAPv2 first.
 * @param mru              our MRU (RFC 1661 section 6.1)
 * @param localAddress     our IPCP IP-Address: the concentrator's tunnel-side address the client sees as peer
 * @param dns              primary and secondary DNS offered (RFC 1877), zero to two entries
 * @param wins             primary and secondary NBNS offered (RFC 1877); empty means the options are rejected
 * @param defaultPool      the pool addresses come from unless authorization names another
 * @param echoInterval     LCP Echo-Request interval once the link is up (zero disables)
 * @param echoFailures     unanswered echoes after which the peer is declared dead
 * @param restartTimer     RFC 1661 Restart timer
 * @param maxConfigure     RFC 1661 Max-Configure
 * @param maxTerminate     RFC 1661 Max-Terminate
 * @param maxFailure       RFC 1661 Max-Failure
 * @param authTimeout      time allowed for the whole authentication phase, backend included
 */
public record PppSettings(List<AuthMethod> authMethods, int mru, Inet4Address localAddress, List<Inet4Address> dns,
                          List<Inet4Address> wins, String defaultPool, Duration echoInterval, int echoFailures,
                          Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure,
                          Duration authTimeout) {
    public PppSettings {
        authMethods = List.copyOf(authMethods);
        dns = List.copyOf(dns);
        wins = List.copyOf(wins);
        if (authMethods.isEmpty()) throw new IllegalArgumentException("at least one authentication method");
        if (dns.size() > 2 || wins.size() > 2) throw new IllegalArgumentException("at most two DNS and two WINS servers");
    }

    public Optional<Inet4Address> primaryDns() {
        return dns.isEmpty() ? Optional.empty() : Optional.of(dns.get(0));
    }

    public Optional<Inet4Address> secondaryDns() {
        return dns.size() < 2 ? Optional.empty() : Optional.of(dns.get(1));
    }
}
