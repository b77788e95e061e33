package net.l2sec.dataplane.l2tp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/** The L2TP meters. Tags are small fixed vocabularies ({@link L2tpDropReason}, {@link TeardownCause}); never peers. */
final class L2tpMetrics {
    private final MeterRegistry registry;
    private final Counter tunnelsEstablished;
    private final Counter sessionsEstablished;
    private final Counter retransmits;

    L2tpMetrics(MeterRegistry registry, IntSupplier activeTunnels, IntSupplier activeSessions) {
        this.registry = registry;
        // strong references: the suppliers are method references nothing else holds; a weakly held one is collected
        // and the gauge reads NaN from then on
        Gauge.builder("l2sec.l2tp.tunnels.active", activeTunnels, IntSupplier::getAsInt).strongReference(true)
                .description("L2TP control connections not yet closing").register(registry);
        Gauge.builder("l2sec.l2tp.sessions.active", activeSessions, IntSupplier::getAsInt).strongReference(true)
                .description("L2TP sessions (calls) in progress").register(registry);
        tunnelsEstablished = counter("l2sec.l2tp.tunnels.established", "L2TP control connections established (SCCCN accepted)");
        sessionsEstablished = counter("l2sec.l2tp.sessions.established", "L2TP sessions established (ICCN accepted)");
        retransmits = counter("l2sec.l2tp.retransmits", "L2TP control messages sent again for want of an acknowledgement");
    }

    void dropped(L2tpDropReason reason) {
        counter("l2sec.l2tp.packets.dropped", "L2TP datagrams dropped, by reason", "reason", reason.tag()).increment();
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
        if (wasEstablished) counter("l2sec.l2tp.tunnels.closed", "established L2TP tunnels that ended, by cause", "cause", cause.tag()).increment();
        else counter("l2sec.l2tp.tunnels.failed", "L2TP tunnels that ended before being established, by reason", "reason", cause.tag()).increment();
    }

    void sessionEnded(boolean wasEstablished, TeardownCause cause) {
        if (wasEstablished) counter("l2sec.l2tp.sessions.closed", "established L2TP sessions that ended, by cause", "cause", cause.tag()).increment();
        else counter("l2sec.l2tp.sessions.failed", "L2TP sessions that ended before being established, by reason", "reason", cause.tag()).increment();
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).tags(tags).description(description).register(registry);
    }
}
