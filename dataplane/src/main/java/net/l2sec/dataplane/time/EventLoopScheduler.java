package net.l2sec.dataplane.time;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler} on a Netty event loop: every task runs on that loop. */
public final class EventLoopScheduler implements Scheduler {
    private final EventLoop loop;

    public EventLoopScheduler(EventLoop loop) {
        this.loop = loop;
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

    public EventLoop eventLoop() {
        return loop;
    }
}
