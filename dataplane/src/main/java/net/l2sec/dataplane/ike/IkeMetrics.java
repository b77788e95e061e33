package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import net.l2sec.dataplane.ike.message.IkeDropReason;

/**
 * The IKE meters. Tags are small fixed vocabularies; never addresses or identities. The counters a flood moves on
 * every datagram (phase 1 started and failed, drops, evictions, suppressed log lines) are looked up once and kept.
 * Event loop only, except for the gauges, which read fields.
 */
final class IkeMetrics {
    private final MeterRegistry registry;
    private final Map<IkeDropReason, Counter> dropped = new EnumMap<>(IkeDropReason.class);
    private final Map<FailureReason, Counter> phase1Failed = new EnumMap<>(FailureReason.class);
    private final Map<HalfOpenEviction, Counter> evicted = new EnumMap<>(HalfOpenEviction.class);
    private Counter phase1Started;
    private final Counter logSuppressed;
    private final Counter underAttackEntered;

    IkeMetrics(MeterRegistry registry, IntSupplier activeSas) {
        this.registry = registry;
        Gauge.builder("l2sec.ike.sas.active", activeSas, IntSupplier::getAsInt)
                .description("established ISAKMP SAs").strongReference(true).register(registry);
        // registered at 0 from the start: what they count may never happen, and its absence would look the same
        for (HalfOpenEviction r : HalfOpenEviction.values()) {
            evicted.put(r, Counter.builder("l2sec.ike.half_open.evictions").tag("reason", r.tag())
                    .description("half-open phase 1s given up to make room for newer ones, by reason").register(registry));
        }
        logSuppressed = Counter.builder("l2sec.ike.log.suppressed")
                .description("log lines about unauthenticated IKE datagrams not written (rate-limited)").register(registry);
        underAttackEntered = Counter.builder("l2sec.ike.under_attack.entered")
                .description("times the responder went under attack (half-open phase 1s evicted before their timeout)")
                .register(registry);
    }

    /**
     * The gauges of the half-open phase 1s and the under-attack state.
     *
     * @param message1      Main Modes between message 1 and message 3
     * @param keyed         phase 1s in progress with keying material (Main Mode after message 3, Aggressive Mode)
     * @param bytes         the memory the first take, as accounted
     * @param oldestSeconds age of the oldest of the first: under attack, how long a new one is kept
     */
    void halfOpen(IntSupplier message1, IntSupplier keyed, LongSupplier bytes, DoubleSupplier oldestSeconds,
                  BooleanSupplier underAttack) {
        Gauge.builder("l2sec.ike.half_open.sas", message1, IntSupplier::getAsInt).tag("stage", "message_1")
                .description("half-open phase 1s: Main Modes awaiting message 3, and those holding keying material")
                .strongReference(true).register(registry);
        Gauge.builder("l2sec.ike.half_open.sas", keyed, IntSupplier::getAsInt).tag("stage", "keyed")
                .description("half-open phase 1s: Main Modes awaiting message 3, and those holding keying material")
                .strongReference(true).register(registry);
        Gauge.builder("l2sec.ike.half_open.bytes", bytes, LongSupplier::getAsLong).baseUnit("bytes")
                .description("memory held by Main Modes awaiting message 3, as accounted against their bound")
                .strongReference(true).register(registry);
        Gauge.builder("l2sec.ike.half_open.oldest", oldestSeconds, DoubleSupplier::getAsDouble).baseUnit("seconds")
                .description("age of the oldest Main Mode awaiting message 3").strongReference(true).register(registry);
        Gauge.builder("l2sec.ike.under_attack", underAttack, b -> b.getAsBoolean() ? 1 : 0)
                .description("1 while half-open phase 1s are evicted before their timeout").strongReference(true)
                .register(registry);
    }

    /** @param inProgress handshake computations on the crypto workers, waiting or running */
    void crypto(IntSupplier inProgress) {
        Gauge.builder("l2sec.ike.crypto.in_progress", inProgress, IntSupplier::getAsInt)
                .description("Diffie-Hellman computations and signature checks handed to the crypto workers, not yet done")
                .strongReference(true).register(registry);
    }

    /** @param waiting IKE messages and handshake continuations waiting for the event loop ({@link IkeBacklog}) */
    void backlog(IntSupplier waiting) {
        Gauge.builder("l2sec.ike.backlog", waiting, IntSupplier::getAsInt)
                .description("IKE messages and handshake continuations waiting for the event loop behind established clients' packets")
                .strongReference(true).register(registry);
        // the two connect-storm reasons exported at 0 from the start: the dashboard's and the alerts' queries read them
        droppedCounter(IkeDropReason.BACKLOG_FULL);
        droppedCounter(IkeDropReason.CRYPTO_BUSY);
    }

    void dropped(IkeDropReason reason) {
        droppedCounter(reason).increment();
    }

    private Counter droppedCounter(IkeDropReason reason) {
        return dropped.computeIfAbsent(reason, r -> Counter.builder("l2sec.ike.packets.dropped").tag("reason", r.tag())
                .description("IKE datagrams discarded before or instead of processing, by reason").register(registry));
    }

    void phase1Started() {
        if (phase1Started == null) phase1Started = phase1("started", "none");
        phase1Started.increment();
    }

    void phase1Completed() {
        phase1("completed", "none").increment();
    }

    void phase1Failed(FailureReason reason) {
        phase1Failed(reason, 1);
    }

    void phase1Failed(FailureReason reason, int n) {
        phase1Failed.computeIfAbsent(reason, r -> phase1("failed", r.tag())).increment(n);
    }

    void evicted(HalfOpenEviction reason) {
        evicted.get(reason).increment();
    }

    void logSuppressed() {
        logSuppressed.increment();
    }

    void underAttack() {
        underAttackEntered.increment();
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

    private Counter phase1(String result, String reason) {
        return Counter.builder("l2sec.ike.phase1").tags("result", result, "reason", reason)
                .description("Main/Aggressive Mode exchanges (ISAKMP SA), by result and failure reason").register(registry);
    }

    private void phase2(String result, String reason) {
        count("l2sec.ike.phase2", "Quick Mode exchanges (IPsec SA pairs), by result and failure reason",
                "result", result, "reason", reason);
    }

    private void count(String name, String description, String... tags) {
        Counter.builder(name).tags(tags).description(description).register(registry).increment();
    }
}
