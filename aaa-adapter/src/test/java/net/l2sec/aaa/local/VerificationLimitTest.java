package net.l2sec.aaa.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The bound on slow verifications: slots, the waiting queue, the longest wait, and what is counted. */
class VerificationLimitTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double refused() {
        return registry.get("l2sec.aaa.overload").tag("backend", "local").tag("reason", "backend_busy").counter().count();
    }

    private double gauge(String state) {
        return registry.get("l2sec.aaa.local.verifications").tag("state", state).gauge().value();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static CompletableFuture<Optional<String>> start(VerificationLimit limit, CountDownLatch hold, String result) {
        CompletableFuture<Optional<String>> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> f.complete(limit.run(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return result;
        })));
        return f;
    }

    @Test
    void slotsRunQueueWaitsAndBeyondTheQueueIsRefusedAtOnceAndCounted() throws Exception {
        VerificationLimit limit = new VerificationLimit(2, 3, Duration.ofSeconds(30), registry);
        assertThat(refused()).as("exported at 0").isZero();
        CountDownLatch hold = new CountDownLatch(1);
        List<CompletableFuture<Optional<String>>> admitted = new ArrayList<>();
        for (int i = 0; i < 2; i++) admitted.add(start(limit, hold, "run" + i));
        await(() -> limit.running() == 2, "two running");
        for (int i = 0; i < 3; i++) admitted.add(start(limit, hold, "wait" + i));
        await(() -> limit.waiting() == 3, "three waiting");
        assertThat(gauge("running")).isEqualTo(2);
        assertThat(gauge("waiting")).isEqualTo(3);

        long before = System.nanoTime();
        assertThat(limit.run(() -> "sixth")).as("queue full: refused").isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).as("without waiting").isLessThan(Duration.ofSeconds(1));
        assertThat(refused()).isEqualTo(1);

        hold.countDown();
        for (var f : admitted) assertThat(f.get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(limit.running()).isZero();
        assertThat(limit.waiting()).isZero();
        assertThat(limit.run(() -> "later")).contains("later");
        assertThat(refused()).isEqualTo(1);
    }

    @Test
    void aVerificationWaitsAtMostMaxWait() throws Exception {
        VerificationLimit limit = new VerificationLimit(1, 5, Duration.ofMillis(200), registry);
        CountDownLatch hold = new CountDownLatch(1);
        CompletableFuture<Optional<String>> running = start(limit, hold, "slow");
        await(() -> limit.running() == 1, "one running");
        long before = System.nanoTime();
        assertThat(limit.run(() -> "too late")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
        assertThat(refused()).isEqualTo(1);
        hold.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).contains("slow");
    }

    @Test
    void neverMoreThanTheSlotsRunAtOnce() throws Exception {
        VerificationLimit limit = new VerificationLimit(3, 100, Duration.ofSeconds(30), registry);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            threads.add(Thread.ofVirtual().start(() -> limit.run(() -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return now.decrementAndGet();
            })));
        }
        for (Thread t : threads) t.join(Duration.ofSeconds(10));
        assertThat(most.get()).isEqualTo(3);
        assertThat(refused()).isZero();
    }

    @Test
    void perProcessorHasOneSlotPerProcessor() throws Exception {
        VerificationLimit limit = VerificationLimit.perProcessor(registry);
        int cores = Runtime.getRuntime().availableProcessors();
        CountDownLatch hold = new CountDownLatch(1);
        List<CompletableFuture<Optional<String>>> all = new ArrayList<>();
        for (int i = 0; i < cores + 1; i++) all.add(start(limit, hold, "v" + i));
        await(() -> limit.running() == cores && limit.waiting() == 1, cores + " running and one waiting");
        hold.countDown();
        for (var f : all) assertThat(f.get(10, TimeUnit.SECONDS)).isPresent();
    }
}
