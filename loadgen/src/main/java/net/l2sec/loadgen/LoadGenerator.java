package net.l2sec.loadgen;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.loadgen.ike.IkeInitiator;
import net.l2sec.loadgen.ip.InnerPcap;
import net.l2sec.spi.time.Scheduler;

/**
 * One run: starts the clients at the configured rate (and concurrency), keeps them up for the duration, hangs
 * them all up, and reports ({@link Report}) each second and at the end. Clients live on a few Netty event loops;
 * Diffie-Hellman runs on a small pool of its own so that a burst of key exchanges never stalls packets.
 */
public final class LoadGenerator implements Run {
    private final Options options;
    private final Stats stats = new Stats();
    private final PrintStream out;
    private final Map<EventLoop, Scheduler> schedulers = new ConcurrentHashMap<>();
    private final Semaphore setupSlots;
    private final AtomicLong lastConnect = new AtomicLong();
    /**
     * Clients started and not yet ended: one that hung up, failed or could not bind leaves, so that in a long churn
     * run (--hold, tens of thousands of clients one after another) the generator keeps only the live ones.
     */
    private final Set<Client> live = ConcurrentHashMap.newKeySet();
    /** Hang-ups per second at the end of a run (at least). */
    static final double HANG_UP_RATE = 2_000;
    private IkeInitiator.Settings ikeSettings;
    /** --pcap: where inner packets go; null without. */
    private volatile InnerPcap pcap;

    public LoadGenerator(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.setupSlots = new Semaphore(options.concurrency() > 0 ? options.concurrency() : Integer.MAX_VALUE);
    }

    /** Runs to the end; returns the final report. */
    public Report.Summary run() throws InterruptedException {
        int threads = options.threads();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        ExecutorService dhPool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().daemon().name("dh-", 1).factory());
        // --dh-reuse: the run's one group, one key pair, made once
        CompletableFuture<DiffieHellman> sharedKeyPair = options.dhReuse()
                ? CompletableFuture.supplyAsync(() -> DiffieHellman.generate(options.proposal().group()), dhPool) : null;
        ikeSettings = new IkeInitiator.Settings(options.proposal(), options.esp(),
                options.psk().getBytes(StandardCharsets.UTF_8), options.pretendNat(), dhPool, PooledByteBufAllocator.DEFAULT,
                sharedKeyPair, options.setup());
        List<InetAddress> sources = options.sourceAddresses().isEmpty() ? List.of(routeSource()) : options.sourceAddresses();
        Report report = new Report(options, stats, out);
        out.println("loadgen server=" + options.server().getHostAddress() + ":" + options.ikePort() + " clients="
                + options.clients() + " rate=" + options.rate() + " concurrency=" + options.concurrency() + " proposal="
                + options.proposal() + " esp=" + options.esp() + " auth=" + options.auth().name().toLowerCase()
                + " sources=" + sources.size() + " nat=" + (options.pretendNat() ? "pretend" : "real")
                + " duration=" + options.duration().toSeconds() + "s" + (options.dhReuse() ? " dh_reuse=on" : ""));
        if (options.pcap().isPresent()) {
            try {
                pcap = new InnerPcap(options.pcap().get());
            } catch (IOException e) {
                throw new IllegalArgumentException("--pcap " + options.pcap().get() + ": " + e.getMessage());
            }
        }
        long t0 = System.nanoTime();
        long end = t0 + options.duration().toNanos();
        report.start(t0);
        long seed = System.nanoTime();
        try {
            for (int i = 1; i <= options.clients(); i++) {
                long due = t0 + (long) ((i - 1) * 1e9 / options.rate());
                if (!sleepUntil(Math.min(due, end))) break;
                if (System.nanoTime() >= end) break;
                if (!setupSlots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) break;
                stats.started.increment();
                Client c = new Client(i, this, sources.get((i - 1) % sources.size()), seed + i * 0x9E3779B97F4A7C15L);
                live.add(c);
                c.start(group);
            }
            if (options.untilUp() == null) {
                sleepUntil(end);
            } else {
                // every client is up or has failed: hold for --until-up, never beyond the end
                while (System.nanoTime() < end && stats.connected.sum() + stats.failed.sum() < stats.started.sum()) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                sleepUntil(Math.min(end, System.nanoTime() + options.untilUp().toNanos()));
            }
        } finally {
            hangUpAll();
            Thread.sleep(500);   // the goodbyes leave before the loops stop
            report.stop();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            dhPool.shutdownNow();
            if (pcap != null) {
                try {
                    pcap.close();
                } catch (IOException e) {
                    out.println("loadgen: --pcap " + options.pcap().get() + ": " + e.getMessage());
                }
            }
        }
        return report.summary(System.nanoTime(), lastConnect.get());
    }

    /**
     * Hangs every client up, at most {@link #HANG_UP_RATE} per second (or --rate, when higher), so that the server's
     * socket is not handed tens of thousands of goodbyes at once, and waits (bounded) until each has sent them.
     * Hanging up all at once overflowed the server's receive queue at 10,000 clients: most sessions then ended by
     * the server's HELLO and LCP echo timeouts instead, well after the run.
     */
    private void hangUpAll() throws InterruptedException {
        double rate = Math.max(HANG_UP_RATE, options.rate());
        List<Client> clients = live.stream().sorted(Comparator.comparingInt(Client::number)).toList();
        long t0 = System.nanoTime();
        for (int i = 0; i < clients.size(); i++) {
            sleepUntil(t0 + (long) (i * 1e9 / rate));
            clients.get(i).hangUp();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!live.isEmpty() && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(20);
    }

    private static boolean sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000));
        return true;
    }

    /** The local address the route to the server uses: what our NAT-D and IDs name when no source is given. */
    private InetAddress routeSource() {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(options.server(), options.ikePort()));
            return s.getLocalAddress();
        } catch (SocketException e) {
            throw new IllegalStateException("no route to " + options.server(), e);
        }
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public Stats stats() {
        return stats;
    }

    @Override
    public IkeInitiator.Settings ikeSettings() {
        return ikeSettings;
    }

    @Override
    public Scheduler scheduler(EventLoop loop) {
        return schedulers.computeIfAbsent(loop, EventLoopScheduler::new);
    }

    @Override
    public void up(Client client) {
        lastConnect.set(System.nanoTime());
        setupSlots.release();
    }

    @Override
    public void capture(io.netty.buffer.ByteBuf packet) {
        InnerPcap p = pcap;
        if (p != null) p.write(packet);
    }

    @Override
    public void finished(Client client, boolean wasUp) {
        live.remove(client);
        if (!wasUp) setupSlots.release();
    }
}
