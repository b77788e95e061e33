package net.l2sec.dataplane.udp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the host's unicast addresses every {@code interval}, and at once when {@link #refreshSoon} asks (a datagram
 * reached an address without a socket), and reports every reading, so that {@link LocalAddressSockets} serve an
 * address added after start (an interface brought up, a second public address, a container network) within the
 * interval or one retransmission, stop serving one that is gone, and retry a bind that failed. Changes are logged
 * by the sockets. Runs on a daemon thread of its own; reading the interfaces never blocks the event loop.
 */
public final class LocalAddressMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalAddressMonitor.class);
    private static final long MIN_SPACING_NANOS = Duration.ofMillis(200).toNanos();

    private final Supplier<Set<InetAddress>> source;
    private final Consumer<Set<InetAddress>> onRead;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "l2sec-local-addresses");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private long lastRead;

    /**
     * @param source   the host's addresses now (see {@link #hostAddresses()})
     * @param onRead   told, on the monitor's thread, of every reading (whether it changed or not)
     */
    public LocalAddressMonitor(Supplier<Set<InetAddress>> source, Consumer<Set<InetAddress>> onRead) {
        this.source = source;
        this.onRead = onRead;
    }

    /** Reads the addresses now (reporting them), then every {@code interval}. Returns the addresses read first. */
    public Set<InetAddress> start(Duration interval) {
        Set<InetAddress> first = refreshNow();
        thread.scheduleWithFixedDelay(this::refreshNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return first;
    }

    /** Asks for a read of the addresses as soon as possible; calls while one is queued are merged. Any thread. */
    public void refreshSoon() {
        if (refreshQueued.compareAndSet(false, true)) {
            thread.execute(() -> {
                refreshQueued.set(false);
                if (System.nanoTime() - lastRead >= MIN_SPACING_NANOS) refreshNow();
            });
        }
    }

    /** Reads the addresses and reports them; returns them (empty when they cannot be read). */
    synchronized Set<InetAddress> refreshNow() {
        lastRead = System.nanoTime();
        Set<InetAddress> now;
        try {
            now = Set.copyOf(source.get());
        } catch (RuntimeException e) {
            log.warn("reading the host's addresses failed: {}", e.toString());
            return Set.of();
        }
        onRead.accept(now);
        return now;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /**
     * The host's unicast addresses on interfaces that are up: IPv4 and global IPv6 (link-local IPv6 needs a scope
     * and is no address a client dials), loopback included.
     */
    public static Set<InetAddress> hostAddresses() {
        Set<InetAddress> all = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) continue;
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a.isMulticastAddress() || a instanceof Inet6Address && a.isLinkLocalAddress()) continue;
                    all.add(a);
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
        }
        return all;
    }
}
