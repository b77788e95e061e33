package net.l2sec.dataplane.ike;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a message 1 may open an ISAKMP SA. Nothing is authenticated yet, so every check is cheap: none while
 * draining, unless the client already holds an established SA (its phase-1 rekey); at most
 * {@code newSasPerSourcePerSecond} per source address; at most {@code halfOpenLimit} half-open SAs. A refusal is
 * logged, counted as a failed phase 1 and answered with nothing: the client retries, or gives up.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final long SECOND = 1_000_000_000L;
    /** Sources remembered before the idle ones are swept. */
    private static final int SOURCES = 10_000;

    private final Supplier<IkeSettings> settings;
    private final Scheduler scheduler;
    private final IkeSaTable sas;
    private final IkeMetrics metrics;
    /** Per source address: the start of its current one-second window and the SAs it opened in it. */
    private final Map<InetAddress, long[]> newSasBySource = new HashMap<>();
    private boolean draining;

    Admission(Supplier<IkeSettings> settings, Scheduler scheduler, IkeSaTable sas, IkeMetrics metrics) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.sas = sas;
        this.metrics = metrics;
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
        if (!draining || sas.hasEstablishedSa(peer)) return false;
        // no answer at all: the client retries and gives up; counted so the operator sees who was turned away
        LOG.info("peer={} phase1 refused reason=draining", IkeSa.text(peer));
        metrics.phase1Failed(FailureReason.DRAINING);
        return true;
    }

    /** Whether a decoded message 1 from {@code peer} may open an SA: the rate of its address, then the half-open cap. */
    boolean admit(InetSocketAddress peer) {
        if (!withinRate(peer.getAddress())) {
            LOG.warn("peer={} phase1 failed reason=rate_limited", IkeSa.text(peer));
            metrics.phase1Failed(FailureReason.RATE_LIMITED);
            return false;
        }
        if (sas.halfOpen() >= settings.get().halfOpenLimit()) {
            LOG.warn("peer={} phase1 failed reason=half_open_limit ({} in progress)", IkeSa.text(peer), sas.halfOpen());
            metrics.phase1Failed(FailureReason.HALF_OPEN_LIMIT);
            return false;
        }
        return true;
    }

    /** Counts a new SA of {@code source} in its one-second window; false beyond the limit. */
    private boolean withinRate(InetAddress source) {
        long now = scheduler.nanoTime();
        if (newSasBySource.size() > SOURCES) newSasBySource.values().removeIf(w -> now - w[0] > SECOND);
        long[] w = newSasBySource.computeIfAbsent(source, a -> new long[] {now, 0});
        if (now - w[0] > SECOND) {
            w[0] = now;
            w[1] = 0;
        }
        return ++w[1] <= settings.get().newSasPerSourcePerSecond();
    }
}
