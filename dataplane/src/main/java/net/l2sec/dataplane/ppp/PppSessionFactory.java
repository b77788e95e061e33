package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.SessionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.PppEndpointFactory;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.LoggerFactory;

/** Starts a server-side {@link PppSession} on each new L2TP session. */
public final class PppSessionFactory implements PppEndpointFactory {
    private volatile PppServices services;

    public PppSessionFactory(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                             ClientRoutes routes, IpEgress egress, Scheduler scheduler, MeterRegistry registry) {
        this(settings, authenticator, pools, routes, egress, scheduler, registry, new SecureRandom());
    }

    /** @param random source of Magic-Numbers, Identifiers and challenges (tests inject the RFC's challenges) */
    public PppSessionFactory(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                             ClientRoutes routes, IpEgress egress, Scheduler scheduler, MeterRegistry registry,
                             RandomGenerator random) {
        this(settings, authenticator, pools, routes, egress, scheduler, registry, random, new SessionRegistry());
    }

    /** @param sessions the registry established sessions report to (accounting, Disconnect/CoA, admin) */
    public PppSessionFactory(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                             ClientRoutes routes, IpEgress egress, Scheduler scheduler, MeterRegistry registry,
                             RandomGenerator random, SessionRegistry sessions) {
        this(settings, authenticator, pools, routes, egress, scheduler, registry, random, sessions,
                new AuthThrottle(scheduler, settings.authThrottle()));
    }

    /** @param throttle the authentication throttle this factory shares with the other worker loops' factories */
    public PppSessionFactory(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                             ClientRoutes routes, IpEgress egress, Scheduler scheduler, MeterRegistry registry,
                             RandomGenerator random, SessionRegistry sessions, AuthThrottle throttle) {
        this.services = new PppServices(settings, authenticator, pools, routes, egress, scheduler, new PppMeters(registry),
                random, sessions, throttle,
                new RefusalLog(LoggerFactory.getLogger(PppSession.class), scheduler), name -> Optional.empty());
    }

    /**
     * With IPv6 pools: sessions get a /64 of {@code settings.ipv6().pool()} when it names one of them.
     */
    public PppSessionFactory(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                             Function<String, Optional<Ipv6Pool>> pools6, ClientRoutes routes, IpEgress egress,
                             Scheduler scheduler, MeterRegistry registry, RandomGenerator random,
                             SessionRegistry sessions, AuthThrottle throttle) {
        this.services = new PppServices(settings, authenticator, pools, routes, egress, scheduler, new PppMeters(registry),
                random, sessions, throttle, new RefusalLog(LoggerFactory.getLogger(PppSession.class), scheduler), pools6);
    }

    /**
     * Reload: sessions opened from now on use these settings, backend and pools; established sessions keep theirs.
     * Call on the event loop.
     */
    public void reconfigure(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools) {
        reconfigure(settings, authenticator, pools, services.pools6());
    }

    /** {@link #reconfigure(PppSettings, Authenticator, Function)} with the next IPv6 pools. */
    public void reconfigure(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                            Function<String, Optional<Ipv6Pool>> pools6) {
        PppServices s = services;
        s.throttle().settings(settings.authThrottle());
        services = new PppServices(settings, authenticator, pools, s.routes(), s.egress(), s.scheduler(), s.meters(),
                s.random(), s.registry(), s.throttle(), s.refusals(), pools6);
    }

    /** The established sessions of this factory. */
    public SessionRegistry sessions() {
        return services.registry();
    }

    @Override
    public PppEndpoint open(SessionContext context, PppLink link) {
        return openSession(context, link);
    }

    /** {@link #open} with the concrete type, for callers that need the session's counters. */
    public PppSession openSession(SessionContext context, PppLink link) {
        var session = new PppSession(context, link, services);
        session.start();
        return session;
    }
}
