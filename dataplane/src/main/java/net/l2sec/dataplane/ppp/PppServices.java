package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.SessionRegistry;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.IpEgress;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.spi.time.Scheduler;

/**
 * What every PPP session of a factory shares: settings, the authentication backend, address pools, routes, the
 * egress, the loop's scheduler, meters, the random source, the registry of sessions, the authentication throttle and
 * the log of refusals, the IPv6 pools. One value, so that a reload can swap it whole (the throttle and the refusal log carry on).
 */
record PppServices(PppSettings settings, Authenticator authenticator, Function<String, Optional<Ipv4Pool>> pools,
                   ClientRoutes routes, IpEgress egress, Scheduler scheduler, PppMeters meters, RandomGenerator random,
                   SessionRegistry registry, AuthThrottle throttle, RefusalLog refusals,
                   Function<String, Optional<Ipv6Pool>> pools6) {}
