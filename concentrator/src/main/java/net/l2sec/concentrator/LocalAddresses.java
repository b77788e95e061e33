package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import net.l2sec.dataplane.udp.LocalAddressMonitor;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import net.l2sec.dataplane.udp.Transport;

/**
 * The UDP ports we serve, each bound on every local address of the host (replies leave from the address a client
 * sent to), and the monitor that follows the host's addresses for all of them: an address added after start is
 * bound within {@link #READ_INTERVAL}, or at once when a datagram reaches it first; one that went away is closed.
 * Each subsystem closes its own ports; {@link #close} stops following.
 */
final class LocalAddresses implements AutoCloseable {
    /** How often the host's addresses are read (at once, too, when a datagram reaches an address not yet bound). */
    static final Duration READ_INTERVAL = Duration.ofSeconds(2);

    private final EventLoop loop;
    private final Transport transport;
    private final MeterRegistry registry;
    private final List<LocalAddressSockets> ports = new CopyOnWriteArrayList<>();
    private final LocalAddressMonitor monitor;

    LocalAddresses(EventLoop loop, Transport transport, MeterRegistry registry) {
        this.loop = loop;
        this.transport = transport;
        this.registry = registry;
        this.monitor = new LocalAddressMonitor(LocalAddressMonitor::hostAddresses, this::update);
    }

    /** A port to serve on every local address: {@code name} is its socket label ({@code ike}, {@code natt}, {@code l2tp}). */
    LocalAddressSockets port(String name, InetSocketAddress listen) {
        LocalAddressSockets port = new LocalAddressSockets(name, loop, transport, listen, registry);
        ports.add(port);
        return port;
    }

    /** Binds {@code port}'s first socket; each of its sockets gets the handler {@code handlers} makes for its address. */
    void open(LocalAddressSockets port, Function<InetSocketAddress, ChannelHandler> handlers)
            throws IOException, InterruptedException {
        port.open(handlers, monitor::refreshSoon);
    }

    /** Reads the host's addresses now (binding every port on them) and then every {@link #READ_INTERVAL}. */
    Set<InetAddress> start() {
        return monitor.start(READ_INTERVAL);
    }

    /** Every socket of every port, the catch-all of a wildcard port included. Call on the event loop. */
    List<Channel> sockets() {
        return ports.stream().flatMap(port -> Stream.concat(port.addresses().stream(), Stream.of(port.listen().getAddress()))
                .map(port::channelFor)).filter(Objects::nonNull).distinct().toList();
    }

    private void update(Set<InetAddress> found) {
        loop.execute(() -> ports.forEach(port -> port.update(found)));
    }

    /** Stops following the host's addresses; the ports stay open. */
    @Override
    public void close() {
        monitor.close();
    }
}
