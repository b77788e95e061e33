package net.l2sec.dataplane.session;

import java.util.Optional;
import java.util.function.Function;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv6Framing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's IPv6 /64 for the session, which its Router Advertisements carry (RFC 4861 section 4.6.2): the
 * RADIUS Framed-IPv6-Prefix (RFC 3162 section 2.3) when the authorization carries a /64 (taken out of the pool
 * when it lies in one, so that no one else gets it), else the lowest free /64 of the configured IPv6 pool. A PPP session keeps it across LCP renegotiations; every session gives it back
 * when it ends. Without one the session stays IPv4-only (PPP: IPV6CP is Protocol-Rejected); it never ends for want
 * of IPv6.
 */
public final class PrefixAssignment {
    /** The session's log lines, under the session's logger. */
    private final Logger log;
    private final String tag;
    private final Function<String, Optional<Ipv6Pool>> pools;
    private final Optional<String> poolName;
    private Ipv6Pool pool;
    private long prefix64;
    private boolean assigned;

    /** Logs under {@code PrefixAssignment}. */
    public PrefixAssignment(String tag, Function<String, Optional<Ipv6Pool>> pools, Optional<String> poolName) {
        this(tag, pools, poolName, LoggerFactory.getLogger(PrefixAssignment.class));
    }

    /** @param log the session's logger */
    public PrefixAssignment(String tag, Function<String, Optional<Ipv6Pool>> pools, Optional<String> poolName, Logger log) {
        this.log = log;
        this.tag = tag;
        this.pools = pools;
        this.poolName = poolName;
    }

    /**
     * Takes a /64 for {@code authorization}; false when there is none (the session stays IPv4-only). A session that
     * has its /64 already (a Network phase after an LCP renegotiation) keeps it.
     */
    public boolean assign(Authorization authorization) {
        if (assigned) return true;
        if (poolName.isEmpty()) return false;
        Optional<Ipv6Pool> found = pools.apply(poolName.get());
        if (found.isEmpty()) {
            log.warn("session={} no IPv6 pool named {}: IPv4 only", tag, LogText.quote(poolName.get()));
            return false;
        }
        Optional<Ipv6Framing.Prefix> framed = authorization.ipv6().framedPrefix();
        if (framed.isPresent() && framed.get().length() != 64) {
            log.warn("session={} Framed-IPv6-Prefix {} is not a /64 (SLAAC needs one): a /64 of the pool instead", tag, framed.get());
            framed = Optional.empty();
        }
        if (framed.isPresent()) {
            long high = Ipv6.high(framed.get().address());
            if (found.get().contains(high)) {
                if (!found.get().allocate(high)) {
                    log.warn("session={} Framed-IPv6-Prefix {} already in use or reserved: IPv4 only", tag, framed.get());
                    return false;
                }
                pool = found.get();
            } else {
                pool = null;   // outside the pool: the operator routes it to the TUN device
            }
            prefix64 = high;
        } else {
            Optional<Long> free = found.get().allocate();
            if (free.isEmpty()) {
                log.warn("session={} IPv6 pool {} exhausted: IPv4 only", tag, LogText.quote(poolName.get()));
                return false;
            }
            pool = found.get();
            prefix64 = free.get();
        }
        assigned = true;
        log.info("session={} ipv6 prefix assigned {}/64 pool={}", tag, Ipv6.text(prefix64, 0),
                pool != null ? LogText.quote(poolName.get()) : "-");
        return true;
    }

    public void release() {
        if (!assigned) return;
        if (pool != null) pool.release(prefix64);
        assigned = false;
    }

    /** The /64's upper 64 bits; meaningful while assigned. */
    public long prefix64() {
        return prefix64;
    }

    public Optional<Ipv6Prefix> current() {
        return assigned ? Optional.of(new Ipv6Prefix(prefix64, 64)) : Optional.empty();
    }
}
