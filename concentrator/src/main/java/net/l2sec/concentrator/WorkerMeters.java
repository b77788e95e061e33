package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters of several worker event loops, exported as one: each worker's dataplane registers its meters in a
 * registry of its own (its per-packet counters are written by its loop alone, without atomics), and for every meter
 * name and tags any worker registers, the exported registry gets one meter that reads all the workers' at scrape
 * time: counters and timers summed, gauges summed (sessions, tunnels, SAs, half-open entries) except the few that
 * are a state or an age, which take the largest worker's value. Dashboards and alerts see the same series with one
 * worker or many. With one worker, that worker uses the exported registry itself.
 */
final class WorkerMeters {
    private static final Logger log = LoggerFactory.getLogger(WorkerMeters.class);
    /** Gauges that are a state or an age, not an amount: the exported value is the largest worker's. */
    private static final Set<String> LARGEST = Set.of("l2sec.ike.under_attack", "l2sec.ike.half_open.oldest");

    private final MeterRegistry exported;
    private final List<MeterRegistry> workers = new ArrayList<>();
    private final Map<Meter.Id, List<Meter>> byId = new ConcurrentHashMap<>();

    WorkerMeters(MeterRegistry exported, int workers) {
        this.exported = exported;
        for (int i = 0; i < workers; i++) {
            if (workers == 1) {
                this.workers.add(exported);
                continue;
            }
            SimpleMeterRegistry r = new SimpleMeterRegistry();
            r.config().onMeterAdded(this::added);
            this.workers.add(r);
        }
    }

    /** The registry worker {@code index}'s dataplane registers in. */
    MeterRegistry of(int index) {
        return workers.get(index);
    }

    private void added(Meter meter) {
        Meter.Id id = meter.getId();
        List<Meter> same = byId.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        same.add(meter);
        if (same.size() > 1) return;
        try {
            export(id, same);
        } catch (RuntimeException e) { // e.g. the exported registry holds that name with other tag keys
            log.warn("meter {} is not exported from the workers: {}", id.getName(), e.toString());
        }
    }

    private void export(Meter.Id id, List<Meter> same) {
        String name = id.getName();
        switch (id.getType()) {
            case COUNTER -> FunctionCounter.builder(name, same, WorkerMeters::countSum).tags(id.getTagsAsIterable())
                    .description(id.getDescription()).baseUnit(id.getBaseUnit()).register(exported);
            case GAUGE -> Gauge.builder(name, same, LARGEST.contains(name) ? WorkerMeters::valueMax : WorkerMeters::valueSum)
                    .tags(id.getTagsAsIterable()).description(id.getDescription()).baseUnit(id.getBaseUnit())
                    .strongReference(true).register(exported);
            case TIMER -> FunctionTimer.builder(name, same, WorkerMeters::timerCount, WorkerMeters::timerSeconds, TimeUnit.SECONDS)
                    .tags(id.getTagsAsIterable()).description(id.getDescription()).register(exported);
            default -> log.warn("meter {} of type {} is not exported from the workers", name, id.getType());
        }
    }

    private static double countSum(List<Meter> meters) {
        double sum = 0;
        for (Meter m : meters) {
            sum += switch (m) {
                case Counter c -> c.count();
                case FunctionCounter f -> f.count();
                default -> 0;
            };
        }
        return sum;
    }

    private static double valueSum(List<Meter> meters) {
        double sum = 0;
        for (Meter m : meters) if (m instanceof Gauge g) sum += finite(g.value());
        return sum;
    }

    private static double valueMax(List<Meter> meters) {
        double max = 0;
        for (Meter m : meters) if (m instanceof Gauge g) max = Math.max(max, finite(g.value()));
        return max;
    }

    private static long timerCount(List<Meter> meters) {
        long n = 0;
        for (Meter m : meters) if (m instanceof Timer t) n += t.count();
        return n;
    }

    private static double timerSeconds(List<Meter> meters) {
        double s = 0;
        for (Meter m : meters) if (m instanceof Timer t) s += t.totalTime(TimeUnit.SECONDS);
        return s;
    }

    /** A gauge whose object was collected reads NaN: it adds nothing. */
    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
