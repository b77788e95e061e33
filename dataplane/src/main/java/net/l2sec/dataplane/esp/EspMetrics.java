package net.l2sec.dataplane.esp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import net.l2sec.dataplane.LoopCounter;

/** The ESP meters. Tags are fixed vocabularies ({@code direction}, {@link EspDropReason}); never peers or SPIs. */
final class EspMetrics {
    /** Per packet, on the event loop. */
    private final LoopCounter packetsIn;
    private final LoopCounter packetsOut;
    private final LoopCounter bytesIn;
    private final LoopCounter bytesOut;
    private final Counter rekeysNeeded;
    private final Map<EspDropReason, Counter> dropped = new EnumMap<>(EspDropReason.class);

    EspMetrics(MeterRegistry registry, Supplier<Number> activePairs) {
        Gauge.builder("l2sec.esp.sas.active", activePairs).description("installed ESP SA pairs").register(registry);
        packetsIn = packets(registry, "in");
        packetsOut = packets(registry, "out");
        bytesIn = bytes(registry, "in");
        bytesOut = bytes(registry, "out");
        rekeysNeeded = Counter.builder("l2sec.esp.rekeys.needed")
                .description("SAs that reached a soft lifetime or ran out of sequence numbers").register(registry);
        for (EspDropReason r : EspDropReason.values()) {
            dropped.put(r, Counter.builder("l2sec.esp.packets.dropped").tag("reason", r.tag())
                    .description("ESP packets dropped").register(registry));
        }
    }

    private static LoopCounter packets(MeterRegistry registry, String direction) {
        return LoopCounter.register("l2sec.esp.packets", "ESP packets protected (out) or accepted (in)", registry,
                "direction", direction);
    }

    private static LoopCounter bytes(MeterRegistry registry, String direction) {
        return LoopCounter.register("l2sec.esp.bytes", "payload octets inside ESP", registry, "direction", direction);
    }

    void received(int payload) {
        packetsIn.increment();
        bytesIn.add(payload);
    }

    void sent(int payload) {
        packetsOut.increment();
        bytesOut.add(payload);
    }

    void dropped(EspDropReason reason) {
        dropped.get(reason).increment();
    }

    void rekeyNeeded() {
        rekeysNeeded.increment();
    }
}
