package net.l2sec.dataplane.esp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/** The ESP meters. Tags are fixed vocabularies ({@code direction}, {@link EspDropReason}); never peers or SPIs. */
final class EspMetrics {
    private final Counter packetsIn;
    private final Counter packetsOut;
    private final Counter bytesIn;
    private final Counter bytesOut;
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

    private static Counter packets(MeterRegistry registry, String direction) {
        return Counter.builder("l2sec.esp.packets").tag("direction", direction)
                .description("ESP packets protected (out) or accepted (in)").register(registry);
    }

    private static Counter bytes(MeterRegistry registry, String direction) {
        return Counter.builder("l2sec.esp.bytes").tag("direction", direction)
                .description("payload octets inside ESP").register(registry);
    }

    void received(int payload) {
        packetsIn.increment();
        bytesIn.increment(payload);
    }

    void sent(int payload) {
        packetsOut.increment();
        bytesOut.increment(payload);
    }

    void dropped(EspDropReason reason) {
        dropped.get(reason).increment();
    }

    void rekeyNeeded() {
        rekeysNeeded.increment();
    }
}
