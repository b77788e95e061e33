package net.l2sec.dataplane.session;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.LoggerFactory;

/**
 * Opens IKEv2 clients' sessions on one worker event loop: what the IKEv2 responder calls once a client has
 * authenticated (IKE_AUTH with EAP done, RFC 7296 section 2.16), to learn what its configuration payload gives the
 * client (RFC 7296 section 3.15: INTERNAL_IP4_ADDRESS, INTERNAL_IP6_ADDRESS, DNS, NBNS) and what its traffic
 * selectors may narrow to. One per worker loop, like {@code PppSessionFactory}; the {@link SessionRegistry} is shared
 * by every loop and both kinds of session. Call on the loop.
 */
public final class RemoteAccessSessions {
    /** Per process: every IKEv2 session's id, 1 to 65535, whatever worker it opens on. */
    private static final AtomicInteger IDS = new AtomicInteger();

    /** What the responder hears from a session it opened. Called on the session's loop. */
    public interface Listener {
        /**
         * The session must end for {@code cause} (an operator's or a RADIUS Disconnect-Request, Session-Timeout,
         * Idle-Timeout): the responder deletes the IKE SA (INFORMATIONAL with a Delete payload, RFC 7296 section
         * 1.4.1) and then calls {@link RemoteAccessSession#close}. Told once.
         */
        void disconnectRequested(EndCause cause);
    }

    /** What {@link #open} gives: a session and what the client is told, or why not. */
    public sealed interface Opening permits Opened, Refused {}

    /**
     * The session is open: its address is routed to it, accounting has its Start.
     *
     * @param address   INTERNAL_IP4_ADDRESS
     * @param address6  INTERNAL_IP6_ADDRESS (with prefix length 64) when the client asked for one and a /64 was free
     * @param prefix6   that /64 (every source in it is the client's)
     * @param dns       INTERNAL_IP4_DNS: the authorization's servers, else {@code ppp.dns}
     * @param dns6      INTERNAL_IP6_DNS, for a session with a /64
     * @param nbns      INTERNAL_IP4_NBNS
     * @param routes    the split-tunnel routes (policy rule {@code routes:}, RADIUS Framed-Route): what the traffic
     *                  selectors TSr may narrow to (empty: everything through the tunnel), also answered to DHCPINFORM
     * @param domain    the DNS domain (answered to DHCPINFORM; INTERNAL_DNS_DOMAIN of RFC 8598 when the client asks)
     */
    public record Opened(RemoteAccessSession session, Inet4Address address, Optional<Inet6Address> address6,
                         Optional<Ipv6Prefix> prefix6, List<Inet4Address> dns, List<Inet6Address> dns6,
                         List<Inet4Address> nbns, List<Ipv4Route> routes, Optional<String> domain) implements Opening {}

    /**
     * No session: {@code cause} is {@link EndCause#SESSION_LIMIT}, {@link EndCause#RULE_SESSION_LIMIT},
     * {@link EndCause#NO_POOL}, {@link EndCause#POOL_EXHAUSTED} or {@link EndCause#ADDRESS_IN_USE}; counted
     * ({@code l2sec.ikev2.sessions.refused}) and logged. The responder answers IKE_AUTH with an error
     * (INTERNAL_ADDRESS_FAILURE for the address causes, AUTHENTICATION_FAILED for the limits) and counts it too.
     */
    public record Refused(EndCause cause, String detail) implements Opening {}

    /** Everything the sessions of this loop share; replaced whole on reload. */
    record Services(RemoteAccessSettings settings, Function<String, Optional<Ipv4Pool>> pools,
                    Function<String, Optional<Ipv6Pool>> pools6, ClientRoutes routes, IpEgress egress,
                    Scheduler scheduler, SessionRegistry registry, RemoteAccessMeters meters, RefusalLog refusals) {}

    private final Clock clock;
    private volatile Services services;

    /**
     * @param pools    the IPv4 pools by name (the same as PPP sessions')
     * @param pools6   the IPv6 pools by name
     * @param routes   this worker's client routes (the TUN device's packets to a client address go to its session)
     * @param egress   this worker's way to the TUN device
     * @param registry the registry every loop's sessions report to (accounting, admin, Disconnect/CoA, limits)
     * @param meters   this worker's meter registry
     */
    public RemoteAccessSessions(RemoteAccessSettings settings, Function<String, Optional<Ipv4Pool>> pools,
                                Function<String, Optional<Ipv6Pool>> pools6, ClientRoutes routes, IpEgress egress,
                                Scheduler scheduler, SessionRegistry registry, MeterRegistry meters, Clock clock) {
        this.clock = clock;
        this.services = new Services(settings, pools, pools6, routes, egress, scheduler, registry,
                new RemoteAccessMeters(meters),
                new RefusalLog(LoggerFactory.getLogger(RemoteAccessSession.class), scheduler));
    }

    public RemoteAccessSessions(RemoteAccessSettings settings, Function<String, Optional<Ipv4Pool>> pools,
                                Function<String, Optional<Ipv6Pool>> pools6, ClientRoutes routes, IpEgress egress,
                                Scheduler scheduler, SessionRegistry registry, MeterRegistry meters) {
        this(settings, pools, pools6, routes, egress, scheduler, registry, meters, Clock.systemUTC());
    }

    /** Reload: sessions opened from now on get these settings and pools; open ones keep theirs. */
    public void reconfigure(RemoteAccessSettings settings, Function<String, Optional<Ipv4Pool>> pools,
                            Function<String, Optional<Ipv6Pool>> pools6) {
        Services s = services;
        services = new Services(settings, pools, pools6, s.routes(), s.egress(), s.scheduler(), s.registry(), s.meters(),
                s.refusals());
    }

    /**
     * A new session's context: the IKE SA's tag, the client's outer address, what it said about itself (IKE vendor
     * IDs, DH group), now, and an id unique in this process ({@link SessionContext#ikev2}) so that its Acct-Session-Id
     * and NAS-Port are unique as L2TP sessions' are. Take it before authentication: the Access-Request carries them.
     */
    public SessionContext context(String ikeSaTag, InetSocketAddress peer, ClientIdentity client) {
        return SessionContext.ikev2(ikeSaTag, peer, nextId(), clock.instant(), client);
    }

    static int nextId() {
        return IDS.updateAndGet(n -> n >= 0xffff ? 1 : n + 1);
    }

    /**
     * Opens the session of an authenticated client: its place in the session limits, its address (and /64 when
     * {@code wantsIpv6} and {@code ppp.pool6} is set), its routes, its timers; accounting's Start. Packets from the
     * TUN device to its address go to the session ({@link RemoteAccessSession#sendIp}) and on through
     * {@code toClient}; the responder hands what the client's SAs carry to the session as their
     * {@link net.l2sec.dataplane.ipsec.TunnelEnd}.
     *
     * @param method how the client authenticated (EAP-MSCHAPv2: {@link AuthMethod#EAP_MSCHAPV2})
     * @param accept the backend's accept: the user and the authorization
     */
    public Opening open(SessionContext context, AuthMethod method, AuthResult.Accept accept, boolean wantsIpv6,
                        TunnelSender toClient, Listener listener) {
        return RemoteAccessSession.open(context, method, accept, wantsIpv6, toClient, listener, services);
    }
}
