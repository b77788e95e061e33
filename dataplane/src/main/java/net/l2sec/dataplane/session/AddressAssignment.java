package net.l2sec.dataplane.session;

import java.net.Inet4Address;
import java.util.Optional;
import java.util.function.Function;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.EndCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's IPv4 address for one Network phase, which IPCP then offers (RFC 1332 section 3.3): the RADIUS
 * Framed-IP-Address when the authorization carries one (taken out of the pool when it lies in one, so that no one
 * else gets it), else the lowest free address of the pool the authorization names, or of the default pool.
 */
public final class AddressAssignment {
    /** The session's log lines, under the session's logger. */
    private final Logger log;
    private final String tag;
    private final Function<String, Optional<Ipv4Pool>> pools;
    private final String defaultPool;
    /** Where the address goes back to; null for a fixed address outside the pool. */
    private Ipv4Pool pool;
    private int address;
    private boolean assigned;

    /** Logs under {@code AddressAssignment}. */
    public AddressAssignment(String tag, Function<String, Optional<Ipv4Pool>> pools, String defaultPool) {
        this(tag, pools, defaultPool, LoggerFactory.getLogger(AddressAssignment.class));
    }

    /** @param log the session's logger: its address lines read with its other lines */
    public AddressAssignment(String tag, Function<String, Optional<Ipv4Pool>> pools, String defaultPool, Logger log) {
        this.log = log;
        this.tag = tag;
        this.pools = pools;
        this.defaultPool = defaultPool;
    }

    /**
     * Takes an address for {@code authorization}; when there is none, why the session must end. A session that has
     * its address already (a Network phase after an LCP renegotiation) keeps it, whatever this authorization says.
     */
    public Optional<EndCause> assign(Authorization authorization) {
        if (assigned) {
            log.info("session={} address kept {}", tag, Ipv4.fromInt(address).getHostAddress());
            return Optional.empty();
        }
        String poolName = authorization.pool().orElse(defaultPool);
        Optional<Ipv4Pool> found = pools.apply(poolName);
        if (found.isEmpty()) {
            log.warn("session={} no address pool named {}", tag, LogText.quote(poolName));
            return Optional.of(EndCause.NO_POOL);
        }
        if (authorization.address().isPresent()) {
            int fixed = Ipv4.toInt(authorization.address().get());
            if (found.get().contains(fixed)) {
                if (!found.get().allocate(fixed)) {
                    log.warn("session={} assigned address {} already in use", tag, authorization.address().get().getHostAddress());
                    return Optional.of(EndCause.ADDRESS_IN_USE);
                }
                pool = found.get();
            } else {
                pool = null;
            }
            address = fixed;
        } else {
            Optional<Integer> free = found.get().allocate();
            if (free.isEmpty()) {
                log.warn("session={} address pool {} exhausted", tag, LogText.quote(poolName));
                return Optional.of(EndCause.POOL_EXHAUSTED);
            }
            pool = found.get();
            address = free.get();
        }
        assigned = true;
        log.info("session={} address assigned {} pool={}", tag, Ipv4.fromInt(address).getHostAddress(),
                pool != null ? LogText.quote(poolName) : "-");
        return Optional.empty();
    }

    /** Gives the address back to its pool (the session ends). */
    public void release() {
        if (!assigned) return;
        if (pool != null) pool.release(address);
        assigned = false;
    }

    /** The assigned address; meaningful while {@link #current()} is present. */
    public int address() {
        return address;
    }

    public Optional<Inet4Address> current() {
        return assigned ? Optional.of(Ipv4.fromInt(address)) : Optional.empty();
    }
}
