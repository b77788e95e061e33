package net.l2sec.dataplane.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LocalAddressSocketsTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final EventLoop loop = group.next();
    final List<LocalAddressSockets> opened = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        opened.forEach(LocalAddressSockets::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    LocalAddressSockets sockets(String listen, int port) {
        LocalAddressSockets s = new LocalAddressSockets("ike", loop, new InetSocketAddress(listen, port), registry);
        opened.add(s);
        return s;
    }

    @Test
    void theListenAddressDecidesWhichAddressesAreServed() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.1");
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        LocalAddressSockets anyV4 = sockets("0.0.0.0", 500);
        assertThat(anyV4.accepts(v4)).isTrue();
        assertThat(anyV4.accepts(v6)).isFalse();
        LocalAddressSockets any = sockets("::", 500);
        assertThat(any.accepts(v4)).isTrue();
        assertThat(any.accepts(v6)).isTrue();
        LocalAddressSockets one = sockets("192.0.2.1", 500);
        assertThat(one.accepts(v4)).isTrue();
        assertThat(one.accepts(InetAddress.getByName("192.0.2.2"))).isFalse();
    }

    @Test
    void aPortHeldByAnotherProcessIsRefusedAtOpenDespiteReuseAddress() throws Exception {
        try (DatagramChannel other = DatagramChannel.open()) {
            other.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) other.getLocalAddress()).getPort();
            LocalAddressSockets s = sockets("0.0.0.0", port);
            assertThatThrownBy(() -> s.open(local -> new ChannelInboundHandlerAdapter(), () -> { }))
                    .isInstanceOf(BindException.class);
        }
    }

    @Test
    void aSpecificListenAddressIsOneSocketThatIgnoresAddressChanges() throws Exception {
        int port = freePort();
        LocalAddressSockets s = sockets("127.0.0.1", port);
        List<InetSocketAddress> handlersFor = new CopyOnWriteArrayList<>();
        s.open(local -> {
            handlersFor.add(local);
            return new ChannelInboundHandlerAdapter();
        }, () -> { });
        InetAddress other = InetAddress.getByName("127.0.0.2");
        loop.submit(() -> s.update(Set.of(other))).sync();
        assertThat(handlersFor).containsExactly(new InetSocketAddress("127.0.0.1", port));
        assertThat(loop.submit(s::addresses).get()).containsExactly(InetAddress.getByName("127.0.0.1"));
        assertThat(registry.get("l2sec.listen.addresses").gauge().value()).isEqualTo(1);
    }

    @Test
    void anAddressThatCannotBeBoundIsDroppedAndRetriedAtTheNextUpdate() throws Exception {
        LocalAddressSockets s = sockets("0.0.0.0", freePort());
        List<InetSocketAddress> handlersFor = new CopyOnWriteArrayList<>();
        s.open(local -> {
            handlersFor.add(local);
            return new ChannelInboundHandlerAdapter();
        }, () -> { });
        InetAddress foreign = InetAddress.getByName("192.0.2.77"); // not an address of this host: EADDRNOTAVAIL
        loop.submit(() -> s.update(Set.of(foreign))).sync();
        for (int i = 0; i < 100 && !loop.submit(s::addresses).get().isEmpty(); i++) Thread.sleep(10);
        assertThat(loop.submit(s::addresses).get()).isEmpty();
        assertThat(registry.get("l2sec.listen.addresses").gauge().value()).isZero();
        assertThat(loop.submit(() -> s.channelFor(foreign)).get().localAddress()).as("the catch-all stands in")
                .isEqualTo(new InetSocketAddress("0.0.0.0", s.listen().getPort()));
        loop.submit(() -> s.update(Set.of(foreign))).sync();
        assertThat(handlersFor).hasSize(2);
    }

    @Test
    void theMonitorReportsEveryReadingAndMergesRequestsWhileOneIsQueued() throws Exception {
        List<Set<InetAddress>> readings = new CopyOnWriteArrayList<>();
        CountDownLatch read = new CountDownLatch(2);
        Set<InetAddress> host = Set.of(InetAddress.getByName("192.0.2.1"));
        try (LocalAddressMonitor monitor = new LocalAddressMonitor(() -> host, found -> {
            readings.add(found);
            read.countDown();
        })) {
            assertThat(monitor.start(Duration.ofHours(1))).isEqualTo(host);
            assertThat(readings).containsExactly(host);
            Thread.sleep(250); // past the minimum spacing of readings
            for (int i = 0; i < 100; i++) monitor.refreshSoon();
            assertThat(read.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300);
            assertThat(readings).as("a hundred requests while one was queued: one more reading").hasSize(2);
        }
    }

    @Test
    void refusedSendsAndHandlerFailuresAreCountedAndLoggedOncePerInterval() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(LocalAddressSockets.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            int port = freePort();
            LocalAddressSockets s = sockets("127.0.0.1", port);
            CountDownLatch read = new CountDownLatch(1);
            s.open(local -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    io.netty.util.ReferenceCountUtil.release(msg);
                    read.countDown();
                    throw new IllegalStateException("a handler's bug");
                }
            }, () -> { });
            Channel c = loop.submit(() -> s.channelFor(InetAddress.getByName("127.0.0.1"))).get();
            // the kernel refuses these: a limited broadcast without SO_BROADCAST (from 127.0.0.1 at that)
            InetSocketAddress nowhere = new InetSocketAddress("255.255.255.255", 9);
            for (int i = 0; i < 100; i++) {
                loop.submit(() -> c.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[8]), nowhere),
                        c.voidPromise())).sync();
            }
            try (DatagramChannel peer = DatagramChannel.open()) {
                peer.send(java.nio.ByteBuffer.wrap(new byte[8]), new InetSocketAddress("127.0.0.1", port));
            }
            assertThat(read.await(5, TimeUnit.SECONDS)).isTrue();
            loop.submit(() -> { }).sync();
            assertThat(registry.get("l2sec.listen.errors").tag("socket", "ike").tag("kind", "io").counter().count())
                    .isEqualTo(100);
            assertThat(registry.get("l2sec.listen.errors").tag("socket", "ike").tag("kind", "handler").counter().count())
                    .isEqualTo(1);
            assertThat(lines.list).as("one line for the first refused send; the rest within the interval counted")
                    .hasSize(1);
            assertThat(lines.list.getFirst().getFormattedMessage()).startsWith("ike socket /127.0.0.1:" + port
                    + ": datagram lost: java.net.");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void theHostsAddressesIncludeLoopback() {
        assertThat(LocalAddressMonitor.hostAddresses()).contains(InetAddress.getLoopbackAddress());
    }

    static int freePort() throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("0.0.0.0", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }
}
