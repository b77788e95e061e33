package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IdSpaceTest {
    final SplittableRandom random = new SplittableRandom(1);

    /** Before: a do-while over random IDs that never ended once all were taken. */
    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFullSpaceAnswersZeroInsteadOfSearchingForever() {
        IdSpace ids = new IdSpace();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < IdSpace.SIZE; i++) {
            int id = ids.allocate(random);
            assertThat(id).isBetween(1, 0xffff);
            assertThat(seen.add(id)).as("unique").isTrue();
        }
        assertThat(ids.size()).isEqualTo(IdSpace.SIZE);
        for (int i = 0; i < 1000; i++) assertThat(ids.allocate(random)).isZero();
        ids.release(12345);
        assertThat(ids.allocate(random)).as("the one free ID is found by the scan").isEqualTo(12345);
        assertThat(ids.allocate(random)).isZero();
    }

    @Test
    void releaseIsIdempotentAndIgnoresZero() {
        IdSpace ids = new IdSpace();
        int id = ids.allocate(random);
        ids.release(id);
        ids.release(id);
        ids.release(0);
        assertThat(ids.size()).isZero();
    }
}
