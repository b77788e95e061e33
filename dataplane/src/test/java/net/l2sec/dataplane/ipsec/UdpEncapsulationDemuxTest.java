package net.l2sec.dataplane.ipsec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.udp.ChannelDatagramSender;
import net.l2sec.dataplane.udp.EncapsulatedDatagramHandler;
import net.l2sec.dataplane.udp.IkeDatagramHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UdpEncapsulationDemuxTest {
    static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 61000);
    static final InetSocketAddress LOCAL = new InetSocketAddress("192.0.2.1", 4500);
    static final InetSocketAddress LOCAL_IKE = new InetSocketAddress("192.0.2.1", 500);

    record Received(InetSocketAddress peer, InetSocketAddress local, String hex) {
    }

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Received> ike = new ArrayList<>();
    final List<Received> esp = new ArrayList<>();
    final UdpEncapsulationDemux demux = new UdpEncapsulationDemux(
            (p, l, m) -> ike.add(take(p, l, m)), (p, l, m) -> esp.add(take(p, l, m)), registry);
    final EmbeddedChannel channel = new EmbeddedChannel(new EncapsulatedDatagramHandler(demux, LOCAL));

    @AfterEach
    void close() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    static Received take(InetSocketAddress peer, InetSocketAddress local, ByteBuf b) {
        try {
            return new Received(peer, local, ByteBufUtil.hexDump(b));
        } finally {
            b.release();
        }
    }

    ByteBuf write(String hex) {
        ByteBuf content = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        channel.writeInbound(new DatagramPacket(content, LOCAL, PEER));
        return content;
    }

    double dropped() {
        return registry.get("l2sec.esp.packets.dropped").tag("reason", "malformed").counter().count();
    }

    @Test
    void natKeepaliveIsCountedAndDropped() {
        ByteBuf b = write("ff");
        assertThat(b.refCnt()).isZero();
        assertThat(ike).isEmpty();
        assertThat(esp).isEmpty();
        assertThat(registry.get("l2sec.esp.natt.keepalives").counter().count()).isEqualTo(1);
    }

    @Test
    void nonEspMarkerIsStrippedAndGoesToIke() {
        write("00000000" + "0102030405060708");
        assertThat(ike).containsExactly(new Received(PEER, LOCAL, "0102030405060708"));
        assertThat(esp).isEmpty();
    }

    @Test
    void anythingElseIsEsp() {
        write("c0ffee0000000001abcdef");
        assertThat(esp).containsExactly(new Received(PEER, LOCAL, "c0ffee0000000001abcdef"));
        assertThat(ike).isEmpty();
    }

    @Test
    void shortPayloadsAreDroppedAndCounted() {
        for (String hex : List.of("", "fe", "00", "000000", "01000000", "0100000000000a")) {
            ByteBuf b = write(hex);
            if (!hex.isEmpty()) assertThat(b.refCnt()).as(hex).isZero(); // the empty buffer is a shared singleton
        }
        assertThat(ike).isEmpty();
        assertThat(esp).isEmpty();
        assertThat(dropped()).isEqualTo(6);
    }

    @Test
    void keepaliveMustBeExactlyOneOctet() {
        write("ff000000000000");
        assertThat(dropped()).isEqualTo(1);
        write("ff00000000000000");
        assertThat(esp).hasSize(1);
    }

    @Test
    void port500HandlerSendsEverythingToIke() {
        EmbeddedChannel ch500 = new EmbeddedChannel(new IkeDatagramHandler((p, l, m) -> ike.add(take(p, l, m)), LOCAL_IKE));
        ch500.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1}), LOCAL_IKE, PEER));
        assertThat(ike).containsExactly(new Received(PEER, LOCAL_IKE, "0000000001"));
        assertThat(ch500.finishAndReleaseAll()).isFalse();
    }

    @Test
    void senderChoosesTheChannelByLocalPort() {
        EmbeddedChannel ch500 = new EmbeddedChannel();
        EmbeddedChannel ch4500 = new EmbeddedChannel();
        DatagramSender sender = new ChannelDatagramSender(
                local -> local.getPort() == 4500 ? ch4500 : local.getPort() == 500 ? ch500 : null);
        sender.send(LOCAL, PEER, Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        sender.send(LOCAL_IKE, PEER, Unpooled.wrappedBuffer(new byte[] {9}));
        DatagramPacket esp = ch4500.readOutbound();
        DatagramPacket ike = ch500.readOutbound();
        assertThat(esp.recipient()).isEqualTo(PEER);
        assertThat(ByteBufUtil.hexDump(esp.content())).isEqualTo("0102030405060708");
        assertThat(ByteBufUtil.hexDump(ike.content())).isEqualTo("09");
        esp.release();
        ike.release();
        ByteBuf stray = Unpooled.wrappedBuffer(new byte[] {1});
        assertThatThrownBy(() -> sender.send(new InetSocketAddress("192.0.2.1", 4501), PEER, stray))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(stray.refCnt()).isZero();
        assertThat(ch500.finishAndReleaseAll()).isFalse();
        assertThat(ch4500.finishAndReleaseAll()).isFalse();
    }
}
