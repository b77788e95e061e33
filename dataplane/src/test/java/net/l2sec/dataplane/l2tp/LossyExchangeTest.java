package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A LAC with its own reliable channel against the LNS over a link that loses, duplicates and reorders. */
class LossyExchangeTest {
    static final InetSocketAddress LAC = new InetSocketAddress("203.0.113.5", 1701);

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakePpp ppp = new FakePpp();
    final List<MessageType> lacDelivered = new ArrayList<>();
    int serverTunnelId;
    ControlChannel lac;
    Random random;
    L2tpNetworkServer server;

    /** Carries {@code datagram} after a random delay, maybe twice, maybe not at all; owns it. */
    void lossy(ByteBuf datagram, java.util.function.Consumer<ByteBuf> to) {
        int roll = random.nextInt(100);
        if (roll < 30) {
            datagram.release();
            return;
        }
        if (roll < 45) {
            ByteBuf copy = datagram.copy();
            scheduler.schedule(Duration.ofMillis(random.nextInt(500)), () -> to.accept(copy));
        }
        scheduler.schedule(Duration.ofMillis(random.nextInt(500)), () -> to.accept(datagram));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void exchangeCompletesOverALossyLink(long seed) {
        random = new Random(seed);
        L2tpSettings settings = new L2tpSettings("lns", 4, Duration.ofSeconds(1), Duration.ofSeconds(4), 12,
                Duration.ofSeconds(60), Optional.empty(), 10, 10);
        server = new L2tpNetworkServer(settings, ppp, scheduler, registry);
        L2tpTransport toLac = (peer, datagram) -> lossy(datagram, d -> {
            try {
                lac.receive((ControlMessage) L2tpCodec.decode(d));
            } catch (L2tpDecodeException e) {
                throw new AssertionError(e);
            } finally {
                d.release();
            }
        });
        lac = new ControlChannel(scheduler, settings, 0, new ControlChannel.Peer() {
            @Override
            public void transmit(ControlMessage m) {
                // the LAC learns the LNS tunnel id from SCCRP; ZLBs must carry it
                ControlMessage out = m.isZlb() ? ControlMessage.zlb(serverTunnelId, m.ns(), m.nr()) : m;
                ByteBuf wire = L2tpCodec.encode(ByteBufAllocator.DEFAULT, out);
                lossy(wire, d -> server.receive(LAC, d, toLac));
            }

            @Override
            public void deliver(ControlMessage m) {
                lacDelivered.add(m.type());
                switch (m.type()) {
                    case SCCRP -> {
                        serverTunnelId = m.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
                        lac.send(ControlMessage.of(MessageType.SCCCN, serverTunnelId, 0, List.of()));
                        lac.send(ControlMessage.of(MessageType.ICRQ, serverTunnelId, 0, List.of(
                                Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 11), Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1))));
                    }
                    case ICRP -> lac.send(ControlMessage.of(MessageType.ICCN, serverTunnelId,
                            m.find(AvpType.ASSIGNED_SESSION_ID).shortValue(), List.of(Avp.ofInt(AvpType.FRAMING_TYPE, 1),
                                    Avp.ofInt(AvpType.TX_CONNECT_SPEED, 1000))));
                    default -> { }
                }
            }

            @Override
            public void retransmitLimit(ControlMessage oldest) {
                throw new AssertionError("LAC gave up on " + oldest);
            }
        });
        lac.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100),
                Avp.ofString(AvpType.HOST_NAME, "lac"), Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 21), Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, 4))));
        for (int i = 0; i < 600 && !(ppp.opened.size() == 1 && lac.idle()); i++) scheduler.advance(Duration.ofMillis(100));
        scheduler.advance(Duration.ofSeconds(30)); // let stragglers, duplicates and retransmissions land

        assertThat(lacDelivered).containsExactly(MessageType.SCCRP, MessageType.ICRP);
        assertThat(ppp.opened).hasSize(1);
        assertThat(server.tunnelCount()).isEqualTo(1);
        assertThat(server.activeSessions()).isEqualTo(1);
        assertThat(registry.get("l2sec.l2tp.tunnels.established").counter().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.l2tp.sessions.established").counter().count()).isEqualTo(1);

        server.close();
        lac.stop();
        scheduler.advance(Duration.ofSeconds(1)); // in-flight datagrams are delivered (and released)
        assertThat(server.tunnelCount()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
    }
}
