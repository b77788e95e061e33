package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.dataplane.udp.ReuseportSteering;

/**
 * The worker event loops: each owns the clients whose public address steers to it
 * ({@link ReuseportSteering#shardOf}) with everything they hold — IKE and ESP SAs, the L2TP tunnel, PPP sessions,
 * their timers and packets — so the packet path takes no lock; what the workers share (address pools, the session
 * registry, L2TP identifiers, AAA, the crypto workers) is thread-safe. Each worker's dataplane registers its meters
 * in {@link Worker#registry}, exported summed ({@link WorkerMeters}).
 */
final class Workers {
    /** One worker: its loop, the scheduler on it and the registry its dataplane's meters go to. */
    record Worker(int index, EventLoop loop, EventLoopScheduler scheduler, MeterRegistry registry) {}

    private final List<Worker> workers;

    Workers(EventLoopGroup group, int count, MeterRegistry exported) {
        WorkerMeters meters = new WorkerMeters(exported, count);
        List<Worker> all = new ArrayList<>(count);
        for (EventExecutor e : group) {
            EventLoop loop = (EventLoop) e;
            all.add(new Worker(all.size(), loop, new EventLoopScheduler(loop), meters.of(all.size())));
        }
        if (all.size() != count) throw new IllegalStateException(count + " workers expected, the group has " + all.size());
        this.workers = List.copyOf(all);
    }

    int size() {
        return workers.size();
    }

    Worker get(int index) {
        return workers.get(index);
    }

    List<Worker> all() {
        return workers;
    }

    /** The first worker: it holds what is not per client (plain L2TP's port, the address monitor's work). */
    Worker first() {
        return workers.getFirst();
    }

    /** The worker that owns a client at {@code address}. */
    int ownerOf(InetAddress address) {
        return ReuseportSteering.shardOf(address, workers.size());
    }

    /** {@code work} on every worker's loop, in parallel; the results in worker order (waits at most {@code seconds}). */
    <T> List<T> onEach(Function<Worker, T> work, long seconds) throws Exception {
        List<CompletableFuture<T>> parts = new ArrayList<>();
        for (Worker w : workers) parts.add(CompletableFuture.supplyAsync(() -> work.apply(w), w.loop()));
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).get(seconds, TimeUnit.SECONDS);
        return parts.stream().map(CompletableFuture::join).toList();
    }
}
