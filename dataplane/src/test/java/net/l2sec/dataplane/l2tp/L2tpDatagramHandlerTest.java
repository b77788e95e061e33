package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.dataplane.udp.L2tpDatagramHandler;
import org.junit.jupiter.api.Test;

class L2tpDatagramHandlerTest {
    static final InetSocketAddress LAC = new InetSocketAddress("192.0.2.7", 1701);
    static final InetSocketAddress LNS = new InetSocketAddress("192.0.2.1", 1701);

    @Test
    void answersSccrqAndDropsMalformedDatagrams() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        L2tpNetworkServer server = new L2tpNetworkServer(L2tpNetworkServerTest.settings(Optional.empty(), 4, 4),
                new FakePpp(), new ManualScheduler(), registry);
        EmbeddedChannel channel = new EmbeddedChannel(new L2tpDatagramHandler(server));

        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        channel.writeInbound(new DatagramPacket(garbage, LNS, LAC));
        ByteBuf badVersion = Unpooled.wrappedBuffer(new byte[] {(byte) 0xc8, 0x03, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0});
        channel.writeInbound(new DatagramPacket(badVersion, LNS, LAC));
        assertThat(garbage.refCnt()).isZero();
        assertThat(badVersion.refCnt()).isZero();
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(registry.get("l2sec.l2tp.packets.dropped").tag("reason", "malformed_header").counter().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.l2tp.packets.dropped").tag("reason", "bad_version").counter().count()).isEqualTo(1);

        ControlMessage sccrq = ControlMessage.of(MessageType.SCCRQ, 0, 0, List.of(
                Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100), Avp.ofString(AvpType.HOST_NAME, "mac"),
                Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3), Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 3)));
        channel.writeInbound(new DatagramPacket(L2tpCodec.encode(ByteBufAllocator.DEFAULT, sccrq), LNS, LAC));
        DatagramPacket reply = channel.readOutbound();
        assertThat(reply.recipient()).isEqualTo(LAC);
        ControlMessage sccrp = (ControlMessage) L2tpCodec.decode(reply.content());
        assertThat(sccrp.type()).isEqualTo(MessageType.SCCRP);
        assertThat(sccrp.tunnelId()).isEqualTo(3);
        reply.release();
        assertThat(server.activeTunnels()).isEqualTo(1);
        server.close();
        DatagramPacket stop = channel.readOutbound();
        assertThat(((ControlMessage) L2tpCodec.decode(stop.content())).type()).isEqualTo(MessageType.STOPCCN);
        stop.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
