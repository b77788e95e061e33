package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.DhcpInform;
import net.l2sec.dataplane.session.SessionLimits;
import static net.l2sec.dataplane.ppp.PppSessionTest.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.netty.buffer.ByteBufAllocator;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.dataplane.dhcp.ClasslessRoutes;
import net.l2sec.dataplane.dhcp.DhcpCodec;
import net.l2sec.dataplane.dhcp.DhcpCodecTestAccess;
import net.l2sec.dataplane.dhcp.DhcpMessage;
import net.l2sec.dataplane.dhcp.DhcpMessageType;
import net.l2sec.dataplane.dhcp.DhcpOption;
import net.l2sec.dataplane.dhcp.DhcpOptionCode;
import net.l2sec.dataplane.dhcp.InformResponder;
import net.l2sec.dataplane.ip.TcpSegments;
import net.l2sec.dataplane.ip.Udp;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacketPathTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<ByteBuf> toLink = new ArrayList<>();
    final List<ByteBuf> toEgress = new ArrayList<>();
    final List<EndCause> expired = new ArrayList<>();
    final SessionLimits limits = new SessionLimits(scheduler, expired::add);
    final PacketPath path = new PacketPath(new PppLink() {
        @Override
        public void send(ByteBuf frame) {
            toLink.add(frame);
        }

        @Override
        public void close(EndCause cause) {
            throw new AssertionError("the packet path never closes the link");
        }

        @Override
        public int mtu() {
            return 1400;
        }
    }, toEgress::add, scheduler, new PppMeters(registry), limits);

    @AfterEach
    void release() {
        toLink.forEach(ByteBuf::release);
        toEgress.forEach(ByteBuf::release);
    }

    double dropped(String reason) {
        var c = registry.find("l2sec.ppp.ip.dropped").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    static ByteBuf packet(String src, String dst) {
        return Unpooled.buffer().writeBytes(ipv4(src, dst));
    }

    @Test
    void closedPathDropsBothWays() {
        ByteBuf in = packet("10.99.0.10", "8.8.8.8");
        ByteBuf out = packet("8.8.8.8", "10.99.0.10");
        path.fromClient(in);
        path.sendIp(out);
        assertThat(in.refCnt()).isZero();
        assertThat(out.refCnt()).isZero();
        assertThat(dropped("not_open")).isEqualTo(2);
        assertThat(path.counters()).isEqualTo(SessionCounters.ZERO);
    }

    @Test
    void onlyWellFormedPacketsFromTheGivenAddressPass() {
        path.open(Ipv4.toInt(PppHarness.ip("10.99.0.10")));
        ByteBuf spoofed = packet("10.99.0.99", "8.8.8.8");
        ByteBuf malformed = Unpooled.buffer().writeByte(0x45);
        path.fromClient(spoofed);
        path.fromClient(malformed);
        path.fromClient(packet("10.99.0.10", "8.8.8.8"));
        assertThat(spoofed.refCnt()).isZero();
        assertThat(malformed.refCnt()).isZero();
        assertThat(dropped("spoofed_source")).isEqualTo(1);
        assertThat(dropped("malformed")).isEqualTo(1);
        assertThat(toEgress).hasSize(1);
        assertThat(path.counters()).isEqualTo(new SessionCounters(20, 0, 1, 0));
    }

    @Test
    void toTheClientGetsThePppHeaderAndIsCounted() {
        path.open(Ipv4.toInt(PppHarness.ip("10.99.0.10")));
        path.sendIp(packet("8.8.8.8", "10.99.0.10"));
        ByteBuf frame = toLink.getFirst();
        assertThat(frame.getUnsignedShort(frame.readerIndex())).isEqualTo(0xFF03);
        assertThat(frame.getUnsignedShort(frame.readerIndex() + 2)).isEqualTo(0x0021);
        assertThat(frame.readableBytes()).isEqualTo(24);
        assertThat(path.counters()).isEqualTo(new SessionCounters(0, 20, 0, 1));
        path.close();
        assertThat(path.isOpen()).isFalse();
    }

    @Test
    void trafficEitherWayKeepsTheIdleTimerQuiet() {
        limits.authorized(new Authorization("r", Optional.empty(), List.of(), Optional.empty(), Optional.of(Duration.ofSeconds(10))));
        path.open(Ipv4.toInt(PppHarness.ip("10.99.0.10")));
        scheduler.advance(Duration.ofSeconds(8));
        path.fromClient(packet("10.99.0.10", "8.8.8.8"));
        scheduler.advance(Duration.ofSeconds(8));
        path.sendIp(packet("8.8.8.8", "10.99.0.10"));
        scheduler.advance(Duration.ofSeconds(8));
        assertThat(expired).isEmpty();
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(expired).containsExactly(EndCause.IDLE_TIMEOUT);
    }

    // ---- MSS clamping ----

    static final int CLIENT = 0x0a63000a;      // 10.99.0.10
    static final int SERVER = 0xc0000201;      // 192.0.2.1

    double clamped(String direction) {
        return registry.get("l2sec.ppp.mss.clamped").tag("direction", direction).counter().count();
    }

    @Test
    void synsAreClampedBothWaysAndCounted() {
        path.open(CLIENT, 1352, null);
        path.fromClient(TcpSegments.segment(CLIENT, SERVER, TcpSegments.SYN, TcpSegments.typicalOptions(1460)));
        ByteBuf syn = toEgress.getFirst();
        assertThat(TcpSegments.mss(syn)).isEqualTo(1352);
        assertThat(syn.getUnsignedShort(syn.readerIndex() + 36)).isEqualTo(TcpSegments.tcpChecksum(syn));
        path.sendIp(TcpSegments.segment(SERVER, CLIENT, TcpSegments.SYN | TcpSegments.ACK, TcpSegments.typicalOptions(1460)));
        ByteBuf frame = toLink.getFirst();
        ByteBuf synAck = frame.slice(frame.readerIndex() + 4, frame.readableBytes() - 4);
        assertThat(TcpSegments.mss(synAck)).isEqualTo(1352);
        assertThat(synAck.getUnsignedShort(36)).isEqualTo(TcpSegments.tcpChecksum(synAck));
        assertThat(clamped("from_client")).isEqualTo(1);
        assertThat(clamped("to_client")).isEqualTo(1);
        // a small MSS is left, and nothing is counted
        path.fromClient(TcpSegments.segment(CLIENT, SERVER, TcpSegments.SYN, TcpSegments.typicalOptions(1200)));
        assertThat(TcpSegments.mss(toEgress.getLast())).isEqualTo(1200);
        assertThat(clamped("from_client")).isEqualTo(1);
    }

    @Test
    void ipv6SynsAreClampedTwentyOctetsLowerBothWays() {
        path.open(CLIENT, 1352, null);
        path.open6(0x2001_0db8_0099_0001L, 0, null, ByteBuf::release);
        path.fromClient6(TcpSegments.segment6(7, TcpSegments.SYN, TcpSegments.typicalOptions(1440)));
        ByteBuf syn = toEgress.getFirst();
        assertThat(TcpSegments.mss(syn)).as("1352 less IPv6's 20 more header octets").isEqualTo(1332);
        assertThat(syn.getUnsignedShort(syn.readerIndex() + 56)).isEqualTo(TcpSegments.tcpChecksum6(syn));
        path.sendIp(TcpSegments.segment6(7, TcpSegments.SYN | TcpSegments.ACK, TcpSegments.typicalOptions(1440)));
        ByteBuf frame = toLink.getFirst();
        ByteBuf synAck = frame.slice(frame.readerIndex() + 4, frame.readableBytes() - 4);
        assertThat(TcpSegments.mss(synAck)).isEqualTo(1332);
        assertThat(synAck.getUnsignedShort(56)).isEqualTo(TcpSegments.tcpChecksum6(synAck));
        assertThat(clamped("from_client")).isEqualTo(1);
        assertThat(clamped("to_client")).isEqualTo(1);
    }

    @Test
    void withoutAClampSynsPassUnchanged() {
        path.open(CLIENT);
        path.fromClient(TcpSegments.segment(CLIENT, SERVER, TcpSegments.SYN, TcpSegments.typicalOptions(1460)));
        assertThat(TcpSegments.mss(toEgress.getFirst())).isEqualTo(1460);
        assertThat(clamped("from_client")).isZero();
    }

    /** A caller that keeps its buffer (a retained duplicate) must find its bytes as they were. */
    @Test
    void aSharedBufferIsCopiedBeforeTheClampWritesIntoIt() {
        path.open(CLIENT, 1352, null);
        ByteBuf original = TcpSegments.segment(SERVER, CLIENT, TcpSegments.SYN | TcpSegments.ACK, TcpSegments.typicalOptions(1460));
        path.sendIp(original.retainedDuplicate());
        assertThat(TcpSegments.mss(original)).isEqualTo(1460);
        assertThat(original.refCnt()).isEqualTo(1);
        ByteBuf frame = toLink.getFirst();
        assertThat(TcpSegments.mss(frame.slice(frame.readerIndex() + 4, frame.readableBytes() - 4))).isEqualTo(1352);
        original.release();
    }

    // ---- DHCPINFORM ----

    DhcpInform dhcp() {
        var answers = new InformResponder.Answers(0x0a630001, 0xffffff00, List.of(PppHarness.ip("10.1.0.53")),
                Optional.of("corp.example.com"), List.of(new ClasslessRoutes.Route(0x0a010000, 16, 0x0a630001)));
        return new DhcpInform("t", new InformResponder(answers), new PppMeters(registry),
                new RefusalLog(org.slf4j.LoggerFactory.getLogger(PacketPathTest.class), scheduler),
                org.slf4j.LoggerFactory.getLogger(PacketPathTest.class));
    }

    static ByteBuf informPacket(int destination, DhcpMessage message) {
        return Udp.datagram(ByteBufAllocator.DEFAULT, CLIENT, destination, 68, 67, DhcpCodec.encodedLength(message),
                out -> DhcpCodec.encode(message, out));
    }

    double dhcpDropped(String reason) {
        var c = registry.find("l2sec.ppp.dhcp.dropped").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aBroadcastDhcpInformIsAnsweredOnTheLinkAndNeverReachesTheEgress() throws Exception {
        path.open(CLIENT, 0, dhcp());
        path.fromClient(informPacket(0xffffffff, DhcpCodecTestAccess.windowsInform(CLIENT)));
        assertThat(toEgress).isEmpty();
        ByteBuf frame = toLink.getFirst();
        ByteBuf ip = frame.slice(frame.readerIndex() + 4, frame.readableBytes() - 4);
        assertThat(Ipv4.source(ip)).isEqualTo(0x0a630001);
        assertThat(Ipv4.destination(ip)).isEqualTo(CLIENT);
        assertThat(Udp.isTo(ip, 68)).isTrue();
        int payload = Udp.checkedPayload(ip);
        assertThat(payload).as("UDP checksum right").isPositive();
        DhcpMessage ack = DhcpCodec.decode(ip.slice(payload, Udp.payloadLength(ip)));
        assertThat(ack.messageType()).contains(DhcpMessageType.DHCPACK);
        assertThat(ack.option(DhcpOptionCode.MS_CLASSLESS_STATIC_ROUTE)).isPresent();
        assertThat(registry.get("l2sec.ppp.dhcp.replies").counter().count()).isEqualTo(1);
    }

    @Test
    void anInformToOurAddressIsAnsweredAndOneToAnotherServerPasses() {
        path.open(CLIENT, 0, dhcp());
        path.fromClient(informPacket(0x0a630001, DhcpCodecTestAccess.windowsInform(CLIENT)));
        assertThat(toLink).hasSize(1);
        path.fromClient(informPacket(0x0a010005, DhcpCodecTestAccess.windowsInform(CLIENT)));
        assertThat(toEgress).hasSize(1);
    }

    @Test
    void badDhcpIsDroppedAndCounted() {
        path.open(CLIENT, 0, dhcp());
        DhcpMessage discover = new DhcpMessage(1, 1, 6, 0, 1, 0, 0, 0, 0, 0, 0, new byte[16],
                List.of(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {1})));
        path.fromClient(informPacket(0xffffffff, discover));
        ByteBuf badChecksum = informPacket(0xffffffff, DhcpCodecTestAccess.windowsInform(CLIENT));
        badChecksum.setByte(badChecksum.readerIndex() + 100, badChecksum.getByte(badChecksum.readerIndex() + 100) ^ 1);
        path.fromClient(badChecksum);
        ByteBuf truncated = Udp.datagram(ByteBufAllocator.DEFAULT, CLIENT, 0xffffffff, 68, 67, 100, out -> out.writeZero(100));
        path.fromClient(truncated);
        assertThat(toLink).isEmpty();
        assertThat(toEgress).isEmpty();
        assertThat(dhcpDropped("not_inform")).isEqualTo(1);
        assertThat(dhcpDropped("malformed")).isEqualTo(2);
        assertThat(badChecksum.refCnt()).isZero();
        assertThat(truncated.refCnt()).isZero();
    }

    // ---- bandwidth limit ----

    double rateLimited(String direction) {
        return registry.get("l2sec.ppp.ip.rate_limited").tag("direction", direction).functionCounter().count();
    }

    static ByteBuf sized(String src, String dst, int size) {
        ByteBuf b = Unpooled.buffer(size).writeBytes(ipv4(src, dst)).writeZero(size - 20);
        b.setShort(2, size);
        return b;
    }

    /** 1 Mbit/s down, 128 kbit/s up: each direction passes its burst, then its rate, on the scheduler's clock. */
    @Test
    void eachDirectionIsPolicedAtItsRate() {
        path.rateLimit(Optional.of(new net.l2sec.spi.auth.RateLimit(1_000_000, 128_000)));
        path.open(CLIENT);
        // the buckets start full: 15,000 octets each (the least burst), 10 packets of 1,500
        for (int i = 0; i < 12; i++) path.fromClient(sized("10.99.0.10", "8.8.8.8", 1500));
        for (int i = 0; i < 12; i++) path.sendIp(sized("8.8.8.8", "10.99.0.10", 1500));
        assertThat(toEgress).hasSize(10);
        assertThat(toLink).hasSize(10);
        assertThat(rateLimited("from_client")).isEqualTo(2);
        assertThat(rateLimited("to_client")).isEqualTo(2);
        assertThat(path.counters()).as("dropped packets are not traffic").isEqualTo(new SessionCounters(15_000, 15_000, 10, 10));
        // one second later: 16,000 octets up (capped at the 15,000 burst), 125,000 down (capped too)
        scheduler.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 12; i++) path.fromClient(sized("10.99.0.10", "8.8.8.8", 1500));
        for (int i = 0; i < 12; i++) path.sendIp(sized("8.8.8.8", "10.99.0.10", 1500));
        assertThat(toEgress).hasSize(20);
        assertThat(toLink).hasSize(20);
        // 12 ms later: 192 octets up (not a packet), 1,500 down (one)
        scheduler.advance(Duration.ofMillis(12));
        for (int i = 0; i < 11; i++) path.sendIp(sized("8.8.8.8", "10.99.0.10", 1500));
        assertThat(toLink).hasSize(21);
        path.fromClient(sized("10.99.0.10", "8.8.8.8", 1500));
        assertThat(toEgress).hasSize(20);
        assertThat(rateLimited("from_client")).isEqualTo(5);
        assertThat(rateLimited("to_client")).isEqualTo(14);
    }

    @Test
    void withoutALimitNothingIsPoliced() {
        path.rateLimit(Optional.empty());
        path.open(CLIENT);
        for (int i = 0; i < 100; i++) path.fromClient(sized("10.99.0.10", "8.8.8.8", 1500));
        assertThat(toEgress).hasSize(100);
        assertThat(rateLimited("from_client")).isZero();
    }

    /** Random UDP payloads to port 67 and random TCP SYN options (fixed seed): no exception, nothing leaked, all counted. */
    @Test
    void randomDhcpAndSynsNeverEscapeOrLeak() {
        path.open(CLIENT, 1352, dhcp());
        java.util.SplittableRandom random = new java.util.SplittableRandom(67);
        for (int round = 0; round < 3_000; round++) {
            int length = random.nextInt(700);
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            if (length > 240 && random.nextBoolean()) {
                payload[236] = 0x63; payload[237] = (byte) 0x82; payload[238] = 0x53; payload[239] = 0x63;
            }
            path.fromClient(Udp.datagram(ByteBufAllocator.DEFAULT, CLIENT, 0xffffffff, 68, 67, length, out -> out.writeBytes(payload)));
            byte[] options = new byte[random.nextInt(41)];
            random.nextBytes(options);
            path.fromClient(TcpSegments.segment(CLIENT, SERVER, TcpSegments.SYN, options));
        }
        double dropped = 0;
        for (var reason : net.l2sec.dataplane.dhcp.DhcpDropReason.values()) dropped += dhcpDropped(reason.tag());
        var replies = registry.find("l2sec.ppp.dhcp.replies").counter();
        assertThat(dropped + (replies == null ? 0 : replies.count())).isEqualTo(3_000);
        assertThat(toEgress).hasSize(3_000);
        for (ByteBuf syn : toEgress) {
            int mss = TcpSegments.mss(syn);
            assertThat(mss).isLessThanOrEqualTo(1352);
            if (mss >= 0) assertThat(syn.getUnsignedShort(syn.readerIndex() + 36)).isEqualTo(TcpSegments.tcpChecksum(syn));
        }
    }
}
