package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.dataplane.l2tp.L2tpTransport;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two endpoints wired back to back, each holding the mirror image of the other's spec (our outbound SA is their
 * inbound one, same SPI and KEYMAT), for every cipher and integrity combination.
 */
class EndpointPairTest {
    static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 4500);
    static final InetSocketAddress B = new InetSocketAddress("198.51.100.20", 4500);

    final ManualScheduler scheduler = new ManualScheduler();

    final class Side implements EspEndpoint.UpperLayer {
        final List<String> received = new ArrayList<>();
        L2tpTransport transport;
        EspEndpoint endpoint;

        @Override
        public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
            received.add(ByteBufUtil.hexDump(datagram));
            datagram.release();
            this.transport = transport;
        }

        @Override
        public void closeTunnels(L2tpTransport transport, String cause) {
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> transforms() {
        return SecurityAssociationTest.transforms();
    }

    @ParameterizedTest(name = "{0}/{1} {2}")
    @MethodSource("transforms")
    void datagramsCrossInBothDirections(EspCipher cipher, int bits, EspIntegrity integrity) {
        Side a = new Side();
        Side b = new Side();
        a.endpoint = new EspEndpoint(a, (local, peer, packet) -> b.endpoint.receive(A, B, packet), scheduler,
                new SimpleMeterRegistry(), 128);
        b.endpoint = new EspEndpoint(b, (local, peer, packet) -> a.endpoint.receive(B, A, packet), scheduler,
                new SimpleMeterRegistry(), 128);
        Random r = new Random(bits);
        byte[] aIn = new byte[100];
        byte[] bIn = new byte[100];
        r.nextBytes(aIn);
        r.nextBytes(bIn);
        a.endpoint.install(new ChildSaSpec("ike=a", B, A, 0xa000_0001, 0xb000_0001, cipher, bits, integrity,
                aIn.clone(), bIn.clone(), Duration.ofHours(1), 0, 1701));
        b.endpoint.install(new ChildSaSpec("ike=b", A, B, 0xb000_0001, 0xa000_0001, cipher, bits, integrity,
                bIn.clone(), aIn.clone(), Duration.ofHours(1), 0, 1701));

        // L2TP only answers: b's first datagram is sealed with b's outbound SA by hand, as if b's L2TP had sent it
        ByteBuf first = Unpooled.buffer().writeShort(1701).writeShort(1701).writeShort(9).writeShort(0).writeByte(0);
        a.endpoint.receive(B, A, b.endpoint.outbound(0xb000_0001).seal(first, SecurityAssociation.NEXT_HEADER_UDP));
        assertThat(a.received).containsExactly("00");
        for (int n = 1; n <= 20; n++) {
            a.transport.send(B, Unpooled.buffer().writeBytes(new byte[n]).setByte(0, n));
            b.transport.send(A, Unpooled.wrappedBuffer(new byte[] {(byte) n}));
        }
        assertThat(a.received).hasSize(21);
        assertThat(a.received.getLast()).isEqualTo("14");
        assertThat(b.received).hasSize(20);
        assertThat(b.received.getLast()).isEqualTo("14" + "00".repeat(19));
    }
}
