package net.l2sec.dataplane.ppp;

import java.util.Optional;
import java.util.function.Function;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's IPv6 /64 for the session, which its Router Advertisements carry (RFC 4861 section 4.6.2): the
 * lowest free /64 of the configured IPv6 pool. The session keeps it across LCP renegotiations and gives it back
 * when it ends. Without one the session stays IPv4-only (IPV6CP is Protocol-Rejected); it never ends for want of
 * IPv6.
 */
final class PrefixAssignment {
    /** The session's log lines, under the session's logger. */
    private static final Logger log = LoggerFactory.getLogger(PppSession.class);

    private final String tag;
    private final Function<String, Optional<Ipv6Pool>> pools;
    private final Optional<String> poolName;
    private Ipv6Pool pool;
    private long prefix64;
    private boolean assigned;

    PrefixAssignment(String tag, Function<String, Optional<Ipv6Pool>> pools, Optional<String> poolName) {
        this.tag = tag;
        this.pools = pools;
        this.poolName = poolName;
    }

    /** Takes a /64; false when there is none (the session stays IPv4-only). */
    boolean assign() {
        if (assigned) return true;
        if (poolName.isEmpty()) return false;
        Optional<Ipv6Pool> found = pools.apply(poolName.get());
        if (found.isEmpty()) {
            log.warn("session={} no IPv6 pool named {}: IPv4 only", tag, LogText.quote(poolName.get()));
            return false;
        }
        Optional<Long> free = found.get().allocate();
        if (free.isEmpty()) {
            log.warn("session={} IPv6 pool {} exhausted: IPv4 only", tag, LogText.quote(poolName.get()));
            return false;
        }
        pool = found.get();
        prefix64 = free.get();
        assigned = true;
        log.info("session={} ipv6 prefix assigned {}/64 pool={}", tag, Ipv6.text(prefix64, 0), LogText.quote(poolName.get()));
        return true;
    }

    void release() {
        if (!assigned) return;
        if (pool != null) pool.release(prefix64);
        assigned = false;
    }

    /** The /64's upper 64 bits; meaningful while assigned. */
    long prefix64() {
        return prefix64;
    }

    Optional<Ipv6Prefix> current() {
        return assigned ? Optional.of(new Ipv6Prefix(prefix64, 64)) : Optional.empty();
    }
}
