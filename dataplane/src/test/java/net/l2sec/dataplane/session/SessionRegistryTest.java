package net.l2sec.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The registry shared by the worker loops: the per-user count holds when several loops reserve at once. */
class SessionRegistryTest {
    private final SessionRegistry registry = new SessionRegistry();

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

    // ---- a rule's max-sessions-total ----

    /** Many users of one rule on many threads: the rule's count never passes its cap, and a refusal holds nothing. */
    @Test
    void aRulesTotalHoldsWhenManyLoopsReserveAtOnce() throws Exception {
        int threads = 8;
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger refusedByRule = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 2_000; i++) {
                    var o = registry.reserve("user" + thread + "-" + (i % 3), OptionalInt.empty(), "contractors", OptionalInt.of(5));
                    if (o.left().isEmpty()) {
                        assertThat(o.refusal()).contains(SessionRegistry.Refusal.RULE_LIMIT);
                        refusedByRule.incrementAndGet();
                        continue;
                    }
                    maxSeen.accumulateAndGet(registry.sessionsOfRule("contractors"), Math::max);
                    o.left().get().release();
                }
            }));
        }
        go.countDown();
        for (Thread t : all) t.join();
        assertThat(maxSeen.get()).isBetween(1, 5);
        assertThat(registry.sessionsOfRule("contractors")).isZero();
        for (int t = 0; t < threads; t++) for (int u = 0; u < 3; u++) assertThat(registry.sessionsOf("user" + t + "-" + u)).isZero();
    }

    @Test
    void theRuleCapAndTheUserLimitEachRefuseAndNeitherKeepsAPlace() {
        var a = registry.reserve("alice", OptionalInt.of(1), "staff", OptionalInt.of(2)).left().orElseThrow();
        var again = registry.reserve("alice", OptionalInt.of(1), "staff", OptionalInt.of(2));
        assertThat(again.refusal()).contains(SessionRegistry.Refusal.USER_LIMIT);
        assertThat(registry.sessionsOfRule("staff")).as("the rule's place is given back when the user's is refused").isEqualTo(1);
        var b = registry.reserve("bob", OptionalInt.of(1), "staff", OptionalInt.of(2)).left().orElseThrow();
        var carol = registry.reserve("carol", OptionalInt.of(1), "staff", OptionalInt.of(2));
        assertThat(carol.refusal()).contains(SessionRegistry.Refusal.RULE_LIMIT);
        assertThat(registry.sessionsOf("carol")).isZero();
        assertThat(registry.reserve("carol", OptionalInt.of(1), "admins", OptionalInt.of(2)).left()).as("another rule").isPresent();
        assertThat(registry.reserve("dave", OptionalInt.empty(), "staff", OptionalInt.empty()).left()).as("no cap given").isPresent();
        a.release();
        assertThat(registry.reserve("carol", OptionalInt.of(2), "staff", OptionalInt.of(2)).left()).isPresent();
        b.release();
        assertThat(registry.sessionsOfRule("staff")).isEqualTo(1);
    }
}
