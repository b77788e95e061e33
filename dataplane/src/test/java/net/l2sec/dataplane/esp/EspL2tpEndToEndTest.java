package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.udp.ChannelDatagramSender;
import net.l2sec.dataplane.udp.EncapsulatedDatagramHandler;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;
import net.l2sec.dataplane.l2tp.Avp;
import net.l2sec.dataplane.l2tp.AvpType;
import net.l2sec.dataplane.l2tp.ControlMessage;
import net.l2sec.dataplane.l2tp.L2tpCodec;
import net.l2sec.dataplane.l2tp.L2tpDecodeException;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.l2tp.MessageType;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** UDP/4500 channel -> demux -> ESP -> a real LNS, and its answers back out through the SA and the channel. */
class EspL2tpEndToEndTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 4500);

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<EndCause> pppDown = new ArrayList<>();
    final L2tpNetworkServer lns = new L2tpNetworkServer(new L2tpSettings("lns", 8, Duration.ofSeconds(1),
            Duration.ofSeconds(8), 5, Duration.ofSeconds(60), Optional.empty(), 10, 2), (context, link) -> new PppEndpoint() {
                @Override
                public void receive(ByteBuf frame) {
                    frame.release();
                }

                @Override
                public void lowerLayerDown(EndCause cause) {
                    pppDown.add(cause);
                }
            }, scheduler, registry);
    final EmbeddedChannel ike = new EmbeddedChannel();
    final EmbeddedChannel natt = new EmbeddedChannel();
    final EspEndpoint esp = new EspEndpoint(lns, new ChannelDatagramSender(
            local -> local.getPort() == 4500 ? natt : ike), scheduler, registry, 128);
    final List<ByteBuf> ikeMessages = new ArrayList<>();

    {
        natt.pipeline().addLast(new EncapsulatedDatagramHandler(
                new UdpEncapsulationDemux((p, l, m) -> ikeMessages.add(m), esp, registry), EspPeer.LOCAL));
    }

    @AfterEach
    void close() {
        lns.close();
        ikeMessages.forEach(ByteBuf::release);
        natt.finishAndReleaseAll();
        ike.finishAndReleaseAll();
    }

    EspPeer client = new EspPeer("ike=c1", CLIENT, 0x4000_0001, 0x5000_0001);
    int ns;
    int nr;

    void send(MessageType type, int tunnel, List<Avp> avps) {
        ControlMessage m = ControlMessage.of(type, tunnel, 0, avps).withSequence(ns, nr);
        ns++;
        ByteBuf l2tp = L2tpCodec.encode(ByteBufAllocator.DEFAULT, m);
        natt.writeInbound(new DatagramPacket(client.esp(l2tp, 1701), EspPeer.LOCAL, CLIENT));
    }

    /** The next control message the LNS sent through the SA. */
    ControlMessage receive() throws L2tpDecodeException {
        DatagramPacket out = natt.readOutbound();
        assertThat(out).as("LNS answered").isNotNull();
        assertThat(out.recipient()).isEqualTo(CLIENT);
        ByteBuf l2tp = client.open(out.content());
        try {
            ControlMessage c = (ControlMessage) L2tpCodec.decode(l2tp);
            if (!c.isZlb()) nr = c.ns() + 1;
            return c;
        } finally {
            l2tp.release();
        }
    }

    List<Avp> sccrq() {
        return List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100), Avp.ofString(AvpType.HOST_NAME, "client"),
                Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3), Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 42),
                Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, 4));
    }

    @Test
    void sccrqThroughTheSaIsAnsweredThroughTheSaAndSaDeletionEndsTheTunnel() throws Exception {
        esp.install(client.spec);
        send(MessageType.SCCRQ, 0, sccrq());
        ControlMessage sccrp = receive();
        assertThat(sccrp.type()).isEqualTo(MessageType.SCCRP);
        assertThat(sccrp.tunnelId()).isEqualTo(42);
        int lnsTunnel = sccrp.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        send(MessageType.SCCCN, lnsTunnel, List.of());
        assertThat(lns.activeTunnels()).isEqualTo(1);

        esp.removeAll("ike=c1", "ike sa deleted");
        ControlMessage stop;
        do stop = receive(); while (stop.isZlb());
        assertThat(stop.type()).as("StopCCN still goes out through the SA").isEqualTo(MessageType.STOPCCN);
        assertThat(lns.tunnelCount()).isZero();
        assertThat(esp.activePairs()).isZero();
        assertThat((Object) natt.readOutbound()).isNull();
    }

    @Test
    void l2tpFromAnotherPeerCannotEnterItsTunnel() throws Exception {
        esp.install(client.spec);
        send(MessageType.SCCRQ, 0, sccrq());
        int lnsTunnel = receive().find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        EspPeer intruder = new EspPeer("ike=c2", new InetSocketAddress("203.0.113.5", 4500), 0x4000_0002, 0x5000_0002);
        esp.install(intruder.spec);
        ByteBuf stop = L2tpCodec.encode(ByteBufAllocator.DEFAULT, ControlMessage.of(MessageType.STOPCCN, lnsTunnel, 0,
                List.of(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 42))).withSequence(0, 0));
        natt.writeInbound(new DatagramPacket(intruder.esp(stop, 1701), EspPeer.LOCAL, intruder.address));
        assertThat(lns.activeTunnels()).isEqualTo(1);
        assertThat(registry.get("l2sec.l2tp.packets.dropped").tag("reason", "wrong_peer").counter().count()).isEqualTo(1);
    }

    @Test
    void natKeepalivesAndIkeShareThePort() {
        natt.writeInbound(new DatagramPacket(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) 0xff}),
                EspPeer.LOCAL, CLIENT));
        natt.writeInbound(new DatagramPacket(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1, 2}),
                EspPeer.LOCAL, CLIENT));
        assertThat(registry.get("l2sec.esp.natt.keepalives").counter().count()).isEqualTo(1);
        assertThat(ikeMessages).hasSize(1);
        assertThat(ikeMessages.getFirst().readableBytes()).isEqualTo(2);
    }
}
