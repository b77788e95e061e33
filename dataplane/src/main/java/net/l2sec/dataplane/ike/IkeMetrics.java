package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;
import net.l2sec.dataplane.ike.message.IkeDropReason;

/** The IKE meters. Tags are small fixed vocabularies; never addresses or identities. */
final class IkeMetrics {
    private final MeterRegistry registry;

    IkeMetrics(MeterRegistry registry, IntSupplier activeSas) {
        this.registry = registry;
        Gauge.builder("l2sec.ike.sas.active", activeSas, IntSupplier::getAsInt)
                .description("established ISAKMP SAs").strongReference(true).register(registry);
    }

    void dropped(IkeDropReason reason) {
        count("l2sec.ike.packets.dropped", "IKE datagrams discarded before or instead of processing, by reason", "reason", reason.tag());
    }

    void phase1Started() {
        phase1("started", "none");
    }

    void phase1Completed() {
        phase1("completed", "none");
    }

    void phase1Failed(FailureReason reason) {
        phase1("failed", reason.tag());
    }

    void phase2Started() {
        phase2("started", "none");
    }

    void phase2Completed() {
        phase2("completed", "none");
    }

    void phase2Failed(FailureReason reason) {
        phase2("failed", reason.tag());
    }

    void dpdTimeout() {
        count("l2sec.ike.dpd.timeouts", "ISAKMP SAs deleted because the peer stopped answering DPD (RFC 3706)");
    }

    void rekey(int phase) {
        count("l2sec.ike.rekeys", "ISAKMP (phase 1) and IPsec (phase 2) SAs rekeyed", "phase", Integer.toString(phase));
    }

    void retransmit() {
        count("l2sec.ike.retransmits", "IKE messages we sent again because the peer did not answer");
    }

    private void phase1(String result, String reason) {
        count("l2sec.ike.phase1", "Main/Aggressive Mode exchanges (ISAKMP SA), by result and failure reason",
                "result", result, "reason", reason);
    }

    private void phase2(String result, String reason) {
        count("l2sec.ike.phase2", "Quick Mode exchanges (IPsec SA pairs), by result and failure reason",
                "result", result, "reason", reason);
    }

    private void count(String name, String description, String... tags) {
        Counter.builder(name).tags(tags).description(description).register(registry).increment();
    }
}
