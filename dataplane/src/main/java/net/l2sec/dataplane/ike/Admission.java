package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a message 1 may open a phase 1, and room for the phase 1s that hold keying material. Nothing is
 * authenticated yet, so every check is cheap and constant time: none while draining, unless the client already
 * holds an established SA (its phase-1 rekey); at most {@code newSasPerSourcePerSecond} per source address
 * ({@link PerSourceRate}). A refusal is counted as a failed phase 1, logged within the limits of
 * {@link ThrottledLog} and answered with nothing: the client retries, or gives up.
 *
 * <p>Nothing is refused for lack of room. The Main Modes before message 3 are bounded by {@link HalfOpenTable},
 * which evicts their oldest; those holding keying material (Main Mode after message 3, Aggressive Mode after
 * message 1) by {@code halfOpenLimit} here, likewise by evicting the oldest ({@link #roomForKeyed}).
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    private final IkeContext ctx;
    private final PerSourceRate rate;
    private boolean draining;

    Admission(IkeContext ctx) {
        this.ctx = ctx;
        this.rate = new PerSourceRate(ctx.random());
    }

    /** Maintenance drain on or off: while on, only clients that hold an established SA may open another. */
    void draining(boolean on) {
        if (on != draining) LOG.info("ike draining={}", on);
        draining = on;
    }

    boolean draining() {
        return draining;
    }

    /** Whether the drain refuses a message 1 from {@code peer}; checked before the message is decoded. */
    boolean refusedWhileDraining(InetSocketAddress peer) {
        if (!draining || ctx.sas().hasEstablishedSa(peer)) return false;
        // no answer at all: the client retries and gives up; counted so the operator sees who was turned away
        ctx.throttled().info(LOG, "phase1 refused reason=draining", "peer={} phase1 refused reason=draining",
                IkeSa.text(peer));
        ctx.metrics().phase1Failed(FailureReason.DRAINING);
        return true;
    }

    /** Whether the address of {@code peer} may open another phase 1 now; counted and logged when not. */
    boolean withinRate(InetSocketAddress peer) {
        if (rate.take(peer.getAddress(), ctx.settings().newSasPerSourcePerSecond(), ctx.scheduler().nanoTime())) return true;
        ctx.throttled().warn(LOG, "phase1 failed reason=rate_limited", "peer={} phase1 failed reason=rate_limited",
                IkeSa.text(peer));
        ctx.metrics().phase1Failed(FailureReason.RATE_LIMITED);
        return false;
    }

    /**
     * Room for one more phase 1 holding keying material ({@code halfOpenLimit}): for a Main Mode at message 3 or an
     * Aggressive Mode at message 1. At the bound the oldest half-open Aggressive Mode makes room, and for a Main
     * Mode the oldest half-open Main Mode when there is no Aggressive Mode; an Aggressive Mode never evicts a Main
     * Mode (whose peer proved its address by answering) and is refused then, counted {@code half_open_limit}.
     */
    boolean roomForKeyed(boolean aggressive, InetSocketAddress peer) {
        if (ctx.sas().halfOpen() < ctx.settings().halfOpenLimit()) return true;
        IkeSa victim = ctx.sas().oldestHalfOpen(true);
        if (victim == null && !aggressive) victim = ctx.sas().oldestHalfOpen(false);
        if (victim == null) {
            ctx.throttled().warn(LOG, "phase1 failed reason=half_open_limit",
                    "peer={} phase1 failed reason=half_open_limit: {} Main Modes in progress hold keys, the most "
                    + "ipsec.limits.half-open allows; Aggressive Mode does not evict them", IkeSa.text(peer),
                    ctx.sas().halfOpen());
            ctx.metrics().phase1Failed(FailureReason.HALF_OPEN_LIMIT);
            return false;
        }
        long age = ctx.scheduler().nanoTime() - victim.createdNanos;
        ctx.throttled().info(LOG, "phase1 failed reason=evicted (keyed_limit)",
                "{} peer={} phase1 failed reason=evicted (keyed_limit): {} half-open phase 1s hold keys, the most "
                + "ipsec.limits.half-open allows; the oldest ({} ms) makes room", victim.tag, victim.peerText(),
                ctx.sas().halfOpen(), age / 1_000_000);
        ctx.metrics().evicted(HalfOpenEviction.KEYED_LIMIT);
        ctx.metrics().phase1Failed(FailureReason.EVICTED);
        ctx.deletion().delete(victim, "evicted", false, false);
        ctx.underAttack().evicted(HalfOpenEviction.KEYED_LIMIT, age, ctx.settings().halfOpenLimit()
                + " phase 1s holding keys (ipsec.limits.half-open)");
        return true;
    }
}
