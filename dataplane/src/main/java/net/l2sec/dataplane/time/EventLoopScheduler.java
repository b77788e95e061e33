package net.l2sec.dataplane.time;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.time.Scheduler;

/** {@link Scheduler} on a Netty event loop: every task runs on that loop. */
public final class EventLoopScheduler implements Scheduler {
    private final EventLoop loop;
    /** Written and read on the loop only; refreshed every {@link #COARSE_RESOLUTION}. */
    private long coarse = System.nanoTime();

    public EventLoopScheduler(EventLoop loop) {
        this.loop = loop;
        long period = COARSE_RESOLUTION.toNanos();
        loop.scheduleAtFixedRate(() -> coarse = System.nanoTime(), period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public Timeout schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long coarseNanoTime() {
        return coarse;
    }

    public EventLoop eventLoop() {
        return loop;
    }
}
