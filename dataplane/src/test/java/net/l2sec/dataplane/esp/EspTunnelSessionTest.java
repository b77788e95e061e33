package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.dataplane.l2tp.L2tpTransport;
import net.l2sec.dataplane.session.RemoteAccessSession;
import net.l2sec.dataplane.session.RemoteAccessSessions;
import net.l2sec.dataplane.session.RemoteAccessSettings;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two halves the IKEv2 responder joins, as it joins them: a client's tunnel-mode SA pair in the
 * {@link EspEndpoint} with its {@link RemoteAccessSession} as the pair's end and the IKE SA's sender as the session's
 * way to the client. An IP packet from the client reaches the egress; one from the TUN device for the client's
 * address reaches the client encrypted.
 */
class EspTunnelSessionTest {
    static final InetSocketAddress NAT = new InetSocketAddress("198.51.100.7", 4500);
    /** ICMP echo 10.99.0.10 -> 10.1.1.1 and the reply. */
    static final String FROM_CLIENT = "4500001c00000000400100000a63000a0a0101010800f7ff00000000";
    static final String TO_CLIENT = "4500001c00000000400100000a0101010a63000a0000ffff00000000";

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<ByteBuf> sent = new ArrayList<>();
    final List<ByteBuf> egress = new ArrayList<>();
    final EspEndpoint esp = new EspEndpoint(new EspEndpoint.UpperLayer() {
        @Override
        public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
            datagram.release();
            throw new AssertionError("a tunnel SA reached L2TP");
        }

        @Override
        public void closeTunnels(L2tpTransport transport, String cause) {
        }
    }, (local, peer, packet) -> sent.add(packet), scheduler, registry, 128);
    final Ipv4Pool pool = new Ipv4Pool("default", ip("10.99.0.10"), ip("10.99.0.20"));
    final ClientRoutes routes = new ClientRoutes(registry);
    final RemoteAccessSessions sessions = new RemoteAccessSessions(new RemoteAccessSettings("default", Optional.empty(),
            ip("10.99.0.1"), 24, List.of(), List.of(), List.of(), 0), n -> Optional.of(pool), n -> Optional.empty(),
            routes, egress::add, scheduler, new SessionRegistry(), registry);

    static Inet4Address ip(String s) {
        return (Inet4Address) InetAddress.ofLiteral(s);
    }

    @AfterEach
    void release() {
        sent.forEach(b -> { if (b.refCnt() > 0) b.release(); });
        egress.forEach(ByteBuf::release);
    }

    @Test
    void theClientsPacketsReachTheEgressAndTheTunDevicesReachTheClient() {
        String tag = "ike2=3f2a";
        var opening = sessions.open(sessions.context(tag, NAT, ClientIdentity.NONE), AuthMethod.EAP_MSCHAPV2,
                new AuthResult.Accept("alice", Optional.empty(), Authorization.defaults("staff")), false,
                esp.tunnelSender(tag), cause -> { });
        RemoteAccessSession session = ((RemoteAccessSessions.Opened) opening).session();
        EspPeer client = new EspPeer(tag, NAT, 0x1000, 0x2000, EspCipher.AES_GCM_16, 256, EspIntegrity.NONE,
                Duration.ofHours(1), 0);
        ChildSaSpec s = client.spec;
        esp.installTunnel(new ChildSaSpec(tag, NAT, EspPeer.LOCAL, 0x1000, 0x2000, s.cipher(), s.keyBits(), s.integrity(),
                s.inboundKeymat().clone(), s.outboundKeymat().clone(), s.lifetime(), 0, 0), session);

        ByteBuf fromClient = client.out.seal(PooledByteBufAllocator.DEFAULT.heapBuffer()
                .writeBytes(HexFormat.of().parseHex(FROM_CLIENT)), SecurityAssociation.NEXT_HEADER_IPV4);
        esp.receive(NAT, EspPeer.LOCAL, fromClient);
        assertThat(egress).hasSize(1);
        assertThat(ByteBufUtil.hexDump(egress.getFirst())).isEqualTo(FROM_CLIENT);

        ByteBuf fromTun = PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, 28).writeBytes(HexFormat.of().parseHex(TO_CLIENT));
        routes.deliver(fromTun);
        assertThat(sent).hasSize(1);
        ByteBuf inner = client.in.openPayload(sent.getFirst());
        try {
            assertThat(client.in.lastNextHeader()).isEqualTo(4);
            assertThat(ByteBufUtil.hexDump(inner)).isEqualTo(TO_CLIENT);
        } finally {
            inner.release();
        }
        assertThat(session.counters().inputPackets()).isEqualTo(1);
        assertThat(session.counters().outputPackets()).isEqualTo(1);

        // the IKE SA goes: ESP's SAs and the session with it
        esp.removeAll(tag, "ike sa deleted");
        session.close(EndCause.PEER_REQUEST);
        assertThat(routes.size()).isZero();
        assertThat(pool.inUse()).isZero();
    }
}
