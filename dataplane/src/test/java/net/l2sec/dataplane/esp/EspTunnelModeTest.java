package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.dataplane.l2tp.L2tpTransport;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tunnel-mode ESP (RFC 4303 section 3.1.2) as an IKEv2 SA installs it: whole IP packets both ways. */
class EspTunnelModeTest {
    static final InetSocketAddress NAT = new InetSocketAddress("198.51.100.7", 4500);
    static final InetSocketAddress NAT_2 = new InetSocketAddress("198.51.100.7", 61001);
    static final InetSocketAddress MOVED = new InetSocketAddress("203.0.113.50", 4500);
    static final InetSocketAddress LOCAL_2 = new InetSocketAddress("192.0.2.2", 4500);
    /** IPv4 ICMP echo 10.0.0.2 -> 10.1.1.1, total length 28. */
    static final String IPV4 = "4500001c0000000040010000" + "0a000002" + "0a010101" + "0800f7ff00000000";
    /** IPv6 header, payload length 8 (ICMPv6), 2001:db8::2 -> 2001:db8:1::1, then 8 octets. */
    static final String IPV6 = "6000000000083a40" + "20010db8000000000000000000000002" + "20010db8000100000000000000000001"
            + "8000000000000000";

    record Sent(InetSocketAddress local, InetSocketAddress peer, ByteBuf packet) {}

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<String> l2tp = new ArrayList<>();
    final List<Sent> sent = new ArrayList<>();
    final List<String> inner = new ArrayList<>();
    final EspEndpoint esp = new EspEndpoint(new EspEndpoint.UpperLayer() {
        @Override
        public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
            l2tp.add(ByteBufUtil.hexDump(datagram));
            datagram.release();
        }

        @Override
        public void closeTunnels(L2tpTransport transport, String cause) {
            l2tp.add("closed " + cause);
        }
    }, (local, peer, packet) -> sent.add(new Sent(local, peer, packet)), scheduler, registry, 128);

    @AfterEach
    void releaseSent() {
        for (Sent s : sent) if (s.packet.refCnt() > 0) s.packet.release();
    }

    double dropped(String reason) {
        return registry.get("l2sec.esp.packets.dropped").tag("reason", reason).counter().count();
    }

    double count(String name, String direction) {
        return registry.get(name).tag("direction", direction).functionCounter().count();
    }

    /** The client's side of a tunnel pair, and the spec IKEv2 would install (peerL2tpPort 0). */
    static final class Client {
        final EspPeer keys;
        final ChildSaSpec spec;
        InetSocketAddress address;

        Client(String tag, InetSocketAddress address, int inboundSpi, int outboundSpi, long lifetimeBytes) {
            this.address = address;
            keys = new EspPeer(tag, address, inboundSpi, outboundSpi, EspCipher.AES_GCM_16, 128, EspIntegrity.NONE,
                    Duration.ofHours(1), lifetimeBytes);
            ChildSaSpec s = keys.spec;
            spec = new ChildSaSpec(tag, address, EspPeer.LOCAL, inboundSpi, outboundSpi, s.cipher(), s.keyBits(),
                    s.integrity(), s.inboundKeymat().clone(), s.outboundKeymat().clone(), s.lifetime(), lifetimeBytes, 0);
        }

        /** An ESP packet from the client carrying {@code hex} with Next Header {@code nextHeader}. */
        ByteBuf esp(String hex, int nextHeader) {
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer().writeBytes(HexFormat.of().parseHex(hex));
            return keys.out.seal(b, nextHeader);
        }

        /** Opens one of our packets: "nh:hex". */
        String open(ByteBuf packet) {
            try {
                ByteBuf payload = keys.in.openPayload(packet);
                if (payload == null) throw new AssertionError("client cannot open: " + keys.in.lastDrop());
                try {
                    return keys.in.lastNextHeader() + ":" + ByteBufUtil.hexDump(payload);
                } finally {
                    payload.release();
                }
            } finally {
                packet.release();
            }
        }
    }

    Client install(Client c) {
        esp.installTunnel(c.spec, packet -> {
            inner.add(ByteBufUtil.hexDump(packet));
            packet.release();
        });
        return c;
    }

    static ByteBuf ip(String hex) {
        ByteBuf b = PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, hex.length() / 2);
        return b.writeBytes(HexFormat.of().parseHex(hex));
    }

    @Test
    void ipPacketsTravelBothWaysWithNextHeader4And41() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        assertThat(c.spec.inboundKeymat()).as("KEYMAT wiped").containsOnly(0);
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV4, 4));
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV6, 41));
        assertThat(inner).containsExactly(IPV4, IPV6);
        assertThat(l2tp).isEmpty();

        TunnelSender toClient = esp.tunnelSender("ike2=1");
        ByteBuf v4 = ip(IPV4);
        assertThat(toClient.send(v4)).isTrue();
        assertThat(toClient.send(ip(IPV6))).isTrue();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).packet).as("sealed in the packet's own buffer (headroom)").isSameAs(v4);
        assertThat(sent.get(0).peer).isEqualTo(NAT);
        assertThat(sent.get(0).local).isEqualTo(EspPeer.LOCAL);
        assertThat(c.open(sent.get(0).packet)).isEqualTo("4:" + IPV4);
        assertThat(c.open(sent.get(1).packet)).isEqualTo("41:" + IPV6);
        assertThat(count("l2sec.esp.packets", "in")).isEqualTo(2);
        assertThat(count("l2sec.esp.packets", "out")).isEqualTo(2);
        assertThat(count("l2sec.esp.bytes", "in")).isEqualTo(28 + 48);
        assertThat(count("l2sec.esp.bytes", "out")).isEqualTo(28 + 48);
        assertThat(esp.inboundSince(0x1000, 0)).isTrue();
    }

    @Test
    void theSenderFailsBeforeTheFirstInstallAndAfterTheLastDelete() {
        TunnelSender toClient = esp.tunnelSender("ike2=1");
        ByteBuf early = ip(IPV4);
        assertThat(toClient.send(early)).isFalse();
        assertThat(early.refCnt()).isZero();
        install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        assertThat(toClient.send(ip(IPV4))).as("the handle taken before the install works now").isTrue();
        esp.removeAll("ike2=1", "ike sa deleted");
        ByteBuf late = ip(IPV4);
        assertThat(toClient.send(late)).isFalse();
        assertThat(late.refCnt()).isZero();
        assertThat(dropped("no_sa")).isEqualTo(2);
        assertThat(esp.activePairs()).isZero();
        assertThat(l2tp).as("tunnel SAs never touch L2TP").isEmpty();
    }

    @Test
    void sendingFollowsARekeyAndTheOldPairStillReceivesUntilDeleted() {
        Client old = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        TunnelSender toClient = esp.tunnelSender("ike2=1");
        toClient.send(ip(IPV4));
        Client fresh = install(new Client("ike2=1", NAT, 0x1001, 0x2001, 0));
        toClient.send(ip(IPV4));
        assertThat(sent.get(0).packet.getInt(sent.get(0).packet.readerIndex())).isEqualTo(0x2000);
        assertThat(sent.get(1).packet.getInt(sent.get(1).packet.readerIndex())).isEqualTo(0x2001);
        assertThat(fresh.open(sent.get(1).packet)).isEqualTo("4:" + IPV4);
        esp.receive(NAT, EspPeer.LOCAL, old.esp(IPV4, 4));
        esp.receive(NAT, EspPeer.LOCAL, fresh.esp(IPV6, 41));
        assertThat(inner).containsExactly(IPV4, IPV6);

        esp.remove(0x1000, "rekeyed");
        esp.receive(NAT, EspPeer.LOCAL, old.esp(IPV4, 4));
        assertThat(dropped("unknown_spi")).isEqualTo(1);
        assertThat(toClient.send(ip(IPV6))).isTrue();
        assertThat(fresh.open(sent.get(2).packet)).isEqualTo("41:" + IPV6);
        assertThat(esp.activePairs()).isEqualTo(1);
    }

    @Test
    void wrongNextHeaderAndBadInnerHeadersAreDroppedWithTheirReason() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV4, 17));             // UDP: transport mode's payload
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV6, 4));              // an IPv6 header under Next Header 4
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV4, 41));
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV4.substring(0, 40), 4));  // shorter than its total length
        assertThat(dropped("not_ip")).isEqualTo(1);
        assertThat(dropped("inner_malformed")).isEqualTo(3);
        assertThat(inner).isEmpty();

        ByteBuf notIp = Unpooled.buffer().writeBytes(new byte[] {0x10, 0, 0, 0});
        assertThat(esp.tunnelSender("ike2=1").send(notIp)).isFalse();
        assertThat(notIp.refCnt()).isZero();
        assertThat(dropped("not_ip")).isEqualTo(2);
    }

    @Test
    void tfcPaddingBehindTheInnerPacketIsCutOff() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV4 + "00000000000000000000", 4));   // RFC 4303 section 2.7
        assertThat(inner).containsExactly(IPV4);
    }

    @Test
    void dummyPacketsAreDiscardedAndCounted() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        esp.receive(NAT, EspPeer.LOCAL, c.esp("00000000", 59));
        esp.receive(NAT, EspPeer.LOCAL, c.esp("", 59));
        assertThat(dropped("dummy")).isEqualTo(2);
        assertThat(inner).isEmpty();
        assertThat(count("l2sec.esp.packets", "in")).isZero();
    }

    @Test
    void theByteLifetimeEndsThePair() {
        List<String> events = new ArrayList<>();
        esp.saEvents(new EspEndpoint.SaEvents() {
            @Override
            public void rekeyNeeded(String ikeSaTag, int inboundSpi, String why) {
                events.add("rekey " + why);
            }

            @Override
            public void expired(String ikeSaTag, int inboundSpi) {
                events.add("expired " + ikeSaTag);
            }
        });
        install(new Client("ike2=1", NAT, 0x1000, 0x2000, 60));
        TunnelSender toClient = esp.tunnelSender("ike2=1");
        assertThat(toClient.send(ip(IPV4))).isTrue();          // 28 octets
        assertThat(toClient.send(ip(IPV4))).isTrue();          // 56: past the soft lifetime (90 %: 54)
        assertThat(events).containsExactly("rekey soft byte lifetime");
        assertThat(toClient.send(ip(IPV4))).isTrue();          // 84: the last that fits under the hard one
        ByteBuf over = ip(IPV4);
        assertThat(toClient.send(over)).isFalse();
        assertThat(over.refCnt()).isZero();
        assertThat(dropped("lifetime")).isEqualTo(1);
        scheduler.runPending();
        assertThat(events).containsExactly("rekey soft byte lifetime", "expired ike2=1");
        assertThat(esp.activePairs()).isZero();
    }

    @Test
    void mobikeMovesEveryPairOfTheIkeSa() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        install(new Client("ike2=2", NAT_2, 0x1001, 0x2001, 0));
        esp.movePeer("ike2=1", MOVED, LOCAL_2);
        TunnelSender toClient = esp.tunnelSender("ike2=1");
        toClient.send(ip(IPV4));
        assertThat(sent.getLast().peer).isEqualTo(MOVED);
        assertThat(sent.getLast().local).isEqualTo(LOCAL_2);
        esp.receive(NAT, EspPeer.LOCAL, c.esp(IPV4, 4));
        assertThat(dropped("wrong_peer")).as("the old address is no longer the peer's").isEqualTo(1);
        esp.receive(MOVED, LOCAL_2, c.esp(IPV4, 4));
        assertThat(inner).containsExactly(IPV4);
        esp.tunnelSender("ike2=2").send(ip(IPV4));
        assertThat(sent.getLast().peer).as("another IKE SA stays").isEqualTo(NAT_2);
        esp.movePeer("ike2=none", MOVED, LOCAL_2);   // nothing to move: logged only
    }

    @Test
    void anAuthenticatedPacketFromANewPortRebindsTheTunnel() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        esp.receive(NAT_2, EspPeer.LOCAL, c.esp(IPV4, 4));
        esp.tunnelSender("ike2=1").send(ip(IPV4));
        assertThat(sent.getLast().peer).isEqualTo(NAT_2);
        Client rekeyed = install(new Client("ike2=1", NAT_2, 0x1001, 0x2001, 0));
        esp.tunnelSender("ike2=1").send(ip(IPV4));
        assertThat(rekeyed.open(sent.getLast().packet)).isEqualTo("4:" + IPV4);
        assertThat(sent.getLast().peer).isEqualTo(NAT_2);
    }

    /**
     * Random inner payloads (IP-looking or not, with random length fields) under random Next Headers, sealed with the
     * SA's real key: every packet is either delivered whole or dropped under a reason, none throws, none leaks.
     */
    @Test
    void everyMangledInnerPacketIsDeliveredOrCountedNeverThrown() {
        Client c = install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        java.util.Random random = new java.util.Random(4303);
        int[] nextHeaders = {4, 41, 59, 17, 0, 255};
        int rounds = 3000;
        for (int i = 0; i < rounds; i++) {
            byte[] inner = new byte[random.nextInt(90)];
            random.nextBytes(inner);
            if (inner.length > 0 && random.nextBoolean()) inner[0] = (byte) (random.nextBoolean() ? 0x45 : 0x60);
            if (inner.length > 4 && random.nextBoolean()) {
                int length = random.nextBoolean() ? inner.length : random.nextInt(100);
                inner[2] = (byte) (length >>> 8);
                inner[3] = (byte) length;
            }
            int nh = random.nextInt(4) == 0 ? random.nextInt(256) : nextHeaders[random.nextInt(nextHeaders.length)];
            ByteBuf packet = c.esp(HexFormat.of().formatHex(inner), nh);
            esp.receive(NAT, EspPeer.LOCAL, packet);
            assertThat(packet.refCnt()).isZero();
        }
        double dropped = registry.find("l2sec.esp.packets.dropped").counters().stream().mapToDouble(x -> x.count()).sum();
        assertThat(inner.size() + dropped).isEqualTo(rounds);
        assertThat(inner).isNotEmpty();
        assertThat(dropped("dummy") + dropped("not_ip") + dropped("inner_malformed"))
                .as("only the tunnel-mode reasons").isEqualTo(dropped);
        assertThat(dropped("inner_malformed")).isPositive();
        assertThat(dropped("dummy")).isPositive();
    }

    @Test
    void aTransportPairBesideATunnelPairKeepsCarryingL2tp() {
        install(new Client("ike2=1", NAT, 0x1000, 0x2000, 0));
        EspPeer v1 = new EspPeer("ike=9", NAT_2, 0x3000, 0x4000);
        esp.install(v1.spec);
        esp.receive(NAT_2, EspPeer.LOCAL, v1.esp(new byte[] {(byte) 0xc8, 2}));
        assertThat(l2tp).containsExactly("c802");
        ByteBuf ipInTransport = v1.out.seal(ip(IPV4), 4);
        esp.receive(NAT_2, EspPeer.LOCAL, ipInTransport);
        assertThat(dropped("not_udp")).isEqualTo(1);
        assertThat(inner).isEmpty();
        esp.removeAll("ike=9", "gone");
        assertThat(l2tp).containsExactly("c802", "closed ipsec sa deleted: gone");
    }
}
