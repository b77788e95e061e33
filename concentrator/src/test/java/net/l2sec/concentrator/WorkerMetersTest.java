package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.dataplane.LoopCounter;
import org.junit.jupiter.api.Test;

class WorkerMetersTest {
    private final SimpleMeterRegistry exported = new SimpleMeterRegistry();

    @Test
    void oneWorkerRegistersInTheExportedRegistryItself() {
        WorkerMeters meters = new WorkerMeters(exported, 1);
        assertThat(meters.of(0)).isSameAs(exported);
    }

    @Test
    void countersOfEveryWorkerAreExportedAsOneSum() {
        WorkerMeters meters = new WorkerMeters(exported, 3);
        for (int i = 0; i < 3; i++) {
            Counter.builder("l2sec.x.dropped").tag("reason", "bad").register(meters.of(i)).increment(i + 1);
        }
        LoopCounter.register("l2sec.esp.packets", "ESP packets", meters.of(0), "direction", "in").add(5);
        LoopCounter.register("l2sec.esp.packets", "ESP packets", meters.of(2), "direction", "in").add(7);
        assertThat(exported.get("l2sec.x.dropped").tag("reason", "bad").functionCounter().count()).isEqualTo(6);
        assertThat(exported.get("l2sec.esp.packets").tag("direction", "in").functionCounter().count()).isEqualTo(12);
        // a worker that counts later still adds to the same exported series
        meters.of(1).counter("l2sec.x.dropped", "reason", "bad").increment();
        assertThat(exported.get("l2sec.x.dropped").tag("reason", "bad").functionCounter().count()).isEqualTo(7);
        assertThat(exported.find("l2sec.x.dropped").meters()).hasSize(1);
    }

    @Test
    void gaugesAreSummedExceptStatesAndAgesWhichTakeTheLargest() {
        WorkerMeters meters = new WorkerMeters(exported, 2);
        AtomicInteger[] active = {new AtomicInteger(3), new AtomicInteger(4)};
        AtomicInteger[] attack = {new AtomicInteger(0), new AtomicInteger(1)};
        for (int i = 0; i < 2; i++) {
            MeterRegistry r = meters.of(i);
            Gauge.builder("l2sec.l2tp.tunnels.active", active[i], AtomicInteger::get).strongReference(true).register(r);
            Gauge.builder("l2sec.ike.under_attack", attack[i], AtomicInteger::get).strongReference(true).register(r);
        }
        assertThat(exported.get("l2sec.l2tp.tunnels.active").gauge().value()).isEqualTo(7);
        assertThat(exported.get("l2sec.ike.under_attack").gauge().value()).isEqualTo(1);
        active[0].set(10);
        assertThat(exported.get("l2sec.l2tp.tunnels.active").gauge().value()).isEqualTo(14);
    }

    @Test
    void timersAreSummed() {
        WorkerMeters meters = new WorkerMeters(exported, 2);
        Timer.builder("l2sec.t").register(meters.of(0)).record(Duration.ofSeconds(1));
        Timer.builder("l2sec.t").register(meters.of(1)).record(Duration.ofSeconds(2));
        assertThat(exported.get("l2sec.t").functionTimer().count()).isEqualTo(2);
        assertThat(exported.get("l2sec.t").functionTimer().totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
    }
}
