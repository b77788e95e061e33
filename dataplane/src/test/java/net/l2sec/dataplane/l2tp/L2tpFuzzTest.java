package net.l2sec.dataplane.l2tp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.l2sec.fuzz.LogCapture;
import net.l2sec.dataplane.testing.MeterDelta;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes L2TP: {@link L2tpCodec} (control and data messages, AVPs, hidden AVPs) and {@link L2tpNetworkServer#receive}
 * with a real server that holds an established tunnel and session. The seeds are every message an LAC sends, built
 * with the codec's encoder, some with hidden AVPs; their Tunnel ID, Session ID, Ns and Nr are placeholders that the
 * server run replaces with the live tunnel's (Ns with the next one the server expects), so mutants reach the
 * tunnel's state machine and the session.
 *
 * <p>The codec either decodes or throws {@link L2tpDecodeException}; a data message's payload is released; a
 * control message that decodes encodes to octets that decode to the same message. The server releases every
 * datagram, counts every drop under its reason, and never counts {@code internal_error} (its catch-all).
 */
class L2tpFuzzTest {
    static final byte[] SECRET = "tunnel-secret".getBytes(StandardCharsets.US_ASCII);
    static final int TUNNEL = 0xAAAA;
    static final int SESSION = 0xBBBB;
    static final int NS = 0xCCCC;
    static final int NR = 0xDDDD;
    static final byte[] RANDOM_VECTOR = HexFormat.of().parseHex("0123456789abcdef0123456789abcdef");
    static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.10", 1701);

    static byte[] control(MessageType type, int tunnel, int session, List<Avp> avps) {
        ByteBuf b = L2tpCodec.encode(ByteBufAllocator.DEFAULT, ControlMessage.of(type, tunnel, session, avps).withSequence(NS, NR));
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static Avp hidden(Avp a) {
        return HiddenAvp.hide(a, SECRET, RANDOM_VECTOR, new byte[3]);
    }

    static List<byte[]> seeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(control(MessageType.SCCRQ, 0, 0, List.of(Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100),
                Avp.ofString(AvpType.HOST_NAME, "xl2tpd"), Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.ofInt(AvpType.BEARER_CAPABILITIES, 3), Avp.optional(AvpType.FIRMWARE_REVISION, new byte[] {6, 0}),
                Avp.optional(AvpType.VENDOR_NAME, "xelerance.com".getBytes()), Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 4242),
                Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, 4), Avp.of(AvpType.CHALLENGE, new byte[16]))));
        s.add(control(MessageType.SCCCN, TUNNEL, 0, List.of(Avp.of(AvpType.CHALLENGE_RESPONSE, new byte[16]))));
        s.add(control(MessageType.HELLO, TUNNEL, 0, List.of()));
        s.add(control(MessageType.ICRQ, TUNNEL, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 77),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 2), Avp.ofInt(AvpType.BEARER_TYPE, 0))));
        s.add(control(MessageType.ICRQ, TUNNEL, 0, List.of(Avp.of(AvpType.RANDOM_VECTOR, RANDOM_VECTOR),
                hidden(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 78)), hidden(Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 3)),
                hidden(Avp.ofString(AvpType.CALLING_NUMBER, "10.0.2.15")))));
        s.add(control(MessageType.ICCN, TUNNEL, SESSION, List.of(Avp.ofInt(AvpType.FRAMING_TYPE, 1),
                Avp.ofInt(AvpType.TX_CONNECT_SPEED, 100_000_000), Avp.of(AvpType.SEQUENCING_REQUIRED, new byte[0]),
                Avp.optional(AvpType.LAST_SENT_LCP_CONFREQ, HexFormat.of().parseHex("0104057805061122334407020802")))));
        s.add(control(MessageType.CDN, TUNNEL, SESSION, List.of(Avp.of(AvpType.RESULT_CODE, new byte[] {0, 3, 0, 0, 'b', 'y', 'e'}),
                Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 77))));
        s.add(control(MessageType.SLI, TUNNEL, SESSION, List.of(Avp.of(AvpType.ACCM, new byte[10]))));
        s.add(control(MessageType.WEN, TUNNEL, SESSION, List.of(Avp.of(AvpType.CALL_ERRORS, new byte[26]))));
        s.add(control(MessageType.STOPCCN, TUNNEL, 0, List.of(Avp.of(AvpType.RESULT_CODE, new byte[] {0, 1}),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 4242))));
        s.add(control(MessageType.OCRQ, TUNNEL, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 79),
                new Avp(true, false, 9, 1, new byte[] {1}))));
        ByteBuf zlb = L2tpCodec.encode(ByteBufAllocator.DEFAULT, ControlMessage.zlb(TUNNEL, NS, NR));
        s.add(ByteBufUtil.getBytes(zlb));
        zlb.release();
        byte[] lcp = HexFormat.of().parseHex("ff03c021010100120104057805061122334407020802");
        s.add(data(0x4002, lcp));                                   // L
        s.add(data(0x0002, lcp));                                   // nothing optional
        s.add(data(0x4802, lcp));                                   // L, S
        s.add(data(0x4202, lcp));                                   // L, O
        s.add(data(0x0002, HexFormat.of().parseHex("ff0300214500001c000100004011000a0a63000a0a630001")));
        return s;
    }

    /** A data message with {@code flags} around {@code frame}: Length, Ns/Nr and an Offset as the flags say. */
    static byte[] data(int flags, byte[] frame) {
        ByteBuf b = Unpooled.buffer().writeShort(flags);
        if ((flags & L2tpCodec.L_BIT) != 0) b.writeShort(0);
        b.writeShort(TUNNEL).writeShort(SESSION);
        if ((flags & L2tpCodec.S_BIT) != 0) b.writeShort(NS).writeShort(NR);
        if ((flags & L2tpCodec.O_BIT) != 0) b.writeShort(2).writeShort(0);
        b.writeBytes(frame);
        if ((flags & L2tpCodec.L_BIT) != 0) b.setShort(2, b.readableBytes());
        return ByteBufUtil.getBytes(b);
    }

    /** Length field = datagram length when the L bit is set: the mutation then reaches what follows. */
    static byte[] fixLength(byte[] in, SplittableRandom r) {
        if (in.length < 4 || (in[0] & 0x40) == 0) return in;
        byte[] b = in.clone();
        b[2] = (byte) (b.length >>> 8);
        b[3] = (byte) b.length;
        return b;
    }

    /**
     * An AVP-level mutation the byte mutations rarely make: one AVP of a control message gets a value a few octets
     * shorter or longer, or its M or H bit flipped; the message is encoded again (lengths right).
     */
    static byte[] mutateAvp(byte[] in, SplittableRandom r) {
        ControlMessage c;
        try {
            if (!(L2tpCodec.decode(Unpooled.wrappedBuffer(in)) instanceof ControlMessage m) || m.isZlb()) return in;
            c = m;
        } catch (L2tpDecodeException e) {
            return in;
        }
        List<Avp> avps = new ArrayList<>(c.avps());
        int k = r.nextInt(avps.size());
        Avp a = avps.get(k);
        avps.set(k, switch (r.nextInt(3)) {
            case 0 -> new Avp(!a.mandatory(), a.hidden(), a.vendorId(), a.type(), a.value());
            case 1 -> new Avp(a.mandatory(), !a.hidden(), a.vendorId(), a.type(), a.value());
            default -> a.withValue(a.hidden(), java.util.Arrays.copyOf(a.value(), Math.max(0, a.value().length + r.nextInt(9) - 4)));
        });
        ByteBuf b = L2tpCodec.encode(ByteBufAllocator.DEFAULT, c.withAvps(avps));
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    // --- the codec ------------------------------------------------------------------------------------------

    static String decode(byte[] in, boolean direct, boolean inPlace) throws L2tpDecodeException {
        ByteBuf b = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(in.length) : Unpooled.buffer(in.length);
        b.writeBytes(in);
        L2tpMessage m;
        try {
            m = inPlace ? L2tpCodec.decodeInPlace(b) : L2tpCodec.decode(b);
        } catch (L2tpDecodeException e) {
            b.release();
            return "rejected:" + e.reason().tag();
        }
        switch (m) {
            case DataMessage d -> {
                d.payload().release();
                if (!inPlace) b.release();
                if (b.refCnt() != 0) throw new AssertionError("data message leaves the datagram referenced");
                return "decoded:data";
            }
            case ControlMessage c -> {
                b.release();
                ControlMessage clear = HiddenAvp.unhideAll(c, SECRET);
                ByteBuf again = L2tpCodec.encode(ByteBufAllocator.DEFAULT, c);
                try {
                    if (!(L2tpCodec.decode(again) instanceof ControlMessage twice) || !twice.equals(c)) {
                        throw new AssertionError("re-encoding changes the control message");
                    }
                } finally {
                    again.release();
                }
                return "decoded:" + (c.isZlb() ? "zlb" : c.type()) + (clear == null ? ":hidden-bad" : "");
            }
        }
    }

    @Test
    void everyDatagramDecodesOrIsRejectedWithADropReason() {
        long[] n = {0};
        Fuzzer.named("l2tp-codec").seeds(seeds()).inputs(6000).maxLength(1500).fixup(L2tpFuzzTest::fixLength)
                .target(in -> decode(in, n[0] % 2 == 0, n[0]++ % 3 == 0)).run()
                .assertNoFindings().assertReached("decoded:data").assertReached("decoded:ICRQ").assertReached("bad_avp")
                .assertOutcomesAtLeast(10);
    }

    // --- the server -----------------------------------------------------------------------------------------

    /** A server with a tunnel established (shared secret) and one session up, and the LAC that holds them. */
    static final class World {
        final ManualScheduler scheduler = new ManualScheduler();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final FakePpp ppp = new FakePpp();
        final L2tpNetworkServer server = new L2tpNetworkServer(new L2tpSettings("lns", 8, Duration.ofSeconds(1),
                Duration.ofSeconds(8), 5, Duration.ofSeconds(60), Optional.of(SECRET), 4, 4), ppp, scheduler, registry);
        final FakeLac lac = new FakeLac(server, PEER, 7);
        final int session;
        final MeterDelta delta;
        int used;

        World() {
            lac.sccrq();
            ControlMessage sccrp = lac.last(MessageType.SCCRP);
            lac.serverTunnelId = sccrp.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
            lac.control(MessageType.SCCCN, lac.serverTunnelId, 0, List.of(Avp.of(AvpType.CHALLENGE_RESPONSE,
                    Tunnel.challengeResponse(MessageType.SCCCN, SECRET, sccrp.find(AvpType.CHALLENGE).value()))));
            session = lac.call(33);
            delta = new MeterDelta(registry, "l2sec.l2tp");
        }

        /** The next Ns the server expects: the Nr of its latest message. */
        int expectedNs() {
            return lac.received.isEmpty() ? lac.ns : lac.received.getLast().nr();
        }

        boolean spent() {
            return ++used > 200 || server.activeTunnels() == 0;
        }
    }

    private World world;

    /** Replaces the placeholders of the seeds with the live tunnel's numbers. */
    static byte[] live(World w, byte[] in) {
        if (in.length < 6) return in;
        byte[] b = in.clone();
        int flags = (b[0] & 0xff) << 8 | b[1] & 0xff;
        int at = (flags & L2tpCodec.L_BIT) != 0 ? 4 : 2;
        replace(b, at, TUNNEL, w.lac.serverTunnelId);
        replace(b, at + 2, SESSION, w.session);
        if ((flags & L2tpCodec.S_BIT) != 0 && (flags & L2tpCodec.T_BIT) != 0) {
            replace(b, at + 4, NS, w.expectedNs());
            replace(b, at + 6, NR, w.lac.nr);
        }
        return b;
    }

    private static void replace(byte[] b, int at, int placeholder, int value) {
        if (at + 2 > b.length || ((b[at] & 0xff) << 8 | b[at + 1] & 0xff) != placeholder) return;
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    @Test
    void theServerReleasesAndCountsEveryDatagram() {
        long[] n = {0};
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("l2tp-server").seeds(seeds()).inputs(3000).maxLength(1500)
                    .fixup((in, r) -> r.nextBoolean() ? mutateAvp(in, r) : fixLength(in, r)).target(in -> {
                if (world == null || world.spent()) {
                    if (world != null) world.server.close();
                    world = new World();
                }
                World w = world;
                byte[] msg = live(w, in);
                ByteBuf b = n[0]++ % 2 == 0 ? Unpooled.buffer(msg.length) : PooledByteBufAllocator.DEFAULT.directBuffer(msg.length);
                b.writeBytes(msg);
                w.server.receive(PEER, b, w.lac);
                w.scheduler.advance(Duration.ofMillis(250)); // acknowledgements, and the timers they start
                w.ppp.opened.forEach(e -> e.frames.clear());
                if (b.refCnt() != 0) throw new AssertionError("datagram not released");
                String moved = w.delta.next();
                if (moved.contains("internal_error")) {
                    Throwable t = log.take();
                    throw t != null ? t : new AssertionError("internal_error counted");
                }
                return moved;
            }).run().assertNoFindings().assertReached("l2tp.packets.dropped").assertReached("l2tp.sessions.")
                    .assertOutcomesAtLeast(6);
        }
        world.server.close();
    }
}
