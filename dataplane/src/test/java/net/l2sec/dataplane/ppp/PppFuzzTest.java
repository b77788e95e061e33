package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppHarness.opt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import net.l2sec.dataplane.ppp.auth.ChapCodec;
import net.l2sec.dataplane.ppp.auth.ChapPacket;
import net.l2sec.dataplane.ppp.auth.EapCodec;
import net.l2sec.dataplane.ppp.auth.EapPacket;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppFrame;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.ipcp.IpcpOptions;
import net.l2sec.dataplane.ppp.lcp.AuthProtocolOption;
import net.l2sec.dataplane.ppp.lcp.LcpOptions;
import net.l2sec.fuzz.LogCapture;
import net.l2sec.dataplane.testing.MeterDelta;
import net.l2sec.fuzz.Fuzzer;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes PPP: {@link PppFrameCodec}, {@link ControlPacketCodec} with the LCP and IPCP option rules
 * ({@link LcpOptions}, {@link IpcpOptions}, {@link AuthProtocolOption}), the PAP, CHAP and EAP codecs, and
 * {@link PppSession}s fed whole frames in each phase (link establishment, PAP, EAP and MS-CHAPv2 authentication,
 * network, with and without IPv6). Answers to the session's own requests get the Identifier it asked with, so that they are not dropped as
 * stale before they are read.
 *
 * <p>A codec either decodes or throws {@link MalformedPacketException}; a control packet of a known code encodes
 * back to its octets up to Length; option rules answer every option list. A session releases each frame (or hands
 * an IPv4 packet on), never throws, and counts malformed frames under {@code l2sec.ppp.packets.dropped}.
 */
class PppFuzzTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] frame(int protocol, byte[] info) {
        return ByteBuffer.allocate(4 + info.length).putShort((short) 0xff03).putShort((short) protocol).put(info).array();
    }

    static byte[] lcp(ControlPacket p) {
        return frame(0xC021, ControlPacketCodec.encode(p));
    }

    static byte[] ipcp(ControlPacket p) {
        return frame(0x8021, ControlPacketCodec.encode(p));
    }

    static List<byte[]> frameSeeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(lcp(new ControlPacket.ConfigureRequest(1, List.of(opt(1, "0578"), opt(2, "00000000"), opt(5, "0a0b0c0d"),
                opt(7, ""), opt(8, ""), opt(13, "06"), opt(17, "064e"), opt(19, "0102030405")))));
        s.add(lcp(new ControlPacket.ConfigureAck(1, List.of(opt(1, "0578"), opt(3, "c22381"), opt(5, "11223344")))));
        s.add(lcp(new ControlPacket.ConfigureNak(1, List.of(opt(3, "c223"), opt(3, "c22305"), opt(3, "c227"), opt(5, "01020304")))));
        s.add(lcp(new ControlPacket.ConfigureReject(1, List.of(opt(1, "0578"), opt(3, "c023"), opt(5, "11223344")))));
        s.add(lcp(new ControlPacket.TerminateRequest(2, "bye".getBytes())));
        s.add(lcp(new ControlPacket.TerminateAck(2, new byte[0])));
        s.add(lcp(new ControlPacket.EchoRequest(3, 0x0a0b0c0d, new byte[4])));
        s.add(lcp(new ControlPacket.EchoReply(3, 0x0a0b0c0d, new byte[0])));
        s.add(lcp(new ControlPacket.DiscardRequest(4, 0x0a0b0c0d, new byte[2])));
        s.add(lcp(new ControlPacket.ProtocolReject(5, 0x8057, HEX.parseHex("0101000a"))));
        s.add(lcp(new ControlPacket.CodeReject(6, HEX.parseHex("0e010004"))));
        s.add(frame(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "clientPass".getBytes()))));
        s.add(frame(0xC223, ChapCodec.encode(new ChapPacket.Response(1, new byte[49], "User".getBytes()))));
        s.add(frame(0xC223, ChapCodec.encode(new ChapPacket.Response(1, new byte[16], "User".getBytes()))));
        s.add(frame(0xC227, EapCodec.encode(new EapPacket.Response(1, 1, "User".getBytes()))));
        s.add(frame(0xC227, EapCodec.encode(new EapPacket.Response(2, 26, HEX.parseHex("0202003c31" + "00".repeat(49) + "55736572")))));
        s.add(frame(0xC227, EapCodec.encode(new EapPacket.Response(2, 4, HEX.parseHex("10" + "00".repeat(16))))));
        s.add(frame(0xC227, EapCodec.encode(new EapPacket.Response(2, 3, new byte[] {26}))));
        s.add(ipcp(new ControlPacket.ConfigureRequest(1, List.of(opt(3, "00000000"), opt(129, "00000000"), opt(131, "00000000"),
                opt(130, "00000000"), opt(132, "00000000"), opt(2, "002d0f01")))));
        s.add(ipcp(new ControlPacket.ConfigureAck(1, List.of(opt(3, "0a630001")))));
        s.add(ipcp(new ControlPacket.ConfigureNak(1, List.of(opt(3, "0a630001")))));
        s.add(ipcp(new ControlPacket.ConfigureReject(1, List.of(opt(3, "0a630001")))));
        s.add(ipcp(new ControlPacket.TerminateRequest(2, new byte[0])));
        s.add(frame(0x0021, HEX.parseHex("4500001c000100004011000a0a63000a0a63000104d2162e0008abcd")));
        s.add(frame(0x8057, HEX.parseHex("0101000e010a1122334455667788")));
        s.add(frame(0x8057, ControlPacketCodec.encode(new ControlPacket.ConfigureRequest(1, List.of(opt(1, "0000000000000000"), opt(2, "004f"))))));
        s.add(frame(0x8057, ControlPacketCodec.encode(new ControlPacket.ConfigureAck(1, List.of(opt(1, "0a0b0c0d0e0f0102"))))));
        s.add(frame(0x8057, ControlPacketCodec.encode(new ControlPacket.ConfigureNak(1, List.of(opt(1, "0a0b0c0d0e0f0102"))))));
        s.add(frame(0x8057, ControlPacketCodec.encode(new ControlPacket.ConfigureReject(1, List.of(opt(1, "0a0b0c0d0e0f0102"))))));
        s.add(frame(0x0057, NdCodecFuzz.RS));                                                     // Router Solicitation
        s.add(frame(0x0057, HEX.parseHex("6000000000081140" + "20010db800990000" + "0000000000000005"
                + "20010db8ffff0000" + "0000000000000001" + "04d2162e0008abcd")));                     // UDP from the /64
        s.add(HEX.parseHex("c021090100080a0b0c0d")); // no address and control, full protocol
        s.add(HEX.parseHex("2145"));                 // compressed protocol
        return s;
    }

    // --- codecs ----------------------------------------------------------------------------------------------

    static ByteBuf buffer(byte[] in, boolean direct) {
        ByteBuf b = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(in.length) : Unpooled.buffer(in.length);
        return b.writeBytes(in);
    }

    @Test
    void framesDecodeOrAreMalformed() {
        long[] n = {0};
        Fuzzer.named("ppp-frame").seeds(frameSeeds()).inputs(4000).maxLength(1500).target(in -> {
            ByteBuf b = buffer(in, n[0]++ % 2 == 0);
            try {
                PppFrame f = PppFrameCodec.decode(b);
                if (f.information() != b) throw new AssertionError("information is not the received buffer");
                return "decoded:" + net.l2sec.dataplane.ppp.frame.PppProtocol.of(f.protocol()).map(Enum::name).orElse("other");
            } catch (MalformedPacketException e) {
                if (b.readerIndex() != 0) throw new AssertionError("a rejected frame was consumed");
                return "rejected:" + e.getMessage();
            } finally {
                b.release();
            }
        }).run().assertNoFindings().assertReached("decoded:LCP").assertReached("rejected:").assertOutcomesAtLeast(4);
    }

    /** The control packet of a frame seed (the frame header dropped), with a selector octet in front. */
    static List<byte[]> controlSeeds() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : frameSeeds()) {
            if (f.length > 4 && (f[2] & 0xff) >= 0x80) out.add(concat(new byte[] {(byte) (f[2] == (byte) 0xc0 ? 1 : 0)}, Arrays.copyOfRange(f, 4, f.length)));
        }
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    final LcpOptions lcpOptions = new LcpOptions(1400, List.of(AuthMethod.MSCHAPV2, AuthMethod.CHAP_MD5, AuthMethod.PAP,
            AuthMethod.EAP_MSCHAPV2), new SplittableRandom(1), () -> { });
    final IpcpOptions ipcpOptions = new IpcpOptions(0x0a630001, 0x0a63000a, List.of(PppHarness.ip("10.0.0.53")), List.of());

    /** {@code [selector][packet]}: bit 0 of the selector says LCP (else IPCP). */
    String controlPacket(byte[] in) throws Exception {
        if (in.length < 1) return "empty";
        boolean lcp = (in[0] & 1) == 1;
        byte[] packet = Arrays.copyOfRange(in, 1, in.length);
        ControlPacket p;
        try {
            p = ControlPacketCodec.decode(Unpooled.wrappedBuffer(packet), lcp);
        } catch (MalformedPacketException e) {
            return "rejected:" + e.getMessage();
        }
        if (!(p instanceof ControlPacket.UnknownCode)) {
            int length = (packet[2] & 0xff) << 8 | packet[3] & 0xff;
            if (!Arrays.equals(ControlPacketCodec.encode(p), Arrays.copyOf(packet, length))) {
                throw new AssertionError("re-encoding changes the packet");
            }
        }
        String verdict = "";
        if (p instanceof ControlPacket.Configure c) {
            List<ConfigOption> options = c.options();
            switch (p) {
                case ControlPacket.ConfigureRequest r -> verdict = ":" + (lcp ? lcpOptions.examine(options) : ipcpOptions.examine(options)).kind();
                case ControlPacket.ConfigureNak r -> {
                    if (lcp) lcpOptions.nakReceived(options); else ipcpOptions.nakReceived(options);
                }
                case ControlPacket.ConfigureReject r -> {
                    if (lcp) lcpOptions.rejectReceived(options); else ipcpOptions.rejectReceived(options);
                }
                default -> { }
            }
            for (ConfigOption o : options) if (lcp && o.type() == 3) AuthProtocolOption.parse(o);
            if (lcpOptions.noCommonAuthMethod()) lcpOptions.restart();
            lcpOptions.ourRequest();
            ipcpOptions.ourRequest();
        }
        return "decoded:" + (lcp ? "lcp:" : "ipcp:") + p.getClass().getSimpleName() + verdict;
    }

    /** The seeds whose selector octet is {@code selector}, and a target that keeps it there: one decoder per run. */
    static List<byte[]> withSelector(List<byte[]> seeds, int selector) {
        return seeds.stream().filter(s -> s[0] == selector).toList();
    }

    static Fuzzer.Target selecting(int selector, Fuzzer.Target target) {
        return in -> {
            if (in.length < 1) return "empty";
            in[0] = (byte) selector;
            return target.run(in);
        };
    }

    @Test
    void lcpPacketsDecodeAndEveryOptionListIsAnswered() {
        Fuzzer.named("lcp").seeds(withSelector(controlSeeds(), 1)).inputs(3000).maxLength(600).target(selecting(1, this::controlPacket))
                .run().assertNoFindings().assertReached(":REJECT").assertReached(":ACK").assertReached("lcp:EchoRequest")
                .assertOutcomesAtLeast(10);
    }

    @Test
    void ipcpPacketsDecodeAndEveryOptionListIsAnswered() {
        Fuzzer.named("ipcp").seeds(withSelector(controlSeeds(), 0)).inputs(3000).maxLength(600).target(selecting(0, this::controlPacket))
                .run().assertNoFindings().assertReached(":REJECT").assertReached(":NAK").assertReached("ipcp:ConfigureAck")
                .assertOutcomesAtLeast(6);
    }

    /** {@code [selector][packet]}: the selector picks PAP, CHAP or EAP. */
    static String authPacket(byte[] in) throws Exception {
        if (in.length < 1) return "empty";
        ByteBuf b = Unpooled.wrappedBuffer(in, 1, in.length - 1);
        try {
            Object p = switch ((in[0] & 0xff) % 3) {
                case 0 -> PapCodec.decode(b);
                case 1 -> ChapCodec.decode(b);
                default -> EapCodec.decode(b);
            };
            return "decoded:" + p.getClass().getSimpleName();
        } catch (MalformedPacketException e) {
            return "rejected:" + e.getMessage().replaceAll("[0-9]+", "N");
        }
    }

    @Test
    void authenticationPacketsDecodeOrAreMalformed() {
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] f : frameSeeds()) {
            if (f.length < 4) continue;
            int protocol = (f[2] & 0xff) << 8 | f[3] & 0xff;
            int selector = protocol == 0xC023 ? 0 : protocol == 0xC223 ? 1 : protocol == 0xC227 ? 2 : -1;
            if (selector >= 0) seeds.add(concat(new byte[] {(byte) selector}, Arrays.copyOfRange(f, 4, f.length)));
        }
        seeds.add(concat(new byte[] {0}, PapCodec.encode(new PapPacket.AuthenticateNak(1, "no"))));
        seeds.add(concat(new byte[] {1}, ChapCodec.encode(new ChapPacket.Success(1, "S=0123 M=ok"))));
        seeds.add(concat(new byte[] {2}, EapCodec.encode(new EapPacket.Success(1))));
        Fuzzer.named("pap").seeds(withSelector(seeds, 0)).inputs(2000).maxLength(600).target(selecting(0, PppFuzzTest::authPacket))
                .run().assertNoFindings().assertReached("AuthenticateRequest").assertReached("rejected:").assertOutcomesAtLeast(3);
        Fuzzer.named("chap").seeds(withSelector(seeds, 1)).inputs(2000).maxLength(600).target(selecting(1, PppFuzzTest::authPacket))
                .run().assertNoFindings().assertReached("Response").assertReached("rejected:").assertOutcomesAtLeast(3);
        Fuzzer.named("eap").seeds(withSelector(seeds, 2)).inputs(2000).maxLength(600).target(selecting(2, PppFuzzTest::authPacket))
                .run().assertNoFindings().assertReached("Response").assertReached("rejected:").assertOutcomesAtLeast(3);
    }

    // --- sessions --------------------------------------------------------------------------------------------

    /** A session in one phase, rebuilt when it has left that phase (so each input meets the phase it is for). */
    static final class Phase {
        final int kind;
        PppHarness h;
        MeterDelta delta;
        int used;
        /** The Identifier of the last request the session sent, per protocol: what a peer's answer must carry. */
        final java.util.Map<Integer, Integer> requestIds = new java.util.HashMap<>();

        /** Notes the Identifiers of the requests the session sent, then releases what it sent. */
        void release() {
            for (ByteBuf f : h.link.sent) {
                int at = f.readerIndex();
                if (f.readableBytes() >= 6 && f.getUnsignedByte(at + 4) == 1) requestIds.put(f.getUnsignedShort(at + 2), (int) f.getUnsignedByte(at + 5));
            }
            h.releaseAll();
        }

        Phase(int kind) {
            this.kind = kind;
        }

        PppHarness harness() throws Exception {
            PppSession.Phase intended = switch (kind) {
                case 0 -> PppSession.Phase.ESTABLISH;
                case 1, 2, 4 -> PppSession.Phase.AUTHENTICATE;
                case 5 -> PppSession.Phase.NETWORK;
                default -> PppSession.Phase.NETWORK;
            };
            if (h == null || h.session.phase() != intended || ++used > 200) {
                if (h != null) h.releaseAll();
                used = 0;
                h = new PppHarness();
                h.backend = r -> PppHarness.accept("User");
                switch (kind) {
                    case 0 -> h.start(PppHarness.settings(AuthMethod.MSCHAPV2, AuthMethod.CHAP_MD5, AuthMethod.PAP));
                    case 1 -> {
                        h.start(PppHarness.settings(AuthMethod.PAP));
                        h.backend = r -> null; // pending: the session stays in Authenticate
                        h.openLcp();
                    }
                    case 2 -> {
                        h.start(PppHarness.settings(AuthMethod.EAP_MSCHAPV2, AuthMethod.EAP_MD5));
                        h.openLcp();
                    }
                    case 4 -> {
                        // an MS-CHAPv2 accept carries the authenticator response of the Success message
                        h.backend = r -> new net.l2sec.spi.auth.AuthResult.Accept("User", java.util.Optional.of(new byte[20]),
                                net.l2sec.spi.auth.Authorization.defaults("r1"));
                        h.start(PppHarness.settings(AuthMethod.MSCHAPV2, AuthMethod.CHAP_MD5));
                        h.openLcp();
                    }
                    case 3 -> {
                        h.start(PppHarness.settings(AuthMethod.PAP));
                        h.openLcp();
                        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "pw".getBytes())));
                        h.openIpcp();
                    }
                    case 5 -> {
                        // the Network phase with IPv6: IPV6CP negotiating beside an opened IPCP
                        h.start(PppHarness.settings(AuthMethod.PAP).withIpv6(new PppSettings.Ipv6(java.util.Optional.of("default6"),
                                List.of(), java.time.Duration.ofSeconds(600))));
                        h.openLcp();
                        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "pw".getBytes())));
                        h.openIpcp();
                    }
                    default -> throw new IllegalArgumentException("phase " + kind);
                }
                requestIds.clear();
                release();
                delta = new MeterDelta(h.registry, "l2sec.ppp");
            }
            return h;
        }
    }

    @Test
    void sessionsInEveryPhaseReleaseAndCountEveryFrame() {
        Phase[] phases = {new Phase(0), new Phase(1), new Phase(2), new Phase(3), new Phase(4), new Phase(5)};
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] f : frameSeeds()) {
            for (int k = 0; k < phases.length; k++) seeds.add(concat(new byte[] {(byte) k}, f));
        }
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ppp-session").seeds(seeds).inputs(3000).maxLength(1500).target(in -> {
                if (in.length < 1) return "empty";
                Phase phase = phases[(in[0] & 0xff) % phases.length];
                PppHarness h = phase.harness();
                byte[] octets = Arrays.copyOfRange(in, 1, in.length);
                Integer id = octets.length >= 6 ? phase.requestIds.get((octets[2] & 0xff) << 8 | octets[3] & 0xff) : null;
                if ((in[0] & 0x40) == 0 && id != null) octets[5] = (byte) (int) id; // an answer to what the session asked
                ByteBuf frame = buffer(octets, in[0] < 0);
                h.session.receive(frame);
                h.scheduler.runPending();
                boolean handedOn = h.egress.stream().anyMatch(e -> e == frame);
                if (frame.refCnt() != (handedOn ? 1 : 0)) throw new AssertionError("frame not released");
                phase.release();
                Throwable t = log.take();
                if (t != null) throw t;
                return phase.kind + ":" + h.session.phase() + ":" + phase.delta.next();
            }).run().assertNoFindings().assertReached("malformed_lcp").assertReached("3:NETWORK")
                    .assertReached("1:AUTHENTICATE").assertReached("4:AUTHENTICATE").assertReached("5:NETWORK")
                    .assertOutcomesAtLeast(12);
        }
        for (Phase p : phases) p.release();
    }
}
