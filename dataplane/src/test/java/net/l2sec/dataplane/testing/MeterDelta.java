package net.l2sec.dataplane.testing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which counters under a name prefix moved since the last look: the outcome of one fuzz input as the operator
 * would see it ({@code ike.packets.dropped{truncated}}).
 */
public final class MeterDelta {
    private final MeterRegistry registry;
    private final String prefix;
    private Map<String, Double> last;

    public MeterDelta(MeterRegistry registry, String prefix) {
        this.registry = registry;
        this.prefix = prefix;
        this.last = snapshot();
    }

    /** The counters that moved since the previous call (or construction), sorted, {@code none} if none did. */
    public String next() {
        Map<String, Double> now = snapshot();
        TreeSet<String> moved = new TreeSet<>();
        now.forEach((k, v) -> {
            if (v > last.getOrDefault(k, 0.0)) moved.add(k);
        });
        last = now;
        return moved.isEmpty() ? "none" : String.join(" ", moved);
    }

    private Map<String, Double> snapshot() {
        Map<String, Double> out = new HashMap<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            if (!name.startsWith(prefix)) continue;
            double v = switch (m) {
                case Counter c -> c.count();
                case FunctionCounter f -> f.count();
                default -> Double.NaN;
            };
            if (Double.isNaN(v)) continue;
            String tags = m.getId().getTags().stream().map(Tag::getValue).collect(Collectors.joining(","));
            out.put(name.replaceFirst("^l2sec\\.", "") + (tags.isEmpty() ? "" : "{" + tags + "}"), v);
        }
        return out;
    }
}
