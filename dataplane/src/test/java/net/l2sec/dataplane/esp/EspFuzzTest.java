package net.l2sec.dataplane.esp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;
import net.l2sec.dataplane.l2tp.L2tpTransport;
import net.l2sec.fuzz.LogCapture;
import net.l2sec.dataplane.testing.MeterDelta;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.dataplane.udp.EncapsulatedDatagramHandler;
import net.l2sec.fuzz.Fuzzer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes UDP/4500: the RFC 3948 demultiplexer behind its Netty handler (keepalive, non-ESP marker + IKE, ESP),
 * and {@link EspEndpoint#receive} / {@link SecurityAssociation#open} with installed SAs: garbage, near-valid
 * packets (an installed SPI and a fresh sequence number in front of corrupted octets), and plaintexts that the
 * test seals with the SA's real key, so the trailer checks and the inner UDP header see the mutations too.
 *
 * <p>Nothing may reach the end of the Netty pipeline ({@link EmbeddedChannel#checkException()}), every datagram
 * is released, every packet that is not delivered is counted under a drop reason, and what is delivered to L2TP
 * is released by it.
 */
class EspFuzzTest {
    static final InetSocketAddress PEER_CBC = new InetSocketAddress("198.51.100.7", 4500);
    static final InetSocketAddress PEER_GCM = new InetSocketAddress("198.51.100.8", 4500);
    static final byte[] L2TP = HexFormat.of().parseHex("c802000c000100000000000000");
    static final byte[] L2TP_DATA = HexFormat.of().parseHex("4002001a1234abcdff03c021010100120104057805061122334407020802");

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<ByteBuf> sent = new ArrayList<>();
    long delivered;
    final EspEndpoint esp = new EspEndpoint(new EspEndpoint.UpperLayer() {
        @Override
        public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
            delivered++;
            datagram.release();
        }

        @Override
        public void closeTunnels(L2tpTransport transport, String cause) {
        }
    }, (local, peer, packet) -> packet.release(), scheduler, registry, 128);
    final EspPeer cbc = install(new EspPeer("ike=1", PEER_CBC, 0x1000, 0x2000));
    final EspPeer gcm = install(new EspPeer("ike=2", PEER_GCM, 0x1001, 0x2001, EspCipher.AES_GCM_16, 256,
            EspIntegrity.NONE, Duration.ofHours(1), 0));
    final MeterDelta delta = new MeterDelta(registry, "l2sec.");
    long sequence = 1000;

    EspPeer install(EspPeer p) {
        esp.install(p.spec);
        return p;
    }

    @AfterEach
    void release() {
        sent.forEach(ByteBuf::release);
    }

    static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    List<byte[]> packetSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (EspPeer p : List.of(cbc, gcm)) {
            seeds.add(bytes(p.esp(L2TP)));
            seeds.add(bytes(p.esp(L2TP_DATA)));
            seeds.add(bytes(p.esp(new byte[0])));
        }
        return seeds;
    }

    /** An installed SPI and a sequence number the window has not seen: the packet reaches the ICV check. */
    byte[] nearValid(byte[] in, java.util.SplittableRandom r) {
        if (in.length < 8) return in;
        byte[] b = in.clone();
        int spi = r.nextBoolean() ? 0x1000 : 0x1001;
        long seq = ++sequence;
        for (int k = 0; k < 4; k++) {
            b[k] = (byte) (spi >>> (24 - 8 * k));
            b[4 + k] = (byte) (seq >>> (24 - 8 * k));
        }
        return b;
    }

    String receive(byte[] in, boolean direct) {
        ByteBuf buf = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(in.length) : Unpooled.buffer(in.length);
        buf.writeBytes(in);
        int spi = in.length >= 4 ? buf.getInt(0) : 0;
        esp.receive(spi == 0x1001 ? PEER_GCM : PEER_CBC, EspPeer.LOCAL, buf);
        scheduler.runPending();
        if (buf.refCnt() != 0) throw new AssertionError("packet not released");
        return delta.next();
    }

    @Test
    void nearValidAndGarbagePacketsAreDroppedWithAReason() {
        long[] n = {0};
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("esp-inbound").seeds(packetSeeds()).inputs(4000).maxLength(1500).fixup(this::nearValid)
                    .target(in -> receive(in, n[0]++ % 2 == 0)).run()
                    .assertNoFindings().assertReached("integrity").assertReached("esp.packets{in}").assertOutcomesAtLeast(5);
        }
    }

    // --- plaintexts sealed with the real key -----------------------------------------------------------------

    /** The peer's outbound AES-GCM key and salt: EspPeer draws the KEYMAT from Random(inbound SPI). */
    final byte[] gcmKeymat = keymat(0x1001);

    static byte[] keymat(int spi) {
        byte[] k = new byte[100];
        new Random(spi).nextBytes(k);
        return k;
    }

    /** {@code plaintext} (payload, padding, pad length, next header) sealed as RFC 4106 says, aligned to 4 first. */
    byte[] seal(byte[] plaintext) throws Exception {
        byte[] p = plaintext;
        if (p.length < 2) p = Arrays.copyOf(p, 2);
        if (p.length % 4 != 0) { // keep the trailer last: zeros go in before it
            byte[] q = new byte[p.length + 4 - p.length % 4];
            System.arraycopy(p, 0, q, 0, p.length - 2);
            q[q.length - 2] = p[p.length - 2];
            q[q.length - 1] = p[p.length - 1];
            p = q;
        }
        long seq = ++sequence;
        byte[] packet = new byte[8 + 8 + p.length + 16];
        java.nio.ByteBuffer.wrap(packet).putInt(0x1001).putInt((int) seq).putLong(seq);
        byte[] nonce = new byte[12];
        System.arraycopy(gcmKeymat, 32, nonce, 0, 4);
        System.arraycopy(packet, 8, nonce, 4, 8);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(gcmKeymat, 0, 32, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(packet, 0, 8);
        c.doFinal(p, 0, p.length, packet, 16);
        return packet;
    }

    static byte[] plaintext(int destinationPort, byte[] l2tp, int padding, int nextHeader) {
        byte[] p = new byte[8 + l2tp.length + padding + 2];
        java.nio.ByteBuffer.wrap(p).putShort((short) 1701).putShort((short) destinationPort).putShort((short) (8 + l2tp.length));
        System.arraycopy(l2tp, 0, p, 8, l2tp.length);
        for (int i = 1; i <= padding; i++) p[8 + l2tp.length + i - 1] = (byte) i;
        p[p.length - 2] = (byte) padding;
        p[p.length - 1] = (byte) nextHeader;
        return p;
    }

    @Test
    void authenticatedPlaintextsAreDeliveredOrDroppedWithAReason() {
        List<byte[]> seeds = List.of(plaintext(1701, L2TP, 3, 17), plaintext(1701, L2TP_DATA, 2, 17),
                plaintext(53, L2TP, 3, 17), plaintext(1701, new byte[0], 2, 17), plaintext(1701, L2TP, 7, 6));
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("esp-authenticated").seeds(seeds).inputs(3000).maxLength(1400)
                    .target(in -> receive(seal(in), sequence % 2 == 0)).run()
                    .assertNoFindings().assertReached("bad_padding").assertReached("not_udp")
                    .assertReached("esp.packets{in}").assertOutcomesAtLeast(5);
        }
    }

    // --- the UDP/4500 socket's pipeline ----------------------------------------------------------------------

    @Test
    void theDemultiplexerBehindItsHandlerLetsNothingReachThePipelineEnd() {
        IkeResponder ike = new IkeResponder(IkeSettings.defaults().withPsk("secret".getBytes()), esp,
                (local, peer, payload) -> payload.release(), scheduler, registry);
        UdpEncapsulationDemux demux = new UdpEncapsulationDemux(ike, esp, registry);
        EmbeddedChannel channel = new EmbeddedChannel(new EncapsulatedDatagramHandler(demux, EspPeer.LOCAL));
        byte[] mm1 = IsakmpCodec.encode(new IsakmpHeader(0x0102030405060708L, 0, 0, 0x10, ExchangeType.IDENTITY_PROTECTION, 0, 0, 0),
                List.of(new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 1, new byte[0], List.of(new Payload.Transform(1, 1,
                        List.of(Attribute.of(1, 7), Attribute.of(14, 128), Attribute.of(2, 2), Attribute.of(3, 1),
                                Attribute.of(4, 19), Attribute.of(11, 1), Attribute.of(12, 28800))))))),
                        new Payload.VendorId(new byte[16])));
        byte[] marked = new byte[4 + mm1.length];
        System.arraycopy(mm1, 0, marked, 4, mm1.length);
        List<byte[]> seeds = new ArrayList<>(packetSeeds());
        seeds.add(new byte[] {(byte) 0xff});
        seeds.add(marked);
        seeds.add(new byte[] {0, 0, 0, 0});
        long[] n = {0};
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("udp4500-demux").seeds(seeds).inputs(3000).maxLength(1500).target(in -> {
                ByteBuf content = n[0]++ % 2 == 0 ? Unpooled.buffer(in.length) : PooledByteBufAllocator.DEFAULT.directBuffer(in.length);
                content.writeBytes(in);
                InetSocketAddress from = new InetSocketAddress("198.51.100." + (7 + n[0] % 2), 4500 + (int) (n[0] >> 6 & 0xff));
                channel.writeInbound(new DatagramPacket(content, EspPeer.LOCAL, from));
                channel.checkException(); // an exception that reached the pipeline's end
                scheduler.runPending();
                if (content.refCnt() != 0) throw new AssertionError("datagram not released");
                String moved = delta.next();
                if (moved.contains("internal_error")) {
                    Throwable t = log.take();
                    throw t != null ? t : new AssertionError("internal_error counted");
                }
                return moved;
            }).run().assertNoFindings().assertReached("keepalives").assertReached("ike.").assertReached("unknown_spi")
                    .assertOutcomesAtLeast(6);
        }
        channel.finishAndReleaseAll();
        ike.close();
    }
}
