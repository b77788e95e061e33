package net.l2sec.dataplane.l2tp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/** The L2TP meters. Tags are small fixed vocabularies ({@link DropReason}, {@link TeardownCause}); never peers. */
final class L2tpMetrics {
    private final MeterRegistry registry;
    private final Counter tunnelsEstablished;
    private final Counter sessionsEstablished;
    private final Counter retransmits;

    L2tpMetrics(MeterRegistry registry, IntSupplier activeTunnels, IntSupplier activeSessions) {
        this.registry = registry;
        Gauge.builder("l2sec.l2tp.tunnels.active", activeTunnels, IntSupplier::getAsInt)
                .description("L2TP control connections not yet closing").register(registry);
        Gauge.builder("l2sec.l2tp.sessions.active", activeSessions, IntSupplier::getAsInt)
                .description("L2TP sessions (calls) in progress").register(registry);
        tunnelsEstablished = registry.counter("l2sec.l2tp.tunnels.established");
        sessionsEstablished = registry.counter("l2sec.l2tp.sessions.established");
        retransmits = registry.counter("l2sec.l2tp.retransmits");
    }

    void dropped(DropReason reason) {
        registry.counter("l2sec.l2tp.packets.dropped", "reason", reason.tag()).increment();
    }

    void tunnelEstablished() {
        tunnelsEstablished.increment();
    }

    void sessionEstablished() {
        sessionsEstablished.increment();
    }

    void retransmitted() {
        retransmits.increment();
    }

    /** An established tunnel ended ({@code closed}), or one ended before it was established ({@code failed}). */
    void tunnelEnded(boolean wasEstablished, TeardownCause cause) {
        if (wasEstablished) registry.counter("l2sec.l2tp.tunnels.closed", "cause", cause.tag()).increment();
        else registry.counter("l2sec.l2tp.tunnels.failed", "reason", cause.tag()).increment();
    }

    void sessionEnded(boolean wasEstablished, TeardownCause cause) {
        if (wasEstablished) registry.counter("l2sec.l2tp.sessions.closed", "cause", cause.tag()).increment();
        else registry.counter("l2sec.l2tp.sessions.failed", "reason", cause.tag()).increment();
    }
}
