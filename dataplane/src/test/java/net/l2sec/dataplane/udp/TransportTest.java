package net.l2sec.dataplane.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The per-address sockets work the same on both transports: a reply leaves from the address that was dialled. */
class TransportTest {

    @Test
    void choices() {
        assertThat(Transport.of(Transport.Choice.NIO)).isEqualTo(Transport.NIO);
        assertThat(Transport.of(Transport.Choice.AUTO)).isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        assertThat(Transport.Choice.parse(" Epoll ")).isEqualTo(Transport.Choice.EPOLL);
        assertThatThrownBy(() -> Transport.Choice.parse("io_uring")).hasMessage("must be auto, epoll or nio, not \"io_uring\"");
    }

    @Test
    void theNativeTransportLoadsOnLinuxX86() {
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"));
        assertThat(Epoll.isAvailable()).as("%s", Epoll.unavailabilityCause()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void repliesLeaveFromTheAddressDialled(Transport transport) throws Exception {
        assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(), "epoll not available here");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        EventLoop loop = group.next();
        LocalAddressSockets sockets = new LocalAddressSockets("ike", loop, transport,
                new InetSocketAddress("0.0.0.0", LocalAddressSocketsTest.freePort()), new SimpleMeterRegistry());
        try {
            sockets.open(local -> new SimpleChannelInboundHandler<DatagramPacket>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket in) {
                    String reply = in.content().toString(StandardCharsets.US_ASCII) + " via " + local.getAddress().getHostAddress();
                    ctx.writeAndFlush(new DatagramPacket(ctx.alloc().buffer().writeBytes(reply.getBytes(StandardCharsets.US_ASCII)),
                            in.sender()));
                }
            }, () -> { });
            InetAddress one = InetAddress.getByName("127.0.0.1");
            InetAddress two = InetAddress.getByName("127.0.0.2");
            loop.submit(() -> sockets.update(Set.of(one, two))).sync();
            for (int i = 0; i < 100 && loop.submit(sockets::addresses).get().size() < 2; i++) Thread.sleep(10);
            Channel bound = loop.submit(() -> sockets.channelFor(two)).get();
            assertThat(bound).isInstanceOf(transport == Transport.EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class);
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                client.setSoTimeout(5_000);
                for (InetAddress dialled : new InetAddress[] {one, two}) {
                    String answer = exchange(client, new InetSocketAddress(dialled, sockets.listen().getPort()), "hello");
                    assertThat(answer).isEqualTo("hello via " + dialled.getHostAddress());
                }
            }
        } finally {
            sockets.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String exchange(DatagramSocket client, InetSocketAddress to, String text) throws Exception {
        byte[] out = text.getBytes(StandardCharsets.US_ASCII);
        client.send(new java.net.DatagramPacket(out, out.length, to));
        java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[512], 512);
        client.receive(in);
        assertThat(in.getSocketAddress()).as("the reply's source").isEqualTo(to);
        return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
    }
}
