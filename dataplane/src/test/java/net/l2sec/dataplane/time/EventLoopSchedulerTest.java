package net.l2sec.dataplane.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.time.Scheduler;
import org.junit.jupiter.api.Test;

class EventLoopSchedulerTest {
    private static final long MS = 1_000_000L;

    @Test
    void longTimersEndOnTheSlackGridNeverEarlyAndAtMostOneSlackLate() {
        long[] nows = {0, 1, 123_456_789, -987_654_321_000L, Long.MAX_VALUE / 4};
        long[] delays = {500 * MS, 2_000 * MS, 2_000 * MS + 1, 30_000 * MS, 3_600_000 * MS};
        for (long now : nows) {
            for (long delay : delays) {
                long slacked = EventLoopScheduler.withSlack(now, delay);
                assertThat(slacked).as("now=%d delay=%d", now, delay)
                        .isGreaterThanOrEqualTo(delay).isLessThan(delay + EventLoopScheduler.SLACK);
                assertThat(Math.floorMod(now + slacked, EventLoopScheduler.SLACK)).isZero();
            }
        }
    }

    @Test
    void timersArmedAtDifferentMomentsForNearbyDeadlinesShareOneGridPoint() {
        // two retransmission timers of 2 s, armed 3 ms apart: one wake-up of the loop for both
        long a = 10_000 * MS + 1 * MS;
        long b = a + 3 * MS;
        long deadlineA = a + EventLoopScheduler.withSlack(a, 2_000 * MS);
        long deadlineB = b + EventLoopScheduler.withSlack(b, 2_000 * MS);
        assertThat(deadlineA).isEqualTo(deadlineB);
    }

    @Test
    void shortTimersKeepTheirExactDelay() {
        assertThat(EventLoopScheduler.withSlack(7 * MS, 0)).isZero();
        assertThat(EventLoopScheduler.withSlack(7 * MS, 20 * MS)).isEqualTo(20 * MS);
        assertThat(EventLoopScheduler.withSlack(7 * MS, 499 * MS)).isEqualTo(499 * MS);
    }

    @Test
    void aLongTimerOnTheLoopRunsNoEarlierThanAsked() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try {
            EventLoopScheduler scheduler = loop.submit(() -> new EventLoopScheduler(loop)).get();
            java.util.concurrent.CompletableFuture<Long> ran = new java.util.concurrent.CompletableFuture<>();
            long armed = System.nanoTime();
            loop.execute(() -> scheduler.schedule(java.time.Duration.ofMillis(600), () -> ran.complete(System.nanoTime())));
            assertThat(ran.get(10, TimeUnit.SECONDS) - armed).isGreaterThanOrEqualTo(600 * MS);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void coarseClockNeverRunsAheadAndFollowsTheClock() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try {
            EventLoopScheduler scheduler = loop.submit(() -> new EventLoopScheduler(loop)).get();
            long[] first = loop.submit(() -> new long[] {scheduler.coarseNanoTime(), scheduler.nanoTime()}).get();
            assertThat(first[0]).isLessThanOrEqualTo(first[1]);

            // after several refresh periods the coarse clock has moved past the first precise reading
            Thread.sleep(Scheduler.COARSE_RESOLUTION.multipliedBy(4).toMillis());
            long[] later = loop.submit(() -> new long[] {scheduler.coarseNanoTime(), scheduler.nanoTime()}).get();
            assertThat(later[0]).isGreaterThan(first[1]).isLessThanOrEqualTo(later[1]);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
