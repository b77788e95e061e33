package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import net.l2sec.dataplane.udp.LocalAddressMonitor;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import net.l2sec.dataplane.udp.ReuseportSteering;
import net.l2sec.dataplane.udp.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP ports we serve, each bound on every local address of the host (replies leave from the address a client
 * sent to), and the monitor that follows the host's addresses for all of them: an address added after start is
 * bound within {@link #READ_INTERVAL}, or at once when a datagram reaches it first; one that went away is closed.
 * A port of the workers ({@link #port}) has a socket set per worker, bound with {@code SO_REUSEPORT} in worker
 * order and steered by the source address ({@link ReuseportSteering}); a port of the first worker
 * ({@link #portOfFirst}) has one. Each subsystem closes its own ports; {@link #close} stops following.
 */
final class LocalAddresses implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalAddresses.class);
    /** How often the host's addresses are read (at once, too, when a datagram reaches an address not yet bound). */
    static final Duration READ_INTERVAL = Duration.ofSeconds(2);
    /** How long one worker's new sockets may take to bind before the next worker's join the group. */
    private static final long BIND_WAIT_MILLIS = 2_000;

    /** One port: a socket set per worker that serves it (one for a port of the first worker). */
    record Port(String name, InetSocketAddress listen, List<LocalAddressSockets> byWorker) {
        LocalAddressSockets of(int worker) {
            return byWorker.get(worker);
        }

        void close() {
            byWorker.forEach(LocalAddressSockets::close);
        }
    }

    private final Workers workers;
    private final Transport transport;
    private final MeterRegistry registry;
    private final List<Port> ports = new CopyOnWriteArrayList<>();
    private final LocalAddressMonitor monitor;
    private volatile boolean steeringReported;

    LocalAddresses(Workers workers, Transport transport, MeterRegistry registry) {
        this.workers = workers;
        this.transport = transport;
        this.registry = registry;
        this.monitor = new LocalAddressMonitor(LocalAddressMonitor::hostAddresses, this::update);
    }

    /** A port every worker serves: {@code name} is its socket label ({@code ike}, {@code natt}). */
    Port port(String name, InetSocketAddress listen) {
        List<LocalAddressSockets> sets = new ArrayList<>();
        int n = workers.size();
        for (Workers.Worker w : workers.all()) {
            sets.add(new LocalAddressSockets(name, w.loop(), transport, listen, registry,
                    LocalAddressSockets.Sharing.worker(w.index(), n, this::steer)));
        }
        Port port = new Port(name, listen, List.copyOf(sets));
        ports.add(port);
        return port;
    }

    /** A port only the first worker serves ({@code l2tp}: plain L2TP is a lab mode, or dropped). */
    Port portOfFirst(String name, InetSocketAddress listen) {
        Port port = new Port(name, listen, List.of(new LocalAddressSockets(name, workers.first().loop(), transport, listen, registry)));
        ports.add(port);
        return port;
    }

    /** Attaches the steering program to the first worker's socket of a group (the others join it after). */
    private void steer(Channel first) {
        boolean attached = ReuseportSteering.attach(first, workers.size());
        if (!steeringReported) {
            steeringReported = true;
            if (attached) {
                log.info("workers={}: the kernel steers each client's datagrams to its worker by source address", workers.size());
            } else {
                log.info("workers={}: no kernel steering program here; datagrams that reach another worker than their client's "
                        + "are handed over (l2sec_listen_handoffs_total)", workers.size());
            }
        }
    }

    /**
     * Binds {@code port}'s first sockets, worker by worker; each socket gets the handler {@code handlers} makes for
     * its worker and address.
     */
    void open(Port port, BiFunction<Integer, InetSocketAddress, ChannelHandler> handlers) throws IOException, InterruptedException {
        for (int i = 0; i < port.byWorker().size(); i++) {
            int worker = i;
            port.of(i).open(local -> handlers.apply(worker, local), monitor::refreshSoon);
        }
    }

    /** Reads the host's addresses now (binding every port on them) and then every {@link #READ_INTERVAL}. */
    Set<InetAddress> start() {
        return monitor.start(READ_INTERVAL);
    }

    /** Every socket of worker {@code worker}'s sets, the catch-all of a wildcard port included. Call on its loop. */
    List<Channel> sockets(int worker) {
        return ports.stream().filter(p -> worker < p.byWorker().size()).map(p -> p.of(worker))
                .flatMap(set -> Stream.concat(set.addresses().stream(), Stream.of(set.listen().getAddress())).map(set::channelFor))
                .filter(Objects::nonNull).distinct().toList();
    }

    /**
     * Binds and closes sockets for the host's addresses {@code found}: worker by worker, each waiting for the one
     * before it to have bound, so that in every {@code SO_REUSEPORT} group socket i is worker i's (the steering
     * program returns that index). On the monitor's thread.
     */
    private void update(Set<InetAddress> found) {
        for (Port port : ports) {
            for (int i = 0; i < port.byWorker().size(); i++) {
                LocalAddressSockets set = port.of(i);
                try {
                    List<ChannelFuture> binds = workers.get(i).loop().submit(() -> set.update(found)).get(BIND_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    for (ChannelFuture b : binds) b.awaitUninterruptibly(BIND_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    log.warn("{} port: following the host's addresses on worker {} failed: {}", port.name(), i, e.toString());
                }
            }
        }
    }

    /** Stops following the host's addresses; the ports stay open. */
    @Override
    public void close() {
        monitor.close();
    }
}
