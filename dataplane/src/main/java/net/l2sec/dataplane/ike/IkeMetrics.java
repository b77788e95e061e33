package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;
import net.l2sec.dataplane.ike.message.DropReason;

/** The IKE meters. Tags are small fixed vocabularies; never addresses or identities. */
final class IkeMetrics {
    private final MeterRegistry registry;

    IkeMetrics(MeterRegistry registry, IntSupplier activeSas) {
        this.registry = registry;
        Gauge.builder("l2sec.ike.sas.active", activeSas, IntSupplier::getAsInt)
                .description("established ISAKMP SAs").strongReference(true).register(registry);
    }

    void dropped(DropReason reason) {
        registry.counter("l2sec.ike.packets.dropped", "reason", reason.tag()).increment();
    }

    void phase1Started() {
        registry.counter("l2sec.ike.phase1", "result", "started", "reason", "none").increment();
    }

    void phase1Completed() {
        registry.counter("l2sec.ike.phase1", "result", "completed", "reason", "none").increment();
    }

    void phase1Failed(FailureReason reason) {
        registry.counter("l2sec.ike.phase1", "result", "failed", "reason", reason.tag()).increment();
    }

    void phase2Started() {
        registry.counter("l2sec.ike.phase2", "result", "started", "reason", "none").increment();
    }

    void phase2Completed() {
        registry.counter("l2sec.ike.phase2", "result", "completed", "reason", "none").increment();
    }

    void phase2Failed(FailureReason reason) {
        registry.counter("l2sec.ike.phase2", "result", "failed", "reason", reason.tag()).increment();
    }

    void dpdTimeout() {
        registry.counter("l2sec.ike.dpd.timeouts").increment();
    }

    void rekey(int phase) {
        registry.counter("l2sec.ike.rekeys", "phase", Integer.toString(phase)).increment();
    }

    void retransmit() {
        registry.counter("l2sec.ike.retransmits").increment();
    }
}
