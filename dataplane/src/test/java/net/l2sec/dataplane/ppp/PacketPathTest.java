package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppSessionTest.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.PppLink;
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
}
