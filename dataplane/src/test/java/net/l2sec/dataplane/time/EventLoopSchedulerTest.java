package net.l2sec.dataplane.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.time.Scheduler;
import org.junit.jupiter.api.Test;

class EventLoopSchedulerTest {
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
