package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.dataplane.l2tp.L2tpTransport;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EspEndpointTest {
    static final InetSocketAddress NAT = new InetSocketAddress("198.51.100.7", 4500);
    static final InetSocketAddress NAT_2 = new InetSocketAddress("198.51.100.7", 61001);
    static final InetSocketAddress OTHER = new InetSocketAddress("203.0.113.9", 4500);
    static final byte[] L2TP = HexFormat.of().parseHex("c802000c000100000000000000");

    record Received(InetSocketAddress peer, String hex, L2tpTransport transport) {
    }

    record Sent(InetSocketAddress local, InetSocketAddress peer, ByteBuf packet) {
    }

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Received> received = new ArrayList<>();
    final List<String> closed = new ArrayList<>();
    final List<L2tpTransport> closedTransports = new ArrayList<>();
    final List<Sent> sent = new ArrayList<>();
    final EspEndpoint esp = new EspEndpoint(new EspEndpoint.UpperLayer() {
        @Override
        public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
            received.add(new Received(peer, ByteBufUtil.hexDump(datagram), transport));
            datagram.release();
        }

        @Override
        public void closeTunnels(L2tpTransport transport, String cause) {
            closedTransports.add(transport);
            closed.add(cause);
        }
    }, (local, peer, packet) -> sent.add(new Sent(local, peer, packet)), scheduler, registry, 128);

    @AfterEach
    void releaseSent() {
        for (Sent s : sent) if (s.packet.refCnt() > 0) s.packet.release();
    }

    double dropped(String reason) {
        return registry.get("l2sec.esp.packets.dropped").tag("reason", reason).counter().count();
    }

    /** A Counter's or FunctionCounter's count (packets and bytes are {@code LoopCounter}s). */
    double count(String name, String... tags) {
        return switch (registry.get(name).tags(tags).meter()) {
            case io.micrometer.core.instrument.Counter c -> c.count();
            case io.micrometer.core.instrument.FunctionCounter f -> f.count();
            case io.micrometer.core.instrument.Meter m -> throw new AssertionError(name + " is not a counter: " + m);
        };
    }

    EspPeer install(EspPeer p) {
        esp.install(p.spec);
        return p;
    }

    void deliver(EspPeer p, ByteBuf packet) {
        esp.receive(p.address, EspPeer.LOCAL, packet);
    }

    @Test
    void l2tpTravelsBothWaysThroughTheSa() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000, EspCipher.AES_GCM_16, 256, EspIntegrity.NONE,
                Duration.ofHours(1), 0));
        assertThat(p.spec.inboundKeymat()).as("KEYMAT wiped after install").containsOnly(0);
        assertThat(registry.get("l2sec.esp.sas.active").gauge().value()).isEqualTo(1);
        deliver(p, p.esp(L2TP));
        assertThat(received).hasSize(1);
        Received r = received.getFirst();
        assertThat(r.peer).isEqualTo(NAT);
        assertThat(r.hex).isEqualTo(HexFormat.of().formatHex(L2TP));
        r.transport.send(r.peer, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().local).isEqualTo(EspPeer.LOCAL);
        assertThat(sent.getFirst().peer).isEqualTo(NAT);
        assertThat(p.openHex(sent.getFirst().packet)).isEqualTo("010203");
        assertThat(count("l2sec.esp.packets", "direction", "in")).isEqualTo(1);
        assertThat(count("l2sec.esp.packets", "direction", "out")).isEqualTo(1);
        assertThat(count("l2sec.esp.bytes", "direction", "in")).isEqualTo(8 + L2TP.length);
        assertThat(count("l2sec.esp.bytes", "direction", "out")).isEqualTo(8 + 3);
        assertThat(esp.inboundSince(0x1000, 0)).isTrue();
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(esp.inboundSince(0x1000, scheduler.nanoTime())).isFalse();
        assertThat(esp.inboundSince(0x9999, 0)).isFalse();
    }

    @Test
    void unknownSpiAndShortPacketsAreDropped() {
        install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        EspPeer stranger = new EspPeer("ike=2", NAT, 0x1001, 0x2001);
        ByteBuf p = stranger.esp(L2TP);
        deliver(stranger, p);
        ByteBuf tiny = Unpooled.wrappedBuffer(new byte[] {0, 0, 0x10, 0});
        deliver(stranger, tiny);
        assertThat(p.refCnt()).isZero();
        assertThat(tiny.refCnt()).isZero();
        assertThat(dropped("unknown_spi")).isEqualTo(1);
        assertThat(dropped("malformed")).isEqualTo(1);
        assertThat(received).isEmpty();
    }

    @Test
    void packetsFromAnotherAddressAreDropped() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        ByteBuf packet = p.esp(L2TP);
        esp.receive(OTHER, EspPeer.LOCAL, packet);
        assertThat(packet.refCnt()).isZero();
        assertThat(dropped("wrong_peer")).isEqualTo(1);
        assertThat(received).isEmpty();
    }

    @Test
    void authenticatedPacketFromANewPortMovesThePeer() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        ByteBuf forged = p.esp(L2TP);
        forged.setByte(forged.writerIndex() - 1, forged.getByte(forged.writerIndex() - 1) ^ 1);
        esp.receive(NAT_2, EspPeer.LOCAL, forged);
        assertThat(dropped("integrity")).isEqualTo(1);
        deliver(p, p.esp(L2TP));
        received.getLast().transport.send(NAT, Unpooled.wrappedBuffer(new byte[] {1}));
        assertThat(sent.getLast().peer).as("a forged packet does not move the peer").isEqualTo(NAT);

        esp.receive(NAT_2, EspPeer.LOCAL, p.esp(L2TP));
        Received r = received.getLast();
        assertThat(r.peer).as("L2TP keeps the original address").isEqualTo(NAT);
        r.transport.send(r.peer, Unpooled.wrappedBuffer(new byte[] {2}));
        assertThat(sent.getLast().peer).isEqualTo(NAT_2);
        assertThat(received.get(0).transport).isSameAs(r.transport);
    }

    @Test
    void innerUdpMustBeL2tp() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        deliver(p, p.esp(Unpooled.wrappedBuffer(L2TP), 53));
        assertThat(dropped("not_l2tp")).isEqualTo(1);
        ByteBuf badLength = Unpooled.buffer().writeShort(1701).writeShort(1701).writeShort(200).writeShort(0).writeBytes(L2TP);
        deliver(p, p.out.seal(badLength, SecurityAssociation.NEXT_HEADER_UDP));
        ByteBuf tooShort = Unpooled.buffer().writeShort(1701).writeShort(1701).writeShort(4).writeShort(0);
        deliver(p, p.out.seal(tooShort, SecurityAssociation.NEXT_HEADER_UDP));
        deliver(p, p.out.seal(Unpooled.buffer().writeInt(1), SecurityAssociation.NEXT_HEADER_UDP));
        assertThat(dropped("malformed")).isEqualTo(3);
        deliver(p, p.out.seal(Unpooled.wrappedBuffer(new byte[8]), 6));
        assertThat(dropped("not_udp")).isEqualTo(1);
        assertThat(received).isEmpty();
    }

    @Test
    void shorterUdpLengthTrimsTheDatagram() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        ByteBuf segment = Unpooled.buffer().writeShort(1701).writeShort(1701).writeShort(10).writeShort(0)
                .writeBytes(new byte[] {7, 8, 9, 9});
        deliver(p, p.out.seal(segment, SecurityAssociation.NEXT_HEADER_UDP));
        assertThat(received.getFirst().hex).isEqualTo("0708");
    }

    @Test
    void replaysAndTamperingAreDroppedWithoutLeaks() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000, EspCipher.AES_CBC, 128,
                EspIntegrity.HMAC_SHA2_256_128, Duration.ofHours(1), 0));
        ByteBuf packet = p.esp(L2TP);
        ByteBuf copy = packet.copy();
        ByteBuf tampered = packet.copy();
        tampered.setByte(30, tampered.getByte(30) ^ 0x40);
        deliver(p, packet);
        deliver(p, copy);
        deliver(p, tampered);
        assertThat(dropped("replay")).isEqualTo(2); // the tampered copy has the same sequence number
        ByteBuf next = p.esp(L2TP);
        next.setByte(next.readerIndex() + 30, next.getByte(next.readerIndex() + 30) ^ 0x40);
        deliver(p, next);
        assertThat(dropped("integrity")).isEqualTo(1);
        assertThat(received).hasSize(1);
    }

    @Test
    void twoClientsBehindOneNatAreIndependent() {
        EspPeer a = install(new EspPeer("ike=a", NAT, 0x1000, 0x2000));
        EspPeer b = install(new EspPeer("ike=b", NAT_2, 0x1001, 0x2001));
        deliver(a, a.esp(L2TP));
        deliver(b, b.esp(L2TP));
        assertThat(received.get(0).transport).isNotSameAs(received.get(1).transport);
        assertThat(received.get(1).peer).isEqualTo(NAT_2);
        ByteBuf cross = a.esp(L2TP);
        esp.receive(NAT_2, EspPeer.LOCAL, cross); // a's SA from b's port: same IP, so it is taken as a's rebinding
        esp.removeAll("ike=a", "dpd dead");
        assertThat(closedTransports).containsExactly(received.get(0).transport);
        assertThat(closed).containsExactly("ipsec sa deleted: dpd dead");
        received.get(1).transport.send(NAT_2, Unpooled.wrappedBuffer(new byte[] {5}));
        assertThat(b.openHex(sent.getLast().packet)).isEqualTo("05");
    }

    @Test
    void rekeyKeepsTheTransportAndSendsWithTheNewestSa() {
        EspPeer old = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        EspPeer fresh = install(new EspPeer("ike=1", NAT, 0x1001, 0x2001));
        deliver(old, old.esp(L2TP));
        deliver(fresh, fresh.esp(L2TP));
        assertThat(received.get(0).transport).isSameAs(received.get(1).transport);
        received.getFirst().transport.send(NAT, Unpooled.wrappedBuffer(new byte[] {1}));
        ByteBuf last = sent.getLast().packet;
        assertThat(last.getInt(last.readerIndex())).isEqualTo(0x2001);
        esp.remove(0x1000, "rekeyed");
        assertThat(closed).isEmpty();
        assertThat(esp.activePairs()).isEqualTo(1);
        ByteBuf late = old.esp(L2TP);
        deliver(old, late);
        assertThat(dropped("unknown_spi")).isEqualTo(1);
        esp.remove(0x1001, "delete");
        assertThat(closed).hasSize(1);
        received.getFirst().transport.send(NAT, Unpooled.wrappedBuffer(new byte[] {1}));
        assertThat(dropped("no_sa")).isEqualTo(1);
        assertThat(registry.get("l2sec.esp.sas.active").gauge().value()).isZero();
        esp.remove(0x1001, "again"); // harmless
    }

    @Test
    void removeAllTakesOnlyThatIkeSasPairs() {
        install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        install(new EspPeer("ike=1", NAT, 0x1001, 0x2001));
        install(new EspPeer("ike=2", OTHER, 0x1002, 0x2002));
        esp.removeAll("ike=1", "initial contact");
        assertThat(esp.activePairs()).isEqualTo(1);
        assertThat(closed).hasSize(1);
    }

    @Test
    void sequenceExhaustionRefusesToSendAndAsksForRekey() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        deliver(p, p.esp(L2TP));
        L2tpTransport t = received.getFirst().transport;
        esp.outbound(0x1000).skipTo(0xffff_ffffL);
        ByteBuf datagram = Unpooled.wrappedBuffer(new byte[] {1});
        t.send(NAT, datagram);
        t.send(NAT, Unpooled.wrappedBuffer(new byte[] {1}));
        assertThat(datagram.refCnt()).isZero();
        assertThat(sent).isEmpty();
        assertThat(dropped("seq_exhausted")).isEqualTo(2);
        assertThat(count("l2sec.esp.rekeys.needed")).isEqualTo(1);
    }

    @Test
    void softLifetimeAsksForRekeyAndHardLifetimeRemoves() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000, EspCipher.AES_CBC, 128,
                EspIntegrity.HMAC_SHA1_96, Duration.ofMinutes(10), 0));
        scheduler.advance(Duration.ofMinutes(8));
        assertThat(count("l2sec.esp.rekeys.needed")).isZero();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(count("l2sec.esp.rekeys.needed")).isEqualTo(1);
        assertThat(esp.activePairs()).isEqualTo(1);
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(esp.activePairs()).isZero();
        assertThat(closed).containsExactly("ipsec sa deleted: hard lifetime expired");
        deliver(p, p.esp(L2TP));
        assertThat(dropped("unknown_spi")).isEqualTo(1);
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void removeCancelsLifetimeTimers() {
        install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        assertThat(scheduler.activeTimers()).isEqualTo(2);
        esp.remove(0x1000, "delete");
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void byteLifetimeExpiresTheSa() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000, EspCipher.AES_GCM_16, 128, EspIntegrity.NONE,
                Duration.ofHours(1), 50));
        deliver(p, p.esp(new byte[40])); // 48 octets with the UDP header: past the soft limit (45)
        assertThat(count("l2sec.esp.rekeys.needed")).isEqualTo(1);
        deliver(p, p.esp(new byte[40]));
        deliver(p, p.esp(new byte[40]));
        assertThat(dropped("lifetime")).isEqualTo(1);
        scheduler.runPending();
        assertThat(esp.activePairs()).isZero();
        assertThat(received).hasSize(2);
    }

    @Test
    void saEventsReachTheListener() {
        List<String> events = new ArrayList<>();
        esp.saEvents(new EspEndpoint.SaEvents() {
            @Override
            public void rekeyNeeded(String ikeSaTag, int inboundSpi, String why) {
                events.add("rekey " + ikeSaTag + " " + Integer.toHexString(inboundSpi) + " " + why);
            }

            @Override
            public void expired(String ikeSaTag, int inboundSpi) {
                events.add("expired " + ikeSaTag + " " + Integer.toHexString(inboundSpi));
            }
        });
        install(new EspPeer("ike=1", NAT, 0x1000, 0x2000, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1_96,
                Duration.ofMinutes(10), 0));
        scheduler.advance(Duration.ofMinutes(10));
        assertThat(events).containsExactly("rekey ike=1 1000 soft lifetime", "expired ike=1 1000");
    }

    @Test
    void rekeyFromANewNatPortOfTheSameIkeSaKeepsThePeer() {
        EspPeer old = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000));
        deliver(old, old.esp(L2TP));
        EspPeer moved = install(new EspPeer("ike=1", NAT_2, 0x1001, 0x2001));
        deliver(moved, moved.esp(L2TP));
        assertThat(received.get(1).transport).isSameAs(received.get(0).transport);
        esp.remove(0x1000, "rekeyed");
        assertThat(closed).isEmpty();
        received.getFirst().transport.send(NAT, Unpooled.wrappedBuffer(new byte[] {1}));
        assertThat(sent.getLast().peer).isEqualTo(NAT_2);
        assertThat(moved.openHex(sent.getLast().packet)).isEqualTo("01");
    }

    @Test
    void replayWindowSizeIsValidatedUpFront() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EspEndpoint(new EspEndpoint.UpperLayer() {
            @Override
            public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
            }

            @Override
            public void closeTunnels(L2tpTransport transport, String cause) {
            }
        }, (l, p, b) -> b.release(), scheduler, new SimpleMeterRegistry(), 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badPaddingIsDroppedAndCounted() {
        EspPeer p = install(new EspPeer("ike=1", NAT, 0x1000, 0x2000, EspCipher.AES_GCM_16, 128, EspIntegrity.NONE,
                Duration.ofHours(1), 0));
        // the peer's own stack, with the right key, writes Padding 01 03 instead of 01 02 (RFC 4303 section 2.4)
        byte[] keymat = new byte[100];
        new java.util.Random(0x1000).nextBytes(keymat);
        GcmTransform raw = new GcmTransform(java.util.Arrays.copyOf(keymat, 16), java.util.Arrays.copyOfRange(keymat, 16, 20));
        byte[] text = HexFormat.of().parseHex("06a506a5000c0000" + "aaaaaaaa" + "0103" + "02" + "11");
        ByteBuf packet = Unpooled.buffer().writeInt(0x1000).writeInt(1).writeZero(8).writeBytes(text).writeZero(16);
        raw.seal(packet, 0, text.length, 1);
        deliver(p, packet);
        assertThat(packet.refCnt()).isZero();
        assertThat(dropped("bad_padding")).isEqualTo(1);
        assertThat(received).isEmpty();
    }
}
