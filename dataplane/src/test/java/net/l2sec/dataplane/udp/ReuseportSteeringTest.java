package net.l2sec.dataplane.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReuseportSteeringTest {

    // ---- the function ------------------------------------------------------------------------------------------

    @Test
    void knownValuesComputedByHand() throws Exception {
        // 127.0.0.1 = 0x7F000001: 0x7F000000 * 0x9E3779B1 keeps only (0x7F * 0xB1 = 0x57CF) & 0xFF = 0xCF << 24,
        // plus 1 * 0x9E3779B1: 0xCF000000 + 0x9E3779B1 = 0x6D3779B1 (wrapped); >>> 16 = 0x6D37 = 27959
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(ReuseportSteering.shardOf(loopback, 2)).isEqualTo(27959 % 2).isEqualTo(1);
        assertThat(ReuseportSteering.shardOf(loopback, 3)).isEqualTo(27959 % 3).isEqualTo(2);
        assertThat(ReuseportSteering.shardOf(loopback, 4)).isEqualTo(3);
        // 192.0.2.1 = 0xC0000201: 0x201 * K = (K << 9) + K = 0x6EF36200 + 0x9E3779B1 = 0x0D2ADBB1 (wrapped);
        // 0xC0000000 * K = (3K mod 4) << 30 = 3 << 30; sum 0xCD2ADBB1, >>> 16 = 0xCD2A = 52522
        InetAddress doc = InetAddress.getByName("192.0.2.1");
        assertThat(ReuseportSteering.shardOf(doc, 2)).isEqualTo(0);
        assertThat(ReuseportSteering.shardOf(doc, 3)).isEqualTo(52522 % 3).isEqualTo(1);
        assertThat(ReuseportSteering.shardOf(doc, 4)).isEqualTo(2);
        // ::1: a = 1, h = 0x9E3779B1, >>> 16 = 0x9E37 = 40503 (odd, divisible by 3)
        InetAddress v6loopback = InetAddress.getByName("::1");
        assertThat(ReuseportSteering.shardOf(v6loopback, 2)).isEqualTo(1);
        assertThat(ReuseportSteering.shardOf(v6loopback, 3)).isEqualTo(0);
        assertThat(ReuseportSteering.shardOf(v6loopback, 7)).isEqualTo(40503 % 7);
    }

    @Test
    void oneShardOrFewerIsShardZero() throws Exception {
        InetAddress a = InetAddress.getByName("198.51.100.7");
        assertThat(ReuseportSteering.shardOf(a, 1)).isZero();
        assertThat(ReuseportSteering.shardOf(a, 0)).isZero();
        assertThat(ReuseportSteering.shardOf(a, -3)).isZero();
    }

    @Test
    void everyShardIsInRangeAndUsed() throws Exception {
        for (int shards : new int[] {2, 3, 4, 7, 16, 64}) {
            int[] count = new int[shards];
            for (int i = 0; i < 4096; i++) {
                InetAddress a = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 1});
                int s = ReuseportSteering.shardOf(a, shards);
                assertThat(s).isBetween(0, shards - 1);
                count[s]++;
            }
            for (int c : count) assertThat(c).as("%d shards: %s", shards, Arrays.toString(count)).isPositive();
        }
    }

    @Test
    void ipv6UsesTheLastFourBytes() throws Exception {
        InetAddress v6 = InetAddress.getByName("2001:db8:1:2:3:4:c000:201");
        InetAddress other = InetAddress.getByName("fe80::c000:201");
        InetAddress v4 = InetAddress.getByName("192.0.2.1");
        for (int shards = 1; shards <= 17; shards++) {
            assertThat(ReuseportSteering.shardOf(v6, shards)).isEqualTo(ReuseportSteering.shardOf(v4, shards));
            assertThat(ReuseportSteering.shardOf(other, shards)).isEqualTo(ReuseportSteering.shardOf(v4, shards));
        }
    }

    // ---- the program, run by a small cBPF interpreter over synthetic IP headers ---------------------------------

    @Test
    void theProgramComputesShardOfForIpv4AndIpv6Headers() throws Exception {
        Random random = new Random(15);
        for (int shards : new int[] {1, 2, 3, 5, 8}) {
            byte[] program = ReuseportSteering.program(shards);
            assertThat(program).hasSize(10 * ReuseportSteering.SOCK_FILTER_SIZE);
            for (int i = 0; i < 500; i++) {
                byte[] v4 = new byte[4];
                random.nextBytes(v4);
                byte[] header4 = new byte[20]; // random everywhere but the version and the source
                random.nextBytes(header4);
                header4[0] = (byte) (0x40 | header4[0] & 0x0f);
                System.arraycopy(v4, 0, header4, 12, 4);
                assertThat(run(program, header4)).isEqualTo(ReuseportSteering.shardOf(InetAddress.getByAddress(v4), shards));

                byte[] v6 = new byte[16];
                random.nextBytes(v6);
                byte[] header6 = new byte[40];
                random.nextBytes(header6);
                header6[0] = (byte) (0x60 | header6[0] & 0x0f);
                System.arraycopy(v6, 0, header6, 8, 16);
                assertThat(run(program, header6)).isEqualTo(ReuseportSteering.shardOf(InetAddress.getByAddress(v6), shards));
            }
        }
        assertThatThrownBy(() -> ReuseportSteering.program(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Runs the instructions this program uses, with loads relative to the network header ({@code net}). */
    private static int run(byte[] program, byte[] net) {
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        ByteBuffer packet = ByteBuffer.wrap(net); // big-endian, as cBPF loads
        int a = 0;
        for (int pc = 0, steps = 0; steps < 64; pc++, steps++) {
            int at = pc * ReuseportSteering.SOCK_FILTER_SIZE;
            int code = p.getShort(at) & 0xffff;
            int jt = program[at + 2] & 0xff;
            int jf = program[at + 3] & 0xff;
            int k = p.getInt(at + 4);
            switch (code) {
                case 0x30 -> a = packet.get(netOffset(k)) & 0xff; // ld b abs
                case 0x20 -> a = packet.getInt(netOffset(k)); // ld w abs
                case 0x74 -> a = a >>> k; // alu rsh k
                case 0x24 -> a = a * k; // alu mul k
                case 0x94 -> a = Integer.remainderUnsigned(a, k); // alu mod k
                case 0x15 -> pc += a == k ? jt : jf; // jmp jeq k
                case 0x05 -> pc += k; // jmp ja
                case 0x16 -> { // ret a
                    return a;
                }
                default -> throw new AssertionError("opcode 0x" + Integer.toHexString(code) + " at " + pc);
            }
        }
        throw new AssertionError("no ret");
    }

    private static int netOffset(int k) {
        assertThat(k).as("loads are SKF_NET_OFF-relative").isBetween(ReuseportSteering.SKF_NET_OFF,
                ReuseportSteering.SKF_NET_OFF + 60);
        return k - ReuseportSteering.SKF_NET_OFF;
    }

    // ---- the kernel --------------------------------------------------------------------------------------------

    @Test
    void nioChannelsGetNoProgram() {
        Channel nio = Transport.NIO.datagramChannel(SocketProtocolFamily.INET);
        try {
            assertThat(ReuseportSteering.attach(nio, 2)).isFalse();
        } finally {
            nio.unsafe().closeForcibly();
        }
    }

    @Test
    void aClosedEpollChannelGetsNoProgram() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll not available here");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.EPOLL.ioHandlerFactory());
        try {
            Channel ch = Transport.EPOLL.datagramChannel(SocketProtocolFamily.INET);
            group.register(ch).sync();
            ch.close().sync();
            assertThat(ReuseportSteering.attach(ch, 2)).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aSocketWithoutReuseportIsRefusedByTheKernel() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll not available here");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.EPOLL.ioHandlerFactory());
        Channel ch = Transport.EPOLL.datagramChannel(SocketProtocolFamily.INET);
        try {
            group.register(ch).sync();
            ch.bind(new InetSocketAddress("127.0.0.1", 0)).sync();
            assertThat(ReuseportSteering.attach(ch, 2)).as("EINVAL: not in a reuseport group").isFalse();
        } finally {
            ch.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void theKernelDeliversEachIpv4SourceToItsShard(int shards) throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll not available here");
        List<InetAddress> sources = new ArrayList<>();
        for (int last = 2; last <= 60; last++) sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last}));
        Map<String, Integer> arrivals = exchange(SocketProtocolFamily.INET, InetAddress.getByName("127.0.0.1"), shards,
                sources, 3);
        assertThat(arrivals).hasSize(sources.size() * 3);
        int[] perShard = new int[shards];
        arrivals.forEach((sender, shard) -> {
            InetAddress from = addressOf(sender);
            assertThat(shard).as("datagram from %s", sender).isEqualTo(ReuseportSteering.shardOf(from, shards));
            perShard[shard]++;
        });
        for (int n : perShard) assertThat(n).as("per shard %s", Arrays.toString(perShard)).isPositive();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void theKernelDeliversIpv6LoopbackToItsShard(int shards) throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll not available here");
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(hasIpv6Loopback(), "no ::1 here");
        Map<String, Integer> arrivals = exchange(SocketProtocolFamily.INET6, v6, shards, List.of(v6), 20);
        assertThat(arrivals).hasSize(20);
        // ::1 is shard 1 of 2 and shard 0 of 3: with 2 the program must have moved it off the 4-tuple hash's choice
        assertThat(arrivals.values()).containsOnly(ReuseportSteering.shardOf(v6, shards));
    }

    private static boolean hasIpv6Loopback() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        return lo != null && lo.inetAddresses().anyMatch(a -> a instanceof Inet6Address && a.isLoopbackAddress());
    }

    private static InetAddress addressOf(String sender) {
        try {
            return InetAddress.getByName(sender.substring(0, sender.lastIndexOf(':')).replace("[", "").replace("]", ""));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Binds {@code shards} epoll sockets with SO_REUSEPORT to {@code listen}, in index order, attaches the program
     * to the first, sends one datagram from each of {@code portsPerSource} sockets of every source, and returns on
     * which socket index each sender ("address:port") arrived.
     */
    private static Map<String, Integer> exchange(SocketProtocolFamily family, InetAddress listen, int shards,
            List<InetAddress> sources, int portsPerSource) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(shards, Transport.EPOLL.ioHandlerFactory());
        List<Channel> channels = new ArrayList<>();
        List<DatagramSocket> senders = new ArrayList<>();
        Map<String, Integer> arrivals = new ConcurrentHashMap<>();
        Map<String, Integer> duplicates = new ConcurrentHashMap<>();
        try {
            int port = LocalAddressSocketsTest.freePort();
            for (int i = 0; i < shards; i++) {
                int index = i;
                Channel ch = Transport.EPOLL.datagramChannel(family);
                ch.config().setOption(EpollChannelOption.SO_REUSEPORT, true);
                ch.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() { // releases what it read
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket in) {
                        String sender = in.content().toString(StandardCharsets.US_ASCII);
                        if (arrivals.putIfAbsent(sender, index) != null) duplicates.put(sender, index);
                    }
                });
                channels.add(ch);
                group.next().register(ch).sync();
                ch.bind(new InetSocketAddress(listen, port)).sync(); // the i-th bound is socket index i of the group
            }
            assertThat(ReuseportSteering.attach(channels.get(0), shards)).as("program attached").isTrue();

            InetSocketAddress target = new InetSocketAddress(listen, port);
            int sent = 0;
            for (InetAddress source : sources) {
                for (int p = 0; p < portsPerSource; p++) {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0));
                    senders.add(s);
                    String id = source.getHostAddress() + ":" + s.getLocalPort();
                    byte[] payload = id.getBytes(StandardCharsets.US_ASCII);
                    s.send(new java.net.DatagramPacket(payload, payload.length, target));
                    sent++;
                }
            }
            for (int i = 0; i < 500 && arrivals.size() < sent; i++) Thread.sleep(10);
            assertThat(duplicates).isEmpty();
            return Map.copyOf(arrivals);
        } finally {
            for (DatagramSocket s : senders) s.close();
            for (Channel ch : channels) ch.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
