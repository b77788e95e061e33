package net.l2sec.dataplane.ip;

import static net.l2sec.dataplane.ip.TcpSegments.ACK;
import static net.l2sec.dataplane.ip.TcpSegments.SYN;
import static net.l2sec.dataplane.ip.TcpSegments.segment;
import static net.l2sec.dataplane.ip.TcpSegments.tcpChecksum;
import static net.l2sec.dataplane.ip.TcpSegments.typicalOptions;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpMssTest {
    static final int CLIENT = 0x0a63000a;   // 10.99.0.10
    static final int SERVER = 0xc0000201;   // 192.0.2.1

    @Test
    void aSynAboveTheLimitIsLoweredAndItsChecksumStaysRight() {
        ByteBuf p = segment(CLIENT, SERVER, SYN, typicalOptions(1460));
        assertThat(p.getUnsignedShort(36)).isEqualTo(tcpChecksum(p));
        assertThat(TcpMss.clamp(p, 1352)).isTrue();
        assertThat(TcpSegments.mss(p)).isEqualTo(1352);
        assertThat(p.getUnsignedShort(36)).as("incremental = recomputed").isEqualTo(tcpChecksum(p));
        p.release();
    }

    @Test
    void anIpv6SynIsLoweredAndItsChecksumOverTheIpv6PseudoHeaderStaysRight() {
        for (long low : new long[] {0x1L, 0x8cf4_24de_15ac_2d12L, 0xffff_ffff_ffff_fffeL}) {
            ByteBuf p = TcpSegments.segment6(low, SYN | ACK, typicalOptions(1440));
            assertThat(p.getUnsignedShort(56)).isEqualTo(TcpSegments.tcpChecksum6(p));
            assertThat(TcpMss.clamp(p, 1332)).isTrue();
            assertThat(TcpSegments.mss(p)).isEqualTo(1332);
            assertThat(p.getUnsignedShort(56)).as("incremental = recomputed").isEqualTo(TcpSegments.tcpChecksum6(p));
            p.release();
        }
    }

    @Test
    void anIpv6SegmentWithAnExtensionHeaderOrNotTcpIsLeftAlone() {
        ByteBuf p = TcpSegments.segment6(1, SYN, typicalOptions(1440));
        p.setByte(6, 0);   // Next Header: Hop-by-Hop Options, not TCP: the TCP header is not where we would look
        assertThat(TcpMss.mssOffset(p)).isEqualTo(-1);
        assertThat(TcpMss.clamp(p, 1332)).isFalse();
        p.release();
    }

    @Test
    void aSynAckIsClampedToo() {
        ByteBuf p = segment(SERVER, CLIENT, SYN | ACK, typicalOptions(8960));
        assertThat(TcpMss.clamp(p, 1352)).isTrue();
        assertThat(TcpSegments.mss(p)).isEqualTo(1352);
        assertThat(p.getUnsignedShort(36)).isEqualTo(tcpChecksum(p));
        p.release();
    }

    /** Every checksum value a segment can have: RFC 1624's case of a result of 0x0000 / 0xFFFF included. */
    @Test
    void incrementalChecksumMatchesARecomputationOverManySegments() {
        for (int seed = 0; seed < 2000; seed++) {
            int mss = 1353 + seed % 8000;
            ByteBuf p = segment(CLIENT + seed, SERVER ^ (seed * 7919), SYN, typicalOptions(mss));
            assertThat(TcpMss.clamp(p, 1352)).isTrue();
            assertThat(p.getUnsignedShort(36)).as("seed %d", seed).isEqualTo(tcpChecksum(p));
            p.release();
        }
    }

    /** NOPs before the option put its value at an odd offset: the update must swap the octets. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void anMssAtAnOddOffsetIsUpdatedRight(int nops) {
        byte[] options = new byte[nops + 4];
        for (int i = 0; i < nops; i++) options[i] = 1;
        options[nops] = 2;
        options[nops + 1] = 4;
        options[nops + 2] = (byte) (1460 >>> 8);
        options[nops + 3] = (byte) 1460;
        ByteBuf p = segment(CLIENT, SERVER, SYN, options);
        assertThat(TcpMss.clamp(p, 1300)).isTrue();
        assertThat(TcpSegments.mss(p)).isEqualTo(1300);
        assertThat(p.getUnsignedShort(36)).isEqualTo(tcpChecksum(p));
        p.release();
    }

    @Test
    void neverRaisesAndLeavesAnMssAtTheLimit() {
        for (int mss : new int[] {536, 1200, 1352}) {
            ByteBuf p = segment(CLIENT, SERVER, SYN, typicalOptions(mss));
            String before = ByteBufUtil.hexDump(p);
            assertThat(TcpMss.clamp(p, 1352)).isFalse();
            assertThat(ByteBufUtil.hexDump(p)).isEqualTo(before);
            p.release();
        }
    }

    @Test
    void aSynWithoutTheOptionIsNotGivenOne() {
        ByteBuf p = segment(CLIENT, SERVER, SYN, new byte[] {1, 3, 3, 7});
        String before = ByteBufUtil.hexDump(p);
        assertThat(TcpMss.clamp(p, 1352)).isFalse();
        assertThat(ByteBufUtil.hexDump(p)).isEqualTo(before);
        p.release();
    }

    @Test
    void segmentsOtherThanSynAreUntouched() {
        ByteBuf ack = segment(CLIENT, SERVER, ACK, typicalOptions(1460));   // an MSS option where it means nothing
        assertThat(TcpMss.clamp(ack, 1352)).isFalse();
        assertThat(ack.getUnsignedShort(22 + 20)).isEqualTo(1460);
        ack.release();
        ByteBuf udp = segment(CLIENT, SERVER, SYN, typicalOptions(1460));
        udp.setByte(9, 17);
        assertThat(TcpMss.clamp(udp, 1352)).isFalse();
        udp.release();
        ByteBuf fragment = segment(CLIENT, SERVER, SYN, typicalOptions(1460));
        fragment.setShort(6, 0x0010);                                          // offset 16 * 8: a later fragment
        assertThat(TcpMss.clamp(fragment, 1352)).isFalse();
        fragment.release();
    }

    @Test
    void malformedOptionsAndTruncatedHeadersAreLeftAlone() {
        // option length 0, option running past the header, an MSS of length 3, data offset past the packet
        byte[][] bad = {
                {5, 0, 2, 4, 5, (byte) 0xb4, 0, 0},
                {8, 10, 0, 0},
                {2, 3, 5, 0},
        };
        for (byte[] options : bad) {
            ByteBuf p = segment(CLIENT, SERVER, SYN, options);
            String before = ByteBufUtil.hexDump(p);
            assertThat(TcpMss.clamp(p, 1352)).isFalse();
            assertThat(ByteBufUtil.hexDump(p)).isEqualTo(before);
            p.release();
        }
        ByteBuf p = segment(CLIENT, SERVER, SYN, typicalOptions(1460));
        p.setByte(32, 0xf0);                                                    // data offset 60 > the segment
        assertThat(TcpMss.clamp(p, 1352)).isFalse();
        p.setShort(2, 30);                                                      // total length cuts the TCP header
        assertThat(TcpMss.clamp(p, 1352)).isFalse();
        p.release();
    }

    @Test
    void anEndOfOptionListStopsTheSearch() {
        ByteBuf p = segment(CLIENT, SERVER, SYN, new byte[] {0, 0, 0, 0, 2, 4, 5, (byte) 0xb4});
        assertThat(TcpMss.clamp(p, 1352)).isFalse();
        p.release();
    }
}
