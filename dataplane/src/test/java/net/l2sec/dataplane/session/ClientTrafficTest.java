package net.l2sec.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ip.TcpMss;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.session.SessionCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-packet work PPP and IKEv2 sessions share, on its own: what is counted (and what not), the bandwidth
 * limit in each direction, the MSS clamp (IPv6's 20 octets lower) and the copy it makes of a buffer it may not write.
 */
class ClientTrafficTest {
    static final int CLIENT = 0x0a63000a;
    static final int SERVER = 0x08080808;

    final ManualScheduler scheduler = new ManualScheduler();
    final List<ByteBuf> egress = new ArrayList<>();
    final List<ByteBuf> replies = new ArrayList<>();
    final List<String> counted = new ArrayList<>();
    final ClientTraffic traffic = new ClientTraffic(egress::add, scheduler, new ClientTraffic.Meters() {
        @Override
        public void fromClient(int octets) {
            counted.add("from " + octets);
        }

        @Override
        public void toClient(int octets) {
            counted.add("to " + octets);
        }

        @Override
        public void rateLimitedFromClient() {
            counted.add("rate-limited from");
        }

        @Override
        public void rateLimitedToClient() {
            counted.add("rate-limited to");
        }

        @Override
        public void mssClampedFromClient() {
            counted.add("clamped from");
        }

        @Override
        public void mssClampedToClient() {
            counted.add("clamped to");
        }
    }, new SessionLimits(scheduler, cause -> { }), replies::add);

    @AfterEach
    void release() {
        egress.forEach(ByteBuf::release);
        replies.forEach(ByteBuf::release);
    }

    /** IPv4 TCP SYN with MSS 1460, {@code padding} octets of payload. */
    static ByteBuf syn(int padding) {
        int length = 44 + padding;
        ByteBuf b = Unpooled.buffer(length);
        b.writeByte(0x45).writeByte(0).writeShort(length).writeShort(0).writeShort(0).writeByte(64).writeByte(6).writeShort(0)
                .writeInt(CLIENT).writeInt(SERVER);
        b.writeShort(40000).writeShort(443).writeInt(1).writeInt(0).writeByte(6 << 4).writeByte(0x02).writeShort(65535)
                .writeShort(0).writeShort(0).writeByte(2).writeByte(4).writeShort(1460);
        b.writeZero(padding);
        return b;
    }

    /** IPv6 TCP SYN with MSS 1440. */
    static ByteBuf syn6() {
        ByteBuf b = Unpooled.buffer(64);
        b.writeInt(0x6000_0000).writeShort(24).writeByte(6).writeByte(64).writeLong(0x2001_0db8_0099_0001L).writeLong(1)
                .writeLong(0x2001_0db8_0001_0000L).writeLong(1);
        b.writeShort(40000).writeShort(443).writeInt(1).writeInt(0).writeByte(6 << 4).writeByte(0x02).writeShort(65535)
                .writeShort(0).writeShort(0).writeByte(2).writeByte(4).writeShort(1440);
        return b;
    }

    static int mss(ByteBuf packet, int tcpOffset) {
        return packet.getUnsignedShort(packet.readerIndex() + tcpOffset + 22);
    }

    @Test
    void bothDirectionsAreCountedOnlyWhenTheyPass() {
        traffic.fromClient(syn(0), true, CLIENT);
        ByteBuf out = traffic.admitToClient(syn(100), true);
        assertThat(out).isNotNull();
        assertThat(counted).as("to the client counts only once it is sent").containsExactly("from 44");
        traffic.sentToClient(out.readableBytes());
        out.release();
        assertThat(counted).containsExactly("from 44", "to 144");
        assertThat(egress).hasSize(1);
        assertThat(traffic.counters()).isEqualTo(new SessionCounters(44, 144, 1, 1));
    }

    @Test
    void theBandwidthLimitDropsWhatIsOverItInEachDirectionUncounted() {
        // 16 kbit/s: the bucket holds its minimum of 15,000 octets; ten packets of 1,444 pass, the eleventh not
        traffic.rateLimit(Optional.of(new RateLimit(16_000, 16_000)));
        for (int i = 0; i < 11; i++) traffic.fromClient(syn(1400), true, CLIENT);
        assertThat(egress).hasSize(10);
        assertThat(counted.getLast()).isEqualTo("rate-limited from");
        int sent = 0;
        for (int i = 0; i < 11; i++) {
            ByteBuf out = traffic.admitToClient(syn(1400), true);
            if (out == null) continue;
            traffic.sentToClient(out.readableBytes());
            out.release();
            sent++;
        }
        assertThat(sent).isEqualTo(10);
        assertThat(counted.getLast()).isEqualTo("rate-limited to");
        assertThat(traffic.counters()).isEqualTo(new SessionCounters(10 * 1444, 10 * 1444, 10, 10));
    }

    @Test
    void synsAreClampedIpv6TwentyOctetsLowerAndUnclampedWithoutALimit() {
        traffic.fromClient(syn(0), true, CLIENT);
        assertThat(mss(egress.getLast(), 20)).as("no clamp configured").isEqualTo(1460);
        traffic.mssLimit(1360);
        traffic.fromClient(syn(0), true, CLIENT);
        assertThat(mss(egress.getLast(), 20)).isEqualTo(1360);
        traffic.fromClient(syn6(), false, CLIENT);
        assertThat(mss(egress.getLast(), 40)).isEqualTo(1360 - (TcpMss.HEADERS_IPV6 - TcpMss.HEADERS));
        ByteBuf out = traffic.admitToClient(syn(0), true);
        assertThat(mss(out, 20)).isEqualTo(1360);
        out.release();
        assertThat(counted).containsExactly("from 44", "from 44", "clamped from", "from 64", "clamped from", "clamped to");
    }

    @Test
    void aBufferSomeoneElseHoldsIsCopiedBeforeTheClampWrites() {
        traffic.mssLimit(1360);
        ByteBuf shared = syn(0);
        ByteBuf view = shared.retainedDuplicate();      // two holders of the same memory
        ByteBuf out = traffic.admitToClient(view, true);
        assertThat(out).isNotSameAs(view);
        assertThat(mss(out, 20)).isEqualTo(1360);
        assertThat(mss(shared, 20)).as("the other holder's bytes untouched").isEqualTo(1460);
        assertThat(shared.refCnt()).as("the view was released").isEqualTo(1);
        out.release();
        shared.release();
    }
}
