package net.l2sec.dataplane.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.nd.NdCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.dataplane.PacketBuffers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TunDeviceTest {
    private static final Inet4Address LOCAL = v4("10.231.0.1");
    private static final Inet4Address PEER = v4("10.231.0.2");
    private static final int ICMP_ID = 0x4c32;

    @Test
    void tooLongNameIsAClearError() {
        assertThatThrownBy(() -> TunDevice.open("l2sec-much-too-long0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'l2sec-much-too-long0'").hasMessageContaining("1 to 15 bytes");
    }

    @Test
    void namesTheKernelWouldMisreadAreRefused() {
        for (String bad : new String[] {"", "a/b", "a b", "tun:0", ".."}) {
            assertThatThrownBy(() -> TunDevice.open(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void errnoBecomesAnOperatorFacingReason() {
        assertThat(TunDevice.openFailure(1, "l2sec0")).hasMessageContaining("root or CAP_NET_ADMIN is needed to create TUN device l2sec0");
        assertThat(TunDevice.openFailure(13, "l2sec0")).hasMessageContaining("root or CAP_NET_ADMIN");
        assertThat(TunDevice.openFailure(2, "l2sec0")).hasMessageContaining("tun kernel module is not loaded or the device node is missing");
        assertThat(TunDevice.setIffFailure(1, "l2sec0")).hasMessageContaining("root or CAP_NET_ADMIN is needed to create TUN device l2sec0");
        assertThat(TunDevice.setIffFailure(16, "l2sec0")).hasMessageContaining("held by another process");
        assertThat(TunDevice.setIffMultiQueueFailure(22, "l2sec0", 4))
                .hasMessageContaining("TUN device l2sec0 cannot be created with 4 queues")
                .hasMessageContaining("does not support multi-queue TUN devices (Linux 3.8 or later)");
        assertThat(TunDevice.setIffMultiQueueFailure(7, "l2sec0", 4)).hasMessageContaining("at most 256");
        assertThat(TunDevice.setIffMultiQueueFailure(1, "l2sec0", 4)).hasMessageContaining("root or CAP_NET_ADMIN");
        assertThat(TunDevice.multiQueueUnsupported("l2sec0", 4, "features 0x7003 lack IFF_MULTI_QUEUE"))
                .hasMessageContaining("l2sec0 cannot have 4 queues").hasMessageContaining("configure one queue");
    }

    @Test
    void aQueueCountOutsideWhatTheKernelAllowsIsRefused() {
        for (int bad : new int[] {0, -1, TunDevice.MAX_QUEUES + 1}) {
            assertThatThrownBy(() -> TunDevice.open("l2sec%d", bad, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad + " queues, not 1 to 256");
        }
    }

    /** Needs root; everything happens in a namespace the test creates, never in the host's. */
    @Nested
    class InANetworkNamespace {
        private NetworkNamespace ns;

        @BeforeEach
        void createNamespace() throws Exception {
            assumeTrue(NetworkNamespace.runningAsRoot(), "needs root to create network namespaces and TUN devices");
            ns = NetworkNamespace.create();
        }

        @AfterEach
        void deleteNamespace() throws Exception {
            if (ns != null) ns.close();
        }

        private TunDevice openConfigured(SimpleMeterRegistry registry) throws Exception {
            return openConfigured(1, registry);
        }

        private TunDevice openConfigured(int queues, SimpleMeterRegistry registry) throws Exception {
            return ns.call(() -> {
                TunDevice tun = queues == 1 ? TunDevice.open("l2sec%d", registry) : TunDevice.open("l2sec%d", queues, registry);
                try {
                    tun.configure(LOCAL, 24, 1400);
                    return tun;
                } catch (IOException | RuntimeException e) {
                    tun.close();
                    throw e;
                }
            });
        }

        @Test
        void kernelAnswersAPingWrittenIntoTheDevice() throws Exception {
            BlockingQueue<ByteBuf> received = new LinkedBlockingQueue<>();
            try (TunDevice tun = openConfigured(new SimpleMeterRegistry())) {
                tun.startReader(received::addAll);

                ByteBuf heap = Unpooled.wrappedBuffer(echoRequest(1)); // copy path
                tun.write(heap);
                ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(echoRequest(2)); // zero-copy path
                tun.write(direct);
                assertThat(heap.refCnt()).isZero();
                assertThat(direct.refCnt()).isZero();

                assertThat(awaitEchoReply(received, 1)).isTrue();
                assertThat(awaitEchoReply(received, 2)).isTrue();
            } finally {
                received.forEach(ByteBuf::release);
            }
        }

        /** IPv6 on (pools6): the address and its prefix's route are on the device, and the kernel answers ping6 through it. */
        @Test
        void withIpv6TheKernelAnswersAPing6WrittenIntoTheDevice() throws Exception {
            BlockingQueue<ByteBuf> received = new LinkedBlockingQueue<>();
            Inet6Address local = (Inet6Address) InetAddress.getByName("2001:db8:231::1");
            Inet6Address client = (Inet6Address) InetAddress.getByName("2001:db8:231:7::2");
            try (TunDevice tun = openConfigured(new SimpleMeterRegistry())) {
                ns.call(() -> {
                    tun.configureIpv6(local, 48);
                    return null;
                });
                assertThat(ns.ipIn("-6", "addr", "show", "dev", tun.name())).contains("inet6 2001:db8:231::1/48");
                assertThat(ns.ipIn("-6", "route", "show", "dev", tun.name())).contains("2001:db8:231::/48");
                tun.startReader(received::addAll);
                ByteBuf b = Unpooled.buffer().writeInt(0x6000_0000).writeShort(16).writeByte(58).writeByte(64)
                        .writeBytes(client.getAddress()).writeBytes(local.getAddress())
                        .writeByte(128).writeByte(0).writeShort(0).writeShort(ICMP_ID).writeShort(6).writeLong(0x1122_3344_5566_7788L);
                b.setShort(42, NdCodec.checksum(b, 16));
                tun.write(b);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                boolean replied = false;
                while (!replied && System.nanoTime() < deadline) {
                    ByteBuf p = received.poll(100, TimeUnit.MILLISECONDS);
                    if (p == null) continue;
                    try {
                        ByteBuf ip = p.slice();
                        replied = Ipv6.isWellFormed(ip) && Ipv6.nextHeader(ip) == 58 && ip.getUnsignedByte(40) == 129
                                && Ipv6.destinationHigh(ip) == Ipv6.high(client) && Ipv6.destinationLow(ip) == Ipv6.low(client)
                                && Ipv6.sourceLow(ip) == Ipv6.low(local) && ip.getUnsignedShort(46) == 6
                                && NdCodec.checksum(ip, Ipv6.payloadLength(ip)) == 0;
                    } finally {
                        p.release();
                    }
                }
                assertThat(replied).as("echo reply from 2001:db8:231::1").isTrue();
            } finally {
                received.forEach(ByteBuf::release);
            }
        }

        @Test
        void aBurstIsHandedOverInBatchesOfWhatWasQueued() throws Exception {
            int burst = 100;
            BlockingQueue<List<ByteBuf>> batches = new LinkedBlockingQueue<>();
            try (TunDevice tun = openConfigured(new SimpleMeterRegistry())) {
                // the kernel's replies queue in the device (txqueuelen 500) until the reader starts
                for (int i = 1; i <= burst; i++) tun.write(Unpooled.wrappedBuffer(echoRequest(i)));
                Thread.sleep(300);
                tun.startReader(batches::add);
                int replies = 0;
                int batchesWithReplies = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (replies < burst && System.nanoTime() < deadline) {
                    List<ByteBuf> batch = batches.poll(100, TimeUnit.MILLISECONDS);
                    if (batch == null) continue;
                    assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(TunDevice.READ_BATCH);
                    int before = replies;
                    for (ByteBuf p : batch) {
                        if (isEchoReply(p.slice(), replies + 1)) replies++;
                        p.release();
                    }
                    if (replies > before) batchesWithReplies++;
                }
                assertThat(replies).as("every reply, in order").isEqualTo(burst);
                assertThat(batchesWithReplies).as("100 queued packets in batches of up to %d, not one hand-off each",
                        TunDevice.READ_BATCH).isBetween(2, 4);
            } finally {
                batches.forEach(b -> b.forEach(ByteBuf::release));
            }
        }

        @Test
        void deviceHasAddressMtuAndIsUp() throws Exception {
            try (TunDevice tun = openConfigured(null)) {
                assertThat(tun.name()).matches("l2sec\\d+");
                String show = ns.ipIn("addr", "show", "dev", tun.name());
                assertThat(show).contains("inet 10.231.0.1/24").contains("mtu 1400");
                // a TUN device reports operstate UNKNOWN; the administrative flags show it is up with carrier
                assertThat(show).containsPattern("<[A-Z_,]*\\bUP\\b[A-Z_,]*>").contains("LOWER_UP");
            }
        }

        @Test
        void closeStopsTheReaderPromptlyAndRemovesTheDevice() throws Exception {
            TunDevice tun = openConfigured(null);
            tun.startReader(batch -> batch.forEach(ByteBuf::release));
            Thread reader = tun.readerThread();
            assertThat(reader.isAlive()).isTrue();
            assertThat(reader.isVirtual()).isFalse();
            // a thread Netty's pooled allocator and recycler treat as an event loop's
            assertThat(reader).isInstanceOf(io.netty.util.concurrent.FastThreadLocalThread.class);
            assertThat(reader.isDaemon()).isTrue();

            long start = System.nanoTime();
            tun.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(reader.isAlive()).isFalse();
            assertThat(millis).isLessThan(5L * TunDevice.POLL_TIMEOUT_MILLIS);
            assertThat(ns.ipIn("-o", "link", "show")).doesNotContain(tun.name());
            ByteBuf late = Unpooled.wrappedBuffer(echoRequest(3));
            tun.write(late); // dropped, still released
            assertThat(late.refCnt()).isZero();
        }

        @Test
        void writeErrorsAreCountedNotThrown() throws Exception {
            var registry = new SimpleMeterRegistry();
            try (TunDevice tun = openConfigured(registry)) {
                ByteBuf garbage = Unpooled.wrappedBuffer(new byte[40]); // IP version 0: the kernel refuses it
                tun.write(garbage);
                assertThat(garbage.refCnt()).isZero();
                assertThat(registry.get("l2sec.tun.errors").tag("op", "write").counter().count()).isEqualTo(1.0);
            }
        }

        @Test
        void anExistingNonTunInterfaceIsAClearError() {
            assertThatThrownBy(() -> ns.call(() -> TunDevice.open("lo")))
                    .isInstanceOf(IOException.class).hasMessageContaining("TUN device lo").hasMessageContaining("not a TUN device");
            assertThatThrownBy(() -> ns.call(() -> TunDevice.open("lo", 2, null)))
                    .isInstanceOf(IOException.class).hasMessageContaining("TUN device lo cannot be created with 2 queues");
        }

        @Test
        void oneQueueIsASingleQueueDeviceAndMoreAreAMultiQueueOne() throws Exception {
            try (TunDevice single = openConfigured(null); TunDevice multi = openConfigured(3, null)) {
                assertThat(single.queues()).isEqualTo(1);
                assertThat(single.queue(0)).isNotNull();
                assertThatThrownBy(() -> single.queue(1)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThat(ns.ipIn("-d", "link", "show", "dev", single.name())).doesNotContain("multi_queue");

                assertThat(multi.queues()).isEqualTo(3);
                assertThat(multi.name()).matches("l2sec\\d+").isNotEqualTo(single.name());
                assertThatThrownBy(() -> multi.queue(3)).isInstanceOf(IndexOutOfBoundsException.class);
                // one interface, every open of /dev/net/tun attached to it as a queue
                assertThat(ns.ipIn("-o", "link", "show")).containsOnlyOnce(multi.name() + ":");
                assertThat(ns.ipIn("-d", "link", "show", "dev", multi.name())).contains("multi_queue numqueues 3 ");
            }
        }

        @Test
        void queuesAndTheDeviceKindMustMatchAnExistingDevice() throws Exception {
            try (TunDevice single = openConfigured(null); TunDevice multi = openConfigured(2, null)) {
                // the device exists as a single-queue one: the kernel refuses IFF_MULTI_QUEUE on it (EINVAL)
                assertThatThrownBy(() -> ns.call(() -> TunDevice.open(single.name(), 2, null)))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("TUN device " + single.name() + " cannot be created with 2 queues")
                        .hasMessageContaining("single-queue TUN device");
                // and a single-queue open of a multi-queue device
                assertThatThrownBy(() -> ns.call(() -> TunDevice.open(multi.name())))
                        .isInstanceOf(IOException.class).hasMessageContaining("multi-queue");
                // the failed opens left both devices as they were
                assertThat(ns.ipIn("-d", "link", "show", "dev", multi.name())).contains("multi_queue numqueues 2 ");
                assertThat(ns.ipIn("-d", "link", "show", "dev", single.name())).doesNotContain("multi_queue");
            }
        }

        @Test
        void pingsWrittenThroughEitherQueueReachTheKernel() throws Exception {
            BlockingQueue<ByteBuf> received = new LinkedBlockingQueue<>();
            try (TunDevice tun = openConfigured(2, new SimpleMeterRegistry())) {
                tun.startReader(received::addAll); // thread-safe: the two readers call it concurrently

                ByteBuf heap0 = Unpooled.wrappedBuffer(echoRequest(1)); // copy path, queue 0's buffer
                tun.queue(0).write(heap0);
                ByteBuf heap1 = Unpooled.wrappedBuffer(echoRequest(2)); // copy path, queue 1's buffer
                tun.queue(1).write(heap1);
                ByteBuf direct1 = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(echoRequest(3)); // zero-copy
                tun.queue(1).write(direct1);
                ByteBuf device = Unpooled.wrappedBuffer(echoRequest(4)); // the device's own write: queue 0
                tun.write(device);
                assertThat(List.of(heap0, heap1, direct1, device)).allMatch(b -> b.refCnt() == 0);

                // replies on different queues come in no particular order
                assertThat(awaitEchoReplies(received, 4)).as("replies").containsExactlyInAnyOrder(1, 2, 3, 4);
            } finally {
                received.forEach(ByteBuf::release);
            }
        }

        @Test
        void packetsOfManyFlowsAreReadAcrossTheQueuesNoneLost() throws Exception {
            var registry = new SimpleMeterRegistry();
            int addresses = 8;
            int ports = 8;
            int perFlow = 4;
            int total = addresses * ports * perFlow; // under one queue's 500 packets: none is dropped even unread
            ConcurrentMap<String, Integer> packetsPerReader = new ConcurrentHashMap<>();
            BlockingQueue<Integer> sequences = new LinkedBlockingQueue<>();
            AtomicInteger oversizedBatches = new AtomicInteger();
            try (TunDevice tun = openConfigured(2, registry);
                    DatagramChannel udp = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress(LOCAL, 0)))) {
                tun.startReader(batch -> {
                    if (batch.size() > TunDevice.READ_BATCH) oversizedBatches.incrementAndGet();
                    for (ByteBuf p : batch) {
                        try {
                            int sequence = udpTestSequence(p.slice());
                            if (sequence < 0) continue; // not ours
                            sequences.add(sequence);
                            packetsPerReader.merge(Thread.currentThread().getName(), 1, Integer::sum);
                        } finally {
                            p.release();
                        }
                    }
                });

                // 64 flows: 10.231.0.2-9, ports 40000-40007, routed into the device by its /24
                ByteBuffer payload = ByteBuffer.allocate(UDP_MARKER.length + 4);
                int sequence = 0;
                for (int round = 0; round < perFlow; round++) {
                    for (int a = 0; a < addresses; a++) {
                        for (int port = 40_000; port < 40_000 + ports; port++) {
                            payload.clear().put(UDP_MARKER).putInt(sequence++).flip();
                            udp.send(payload, new InetSocketAddress(v4("10.231.0." + (2 + a)), port));
                        }
                    }
                }

                Set<Integer> seen = new HashSet<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (seen.size() < total && System.nanoTime() < deadline) {
                    Integer s = sequences.poll(100, TimeUnit.MILLISECONDS);
                    if (s != null) assertThat(seen.add(s)).as("packet %d read once", s).isTrue();
                }
                assertThat(seen).as("every packet, none lost").hasSize(total).allMatch(s -> s >= 0 && s < total);
                Thread.sleep(100);
                assertThat(sequences).as("no packet read twice").isEmpty();
                assertThat(oversizedBatches).hasValue(0);
                // the kernel spread the flows over both queues, each read by its own reader
                assertThat(packetsPerReader.keySet())
                        .containsExactlyInAnyOrder("tun-reader-" + tun.name() + "-0", "tun-reader-" + tun.name() + "-1");
                assertThat(packetsPerReader.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
                assertThat(registry.get("l2sec.tun.errors").tag("op", "read").counter().count()).isZero();
            }
        }

        @Test
        void closeStopsEveryQueuesReaderAndClosesEveryQueue() throws Exception {
            TunDevice tun = openConfigured(3, null);
            tun.startReader(batch -> batch.forEach(ByteBuf::release));
            List<Thread> readers = tun.readerThreads();
            assertThat(readers).extracting(Thread::getName).containsExactly(
                    "tun-reader-" + tun.name() + "-0", "tun-reader-" + tun.name() + "-1", "tun-reader-" + tun.name() + "-2");
            assertThat(readers).allMatch(Thread::isAlive).allMatch(Thread::isDaemon)
                    .allMatch(t -> t instanceof io.netty.util.concurrent.FastThreadLocalThread);
            assertThatThrownBy(() -> tun.startReader(batch -> batch.forEach(ByteBuf::release)))
                    .isInstanceOf(IllegalStateException.class);

            long start = System.nanoTime();
            tun.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(readers).noneMatch(Thread::isAlive);
            assertThat(millis).as("the readers stop together").isLessThan(5L * TunDevice.POLL_TIMEOUT_MILLIS);
            assertThat(ns.ipIn("-o", "link", "show")).doesNotContain(tun.name());
            for (int q = 0; q < 3; q++) {
                ByteBuf late = Unpooled.wrappedBuffer(echoRequest(q));
                tun.queue(q).write(late); // dropped, still released
                assertThat(late.refCnt()).isZero();
            }
        }

        @Test
        void theQueuesShareTheDevicesErrorCounters() throws Exception {
            var registry = new SimpleMeterRegistry();
            try (TunDevice tun = openConfigured(2, registry)) {
                tun.queue(0).write(Unpooled.wrappedBuffer(new byte[40])); // IP version 0: the kernel refuses it
                tun.queue(1).write(Unpooled.wrappedBuffer(new byte[40]));
                tun.write(Unpooled.wrappedBuffer(new byte[40]));
                assertThat(registry.find("l2sec.tun.errors").tag("op", "write").counters()).hasSize(1);
                assertThat(registry.get("l2sec.tun.errors").tag("op", "write").counter().count()).isEqualTo(3.0);
            }
        }
    }

    private static final byte[] UDP_MARKER = "l2sec multi-queue".getBytes(StandardCharsets.US_ASCII);

    /**
     * The sequence number in a UDP datagram the flows test sent from {@link #LOCAL} (checked: IPv4, UDP, source,
     * the marker), or -1 for any other packet.
     */
    private static int udpTestSequence(ByteBuf p) {
        if (p.readableBytes() < 20 || (p.getUnsignedByte(0) >>> 4) != 4 || p.getUnsignedByte(9) != 17) return -1;
        if (p.getInt(12) != toInt(LOCAL)) return -1;
        int udp = (p.getUnsignedByte(0) & 0x0f) * 4;
        int data = udp + 8;
        if (p.readableBytes() != data + UDP_MARKER.length + 4 || p.getUnsignedShort(udp + 4) != 8 + UDP_MARKER.length + 4) {
            return -1;
        }
        byte[] marker = new byte[UDP_MARKER.length];
        p.getBytes(data, marker);
        return Arrays.equals(marker, UDP_MARKER) ? p.getInt(data + UDP_MARKER.length) : -1;
    }

    /** Waits for the kernel's echo reply with {@code sequence}, releasing whatever else arrives (IPv6 noise). */
    private static boolean awaitEchoReply(BlockingQueue<ByteBuf> received, int sequence) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            ByteBuf p = received.poll(100, TimeUnit.MILLISECONDS);
            if (p == null) continue;
            try {
                // the reader leaves headroom in front of the packet (PacketBuffers): look at the readable bytes
                assertThat(p.readerIndex()).isEqualTo(PacketBuffers.HEADROOM);
                assertThat(p.writableBytes()).isGreaterThanOrEqualTo(PacketBuffers.TAILROOM);
                if (isEchoReply(p.slice(), sequence)) return true;
            } finally {
                p.release();
            }
        }
        return false;
    }

    /** The sequence numbers of the kernel's echo replies, in any order, until {@code count} came or 5 s passed. */
    private static Set<Integer> awaitEchoReplies(BlockingQueue<ByteBuf> received, int count) throws InterruptedException {
        Set<Integer> replies = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (replies.size() < count && System.nanoTime() < deadline) {
            ByteBuf p = received.poll(100, TimeUnit.MILLISECONDS);
            if (p == null) continue;
            try {
                assertThat(p.readerIndex()).isEqualTo(PacketBuffers.HEADROOM);
                ByteBuf ip = p.slice();
                if (ip.readableBytes() < 28) continue;
                int ihl = (ip.getUnsignedByte(0) & 0x0f) * 4;
                if (isEchoReply(ip, ip.getUnsignedShort(ihl + 6))) replies.add(ip.getUnsignedShort(ihl + 6));
            } finally {
                p.release();
            }
        }
        return replies;
    }

    private static boolean isEchoReply(ByteBuf p, int sequence) {
        if (p.readableBytes() < 28 || (p.getUnsignedByte(0) >>> 4) != 4 || p.getUnsignedByte(9) != 1) return false;
        int ihl = (p.getUnsignedByte(0) & 0x0f) * 4;
        byte[] header = new byte[ihl];
        p.getBytes(0, header);
        assertThat(checksum(header, 0, ihl)).as("IPv4 header checksum").isZero();
        assertThat(p.getInt(12)).isEqualTo(toInt(LOCAL));
        assertThat(p.getInt(16)).isEqualTo(toInt(PEER));
        return p.getUnsignedByte(ihl) == 0 && p.getUnsignedShort(ihl + 4) == ICMP_ID
                && p.getUnsignedShort(ihl + 6) == sequence;
    }

    /** RFC 792 echo request from {@link #PEER} to {@link #LOCAL}, with RFC 791 and RFC 1071 checksums. */
    static byte[] echoRequest(int sequence) {
        byte[] payload = "l2sec tun test payload".getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[20 + 8 + payload.length];
        ByteBuf b = Unpooled.wrappedBuffer(p).writerIndex(0);
        b.writeByte(0x45).writeByte(0).writeShort(p.length).writeShort(0x1234).writeShort(0x4000)
                .writeByte(64).writeByte(1).writeShort(0).writeInt(toInt(PEER)).writeInt(toInt(LOCAL));
        b.writeByte(8).writeByte(0).writeShort(0).writeShort(ICMP_ID).writeShort(sequence).writeBytes(payload);
        b.setShort(10, checksum(p, 0, 20));
        b.setShort(22, checksum(p, 20, p.length - 20));
        return p;
    }

    /** RFC 1071 Internet checksum; zero over data that includes a correct checksum. */
    static int checksum(byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xff;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    private static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static Inet4Address v4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
