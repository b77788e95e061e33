package net.l2sec.dataplane.time;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.time.Scheduler;

/**
 * {@link Scheduler} on a Netty event loop: every task runs on that loop.
 *
 * <p>Timers of {@link #SLACK_FROM} or more fire on a grid of {@link #SLACK}: their deadline is rounded up to the next
 * multiple of it, so they run up to that much late and never early. Such timers are protocol timeouts counted in
 * seconds (IKE and L2TP retransmissions, PPP restart, LCP echo, HELLO, half-open and idle expiry), and a worker holds
 * thousands of them: each firing on its own is a wake-up of the loop (and, on a core shared with the crypto
 * workers, two context switches), while timers that share a grid point fire in one. Like Linux's timer slack
 * ({@code prctl(PR_SET_TIMERSLACK)}) and Netty's {@code HashedWheelTimer} ticks, it trades a few milliseconds of
 * precision nobody needs for fewer wake-ups.
 */
public final class EventLoopScheduler implements Scheduler {
    /** Timers at least this long fire on the {@link #SLACK} grid. */
    static final long SLACK_FROM = TimeUnit.MILLISECONDS.toNanos(500);
    /** The grid of long timers: at most this late. */
    static final long SLACK = TimeUnit.MILLISECONDS.toNanos(16);

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
        ScheduledFuture<?> f = loop.schedule(task, withSlack(System.nanoTime(), delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /**
     * The delay from {@code now} that ends on the first {@link #SLACK} grid point at or after {@code now + delay}, for
     * delays of {@link #SLACK_FROM} or more; shorter delays unchanged.
     */
    static long withSlack(long now, long delay) {
        if (delay < SLACK_FROM) return delay;
        long deadline = now + delay;
        long late = Math.floorMod(-deadline, SLACK);   // from the deadline to the next grid point (0 when on it)
        return delay + late;
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
