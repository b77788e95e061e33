package net.l2sec.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LoopCounterTest {
    @Test
    void registersAFunctionCounterThatReadsWhatTheOwnerAdded() throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LoopCounter c = LoopCounter.register("l2sec.test.packets", "test packets", registry, "direction", "in");
        FunctionCounter meter = registry.get("l2sec.test.packets").tag("direction", "in").functionCounter();
        assertThat(meter.getId().getDescription()).isEqualTo("test packets");
        assertThat(meter.count()).isZero();

        c.increment();
        c.add(1399);
        assertThat(meter.count()).isEqualTo(1400);

        // another thread (the scrape) sees what the owner added
        AtomicReference<Double> seen = new AtomicReference<>();
        Thread scrape = Thread.ofPlatform().start(() -> seen.set(meter.count()));
        scrape.join();
        assertThat(seen.get()).isEqualTo(1400);
    }
}
