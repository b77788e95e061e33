package net.l2sec.dataplane.udp;

import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.StandardSocketOptions;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How the event loops wait for and move datagrams: Netty's native epoll transport on Linux (fewer copies and
 * allocations per datagram, and the socket options of the native stack), or the JDK's NIO selector anywhere. The
 * event loops and every socket on them use the same one.
 */
public enum Transport {
    EPOLL {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public DatagramChannel datagramChannel(SocketProtocolFamily family) {
            return new EpollDatagramChannel(family);
        }

        @Override
        public ChannelOption<Boolean> reusePort() {
            return EpollChannelOption.SO_REUSEPORT;
        }
    },
    NIO {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public DatagramChannel datagramChannel(SocketProtocolFamily family) {
            return new NioDatagramChannel(family);
        }

        @Override
        public ChannelOption<Boolean> reusePort() {
            return NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
        }
    };

    /** What the configuration asks for ({@code server.transport}). */
    public enum Choice {
        /** epoll where the native library loads (Linux x86-64), else NIO. */
        AUTO,
        EPOLL,
        NIO;

        /** {@code auto}, {@code epoll} or {@code nio}, any case. */
        public static Choice parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be auto, epoll or nio, not \"" + text + "\"");
            }
        }
    }

    public abstract IoHandlerFactory ioHandlerFactory();

    /** An unbound datagram socket of {@code family} for an event loop of this transport. */
    public abstract DatagramChannel datagramChannel(SocketProtocolFamily family);

    /**
     * {@code SO_REUSEPORT} (Linux 3.9): several sockets bound to one address and port, among which the kernel
     * spreads the datagrams it receives; one per worker event loop.
     */
    public abstract ChannelOption<Boolean> reusePort();

    /**
     * The transport {@code choice} names on this host.
     *
     * @throws IllegalStateException epoll was asked for and its native library does not load here (the reason)
     */
    public static Transport of(Choice choice) {
        return switch (choice) {
            case NIO -> NIO;
            case AUTO -> {
                if (Epoll.isAvailable()) yield EPOLL;
                LoggerFactory.getLogger(Transport.class).info("transport nio: the native epoll transport is not "
                        + "available here ({})", String.valueOf(Epoll.unavailabilityCause()));
                yield NIO;
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("server.transport: epoll is not available on this host: "
                            + Epoll.unavailabilityCause());
                }
                yield EPOLL;
            }
        };
    }

    /** The name operators write and read in logs: {@code epoll}, {@code nio}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
