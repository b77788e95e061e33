package net.l2sec.dataplane.ppp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The registry shared by the worker loops: the per-user count holds when several loops reserve at once. */
class PppSessionRegistryTest {
    private final PppSessionRegistry registry = new PppSessionRegistry();

    @Test
    void reservationsOfOneUserOnManyThreadsAtOnceNeverPassTheLimit() throws Exception {
        int threads = 8;
        int attemptsEach = 2_000;
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < attemptsEach; i++) {
                    var r = registry.reserve(i % 2 == 0 ? "Alice" : "alice", OptionalInt.of(3));
                    if (r.isEmpty()) continue;
                    taken.incrementAndGet();
                    maxSeen.accumulateAndGet(registry.sessionsOf("ALICE"), Math::max);
                    r.get().release();
                    r.get().release(); // a second release gives nothing back twice
                }
            }));
        }
        go.countDown();
        for (Thread t : all) t.join();
        assertThat(taken.get()).isPositive();
        assertThat(maxSeen.get()).isBetween(1, 3);
        assertThat(registry.sessionsOf("alice")).isZero();
    }

    @Test
    void aUserAtTheLimitIsRefusedAndOthersAreNot() {
        var first = registry.reserve("bob", OptionalInt.of(1));
        assertThat(first).isPresent();
        assertThat(registry.reserve("BOB", OptionalInt.of(1))).isEmpty();
        assertThat(registry.reserve("carol", OptionalInt.of(1))).isPresent();
        assertThat(registry.reserve("bob", OptionalInt.empty())).as("no limit").isPresent();
        assertThat(registry.sessionsOf("bob")).isEqualTo(2);
        first.get().release();
        assertThat(registry.sessionsOf("bob")).isEqualTo(1);
    }
}
