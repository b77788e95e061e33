package net.l2sec.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    long now = 1_000_000_000L;

    @Test
    void aFullBucketPassesItsBurstThenOnlyTheRate() {
        TokenBucket b = new TokenBucket(8_000_000, () -> now);   // 1,000,000 octets/s, burst 100 ms = 100,000
        assertThat(b.burst()).isEqualTo(100_000);
        int passed = 0;
        for (int i = 0; i < 100; i++) if (b.take(1500)) passed++;
        assertThat(passed).as("100,000 / 1,500").isEqualTo(66);
        assertThat(b.take(1500)).isFalse();
        now += 1_500_000;                                          // 1.5 ms: 1,500 octets earned (plus 1,000 left)
        assertThat(b.take(1500)).isTrue();
        assertThat(b.take(1500)).isFalse();
    }

    /** Over ten simulated seconds the octets that pass are the rate times the time, plus the one burst. */
    @Test
    void theLongRunRateIsTheConfiguredRate() {
        TokenBucket b = new TokenBucket(10_000_000, () -> now);   // 1,250,000 octets/s
        long passed = 0;
        for (int tick = 0; tick < 100_000; tick++) {            // a 1,000-octet packet every 100 us: 80 Mbit/s offered
            if (b.take(1000)) passed += 1000;
            now += 100_000;
        }
        long expected = 1_250_000L * 10 + b.burst();
        assertThat(passed).isBetween(expected - 2_000, expected);
    }

    @Test
    void fractionsOfAnOctetAreNotLostBetweenSmallSteps() {
        TokenBucket b = new TokenBucket(16_000, () -> now);       // 2,000 octets/s: one octet per 500 us
        while (b.take(1)) { }
        for (int i = 0; i < 4000; i++) {                      // 1 s in quarter-octet steps, the bucket read each time
            now += 250_000;
            assertThat(b.take(0)).isTrue();
        }
        int passed = 0;
        while (b.take(1)) passed++;
        assertThat(passed).isBetween(1999, 2000);
    }

    @Test
    void aLongIdleFillsTheBucketAndNoMore() {
        TokenBucket b = new TokenBucket(1_000_000_000, () -> now);
        while (b.take(1500)) { }
        now += 3_600_000_000_000L;                                  // an hour
        long passed = 0;
        while (b.take(1500)) passed += 1500;
        assertThat(passed).isLessThanOrEqualTo(b.burst()).isGreaterThan(b.burst() - 1500);
    }
}
