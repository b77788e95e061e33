package net.l2sec.dataplane.ike;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.fuzz.LogCapture;
import net.l2sec.dataplane.testing.MeterDelta;
import net.l2sec.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the responder's datagram edge, {@link IkeResponder#receive}, with a real responder: Main and Aggressive
 * Mode openings, a Main Mode waiting for message 3, fragments and encrypted messages of an established ISAKMP SA,
 * unauthenticated Informationals. A second run fuzzes what lies behind decryption and HASH(1): payload chains
 * that the test encrypts and authenticates with the SA's keys, so Quick Mode and the Informational tasks see them.
 *
 * <p>Every datagram must be released and counted under a drop reason of its own (or answered); the
 * {@code internal_error} drop, the responder's catch-all, is a finding, reported with the exception it logged.
 * The responder and its peers are rebuilt every {@value #WORLD_INPUTS} inputs and whenever the established SA is
 * gone, and the seeds' cookies are mapped to the current peers' so that mutants keep reaching their SA.
 */
class IkeResponderFuzzTest {
    static final int WORLD_INPUTS = 256;

    /** A responder with one established ISAKMP SA (a) and one Main Mode waiting for message 3 (b). */
    static final class World {
        final IkeHarness net = new IkeHarness(IkeSettings.defaults().withPsk("secret".getBytes()).withAggressiveMode(true));
        final TestInitiator a = new TestInitiator(net, "203.0.113.5", 50123, 50124).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP256);
        final TestInitiator b = new TestInitiator(net, "203.0.113.6", 40500, 44500).suite(IkeCipher.AES_CBC, 128, IkeHash.SHA2_256, DhGroup.ECP256);
        final MeterDelta delta;
        /** The last message the responder sent in answer to a delivered input, or null. */
        byte[] lastSent;
        int used;

        World() throws Exception {
            a.mainMode();
            b.mm2(net.exchange(b.addr500, IkeHarness.LOCAL_500, b.mm1()));
            net.sent.clear();
            delta = new MeterDelta(net.registry, "l2sec.ike");
        }

        boolean spent() {
            return ++used > WORLD_INPUTS || net.responder.activeSas() == 0;
        }
    }

    private World template;
    private World world;
    private long index;

    private World world() throws Exception {
        if (world == null || world.spent()) world = new World();
        return world;
    }

    /** Seeds of the raw run, made in the template world. */
    List<byte[]> datagramSeeds() throws Exception {
        template = new World();
        TestInitiator a = template.a;
        TestInitiator b = template.b;
        List<byte[]> seeds = new ArrayList<>();
        TestInitiator fresh = new TestInitiator(template.net, "198.51.100.1", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP256);
        seeds.add(fresh.mm1());
        seeds.add(fresh.am1());
        seeds.add(b.mm3());
        TestInitiator.Qm qm = a.new Qm(null);
        seeds.add(qm.message1(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA1_96, null))));
        seeds.add(a.informational(new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), a.cookies(), new byte[] {0, 0, 0, 1})));
        seeds.add(IsakmpCodec.encode(a.header(ExchangeType.INFORMATIONAL, 0, 0),
                List.of(new Payload.Notify(1, 1, NotifyType.INVALID_PAYLOAD_TYPE.code(), new byte[0], new byte[0]))));
        byte[] big = a.informational(new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), a.cookies(), new byte[] {0, 0, 0, 2}),
                new Payload.VendorId(new byte[64]));
        seeds.addAll(IsakmpFragmentation.fragment(big, 9, 48));
        return seeds;
    }

    /** The seed's cookies, if they are a template peer's, become the current world's peer's. */
    private byte[] remap(World w, byte[] in) {
        if (in.length < 16) return in;
        long icky = ByteBuffer.wrap(in).getLong(0);
        TestInitiator to = icky == template.a.ckyI ? w.a : icky == template.b.ckyI ? w.b : null;
        if (to == null) return in;
        byte[] out = in.clone();
        ByteBuffer.wrap(out).putLong(0, to.ckyI).putLong(8, to.ckyR);
        return out;
    }

    private String deliver(World w, LogCapture log, byte[] msg, InetSocketAddress peer, InetSocketAddress local) throws Throwable {
        ByteBuf buf = index % 2 == 0 ? Unpooled.buffer(msg.length) : PooledByteBufAllocator.DEFAULT.directBuffer(msg.length);
        buf.writeBytes(msg);
        w.net.responder.receive(peer, local, buf);
        w.net.scheduler.runPending();
        w.lastSent = w.net.sent.isEmpty() ? null : w.net.sent.getLast().message();
        w.net.sent.clear();
        if (buf.refCnt() != 0) throw new AssertionError("datagram not released, refCnt " + buf.refCnt());
        String moved = w.delta.next();
        Throwable logged = log.take();
        if (moved.contains("internal_error")) throw logged != null ? logged : new AssertionError("internal_error counted");
        return moved;
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs one of the test initiator's steps: false when it cannot go on with what the responder sent. */
    static boolean step(Step s) {
        try {
            s.run();
            return true;
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    /** Payload headers repaired, then the ISAKMP header's length set to the datagram's. */
    static byte[] fixDatagram(byte[] in, java.util.SplittableRandom r) {
        if (in.length < IsakmpHeader.LENGTH) return in;
        byte[] b = repairChain(in, IsakmpHeader.LENGTH);
        ByteBuffer.wrap(b).putInt(24, b.length);
        return b;
    }

    @Test
    void everyDatagramIsCountedUnderItsOwnDropReasonOrAnswered() throws Exception {
        List<byte[]> seeds = datagramSeeds();
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ike-responder").seeds(seeds).inputs(1500).maxLength(1500).fixup(IkeResponderFuzzTest::fixDatagram).target(in -> {
                World w = world();
                byte[] msg = remap(w, in);
                long icky = msg.length >= 8 ? ByteBuffer.wrap(msg).getLong(0) : 0;
                index++;
                InetSocketAddress peer;
                InetSocketAddress local = IkeHarness.LOCAL_4500;
                if (icky == w.a.ckyI) {
                    peer = w.a.addr4500;
                } else if (icky == w.b.ckyI) {
                    peer = w.b.addr500;
                    local = IkeHarness.LOCAL_500;
                } else {
                    // strangers from many addresses, so the per-source rate limit lets the openings through
                    peer = new InetSocketAddress("198.18." + (index >> 8 & 0xff) + "." + (index & 0xff), 500);
                    local = IkeHarness.LOCAL_500;
                }
                return deliver(w, log, msg, peer, local);
            }).run().assertNoFindings().assertOutcomesAtLeast(8);
        }
    }

    /** Payload chains behind the decryption: {@code [exchange][first payload type][payloads...]}. */
    static List<byte[]> chainSeeds(TestInitiator a) {
        TestInitiator.Qm qm = a.new Qm(DhGroup.ECP256);
        List<Payload> rest = new ArrayList<>();
        rest.add(new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 3, new byte[] {0x12, 0x34, 0x56, 0x78},
                List.of(TestInitiator.esp(1, EspCipher.AES_GCM_16, 256, EspIntegrity.NONE, DhGroup.ECP256),
                        TestInitiator.esp(2, EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256_128, null))))));
        rest.add(new Payload.Nonce(qm.qni));
        rest.add(new Payload.Ke(qm.pfs.publicValue()));
        rest.add(qm.idci);
        rest.add(qm.idcr);
        rest.add(new Payload.NatOa(false, 1, new byte[] {10, 0, 2, 15}));
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(chain(0, rest));
        seeds.add(chain(1, List.of(new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), a.cookies(), new byte[] {0, 0, 0, 7}))));
        seeds.add(chain(1, List.of(new Payload.Notify(1, 1, NotifyType.R_U_THERE_ACK.code(), a.cookies(), new byte[] {0, 0, 0, 7}))));
        seeds.add(chain(1, List.of(new Payload.Delete(1, 3, 4, List.of(new byte[] {0x12, 0x34, 0x56, 0x78})))));
        seeds.add(chain(1, List.of(new Payload.Notify(1, 3, NotifyType.INVALID_SPI.code(), new byte[] {1, 2, 3, 4}, new byte[0]))));
        return seeds;
    }

    static byte[] chain(int exchange, List<Payload> payloads) {
        byte[] body = IsakmpCodec.encodePayloads(payloads);
        byte[] out = new byte[2 + body.length];
        out[0] = (byte) exchange;
        out[1] = (byte) payloads.getFirst().type();
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    /**
     * Repairs the generic payload headers from {@code from} on: each Payload Length within what is left, the last
     * Next Payload 0. What a mutation did inside a payload body then reaches that payload's layout.
     */
    static byte[] repairChain(byte[] in, int from) {
        byte[] b = in.clone();
        int at = from;
        while (at + 4 <= b.length) {
            int length = (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
            if (length < 4 || length > b.length - at) {
                length = b.length - at;
                b[at + 2] = (byte) (length >>> 8);
                b[at + 3] = (byte) length;
            }
            if (at + length + 4 > b.length) {
                b[at] = 0;
                return Arrays.copyOf(b, at + length);
            }
            if (b[at] == 0) return Arrays.copyOf(b, at + length);
            at += length;
        }
        return Arrays.copyOf(b, Math.max(from, Math.min(at, b.length)));
    }

    /** Encrypts {@code [exchange][first][chain]} as the established peer would, with a valid HASH(1). */
    static byte[] protect(TestInitiator a, byte[] in, int mid) {
        if (in.length < 2) return new byte[0];
        ExchangeType t = (in[0] & 1) == 0 ? ExchangeType.QUICK_MODE : ExchangeType.INFORMATIONAL;
        byte[] rest = Arrays.copyOfRange(in, 2, in.length);
        byte[] hash = IsakmpCodec.encodePayloads(List.of(new Payload.Hash(a.keymat.hash1(mid, rest))));
        hash[0] = in[1];
        byte[] plain = new byte[hash.length + rest.length];
        System.arraycopy(hash, 0, plain, 0, hash.length);
        System.arraycopy(rest, 0, plain, hash.length, rest.length);
        byte[] m = IsakmpCodec.encodeMessage(new IsakmpHeader(a.ckyI, a.ckyR, PayloadType.HASH, 0x10, t,
                IsakmpHeader.ENCRYPTED, mid, 0), a.keymat.encrypt(mid, plain));
        if (t == ExchangeType.INFORMATIONAL) a.keymat.endExchange(mid);
        return m;
    }

    @Test
    void authenticatedPayloadChainsReachTheExchangesAndAreCounted() throws Exception {
        World first = new World();
        world = first;
        template = first;
        List<byte[]> seeds = chainSeeds(first.a);
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ike-responder-encrypted").seeds(seeds).inputs(1000).maxLength(1200)
                    .fixup((in, r) -> repairChain(in, 2)).target(in -> {
                World w = world();
                index++;
                int mid = (int) (Fuzzer.inputSeed(7, index) | 1);
                        String outcome = deliver(w, log, protect(w.a, in, mid), w.a.addr4500, IkeHarness.LOCAL_4500);
                byte[] message2 = w.lastSent;
                if (in.length < 2 || (in[0] & 1) != 0 || message2 == null) return outcome;
                // Quick Mode message 2 came back: finish with message 3, so the chosen proposal is installed
                byte[] qnr;
                byte[] qni;
                try {
                    qnr = w.a.unprotect(message2).first(Payload.Nonce.class).data();
                    qni = IsakmpCodec.decodePayloads(in[1] & 0xff, in, 2, in.length, true).first(Payload.Nonce.class).data();
                } catch (Exception | AssertionError e) {
                    return outcome + " | no message 3";
                }
                byte[] m3 = w.a.protect(ExchangeType.QUICK_MODE, mid, List.of(new Payload.Hash(w.a.keymat.hash3(mid, qni, qnr))));
                w.a.keymat.endExchange(mid);
                return outcome + " | " + deliver(w, log, m3, w.a.addr4500, IkeHarness.LOCAL_4500);
            }).run().assertNoFindings().assertReached("ike.phase2").assertReached("phase2{none,completed}").assertOutcomesAtLeast(5);
        }
    }

    /**
     * A transform attribute-level mutation the byte mutations rarely make: one attribute of message 1's SA gets a
     * boundary value, as TV or as a TLV of 0 to 16 octets (a lifetime of 2^63 seconds, a key length of 9 octets).
     */
    static byte[] mutateAttribute(byte[] msg, java.util.SplittableRandom r) {
        try {
            IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
            List<Payload> payloads = new ArrayList<>(IsakmpCodec.decodePayloads(h, msg).payloads());
            for (int i = 0; i < payloads.size(); i++) {
                if (!(payloads.get(i) instanceof Payload.Sa sa) || sa.proposals().isEmpty()) continue;
                Payload.Proposal p = sa.proposals().get(r.nextInt(sa.proposals().size()));
                if (p.transforms().isEmpty()) return msg;
                int ti = r.nextInt(p.transforms().size());
                Payload.Transform t = p.transforms().get(ti);
                List<Attribute> attributes = new ArrayList<>(t.attributes());
                int type = attributes.isEmpty() || r.nextInt(4) == 0 ? 1 + r.nextInt(16) : attributes.get(r.nextInt(attributes.size())).type();
                Attribute value;
                if (r.nextBoolean()) {
                    value = new Attribute(type, new byte[] {(byte) r.nextInt(256), (byte) r.nextInt(256)}, true);
                } else {
                    byte[] v = new byte[new int[] {0, 1, 2, 3, 4, 8, 9, 16}[r.nextInt(8)]];
                    r.nextBytes(v);
                    if (v.length > 0 && r.nextBoolean()) v[0] = (byte) (r.nextBoolean() ? 0x80 : 0xff);
                    value = new Attribute(type, v, false);
                }
                int at = attributes.indexOf(t.attribute(type));
                if (at >= 0) attributes.set(at, value); else attributes.add(value);
                List<Payload.Transform> transforms = new ArrayList<>(p.transforms());
                transforms.set(ti, new Payload.Transform(t.number(), t.transformId(), attributes));
                List<Payload.Proposal> proposals = new ArrayList<>(sa.proposals());
                proposals.set(proposals.indexOf(p), new Payload.Proposal(p.number(), p.protocolId(), p.spi(), transforms));
                payloads.set(i, new Payload.Sa(sa.doi(), sa.situation(), proposals));
                return IsakmpCodec.encode(h, payloads);
            }
        } catch (Exception e) {
            // not decodable: left to the byte mutations
        }
        return msg;
    }

    /**
     * Main Mode message 1 fuzzed, then the exchange completed as far as the responder lets the test initiator go:
     * what the responder accepted in message 1 (the proposal, its lifetime) takes effect when phase 1 completes.
     * A completed exchange costs two Diffie-Hellman computations; most mutants end earlier.
     */
    @Test
    void mainModeWithAFuzzedFirstMessageCompletesOrFailsWithAReason() throws Exception {
        World first = new World();
        world = first;
        TestInitiator t = first.a;
        List<Attribute> base = List.of(Attribute.of(1, 7), Attribute.of(14, 256), Attribute.of(2, 2), Attribute.of(3, 1),
                Attribute.of(4, 19));
        List<byte[]> seeds = new ArrayList<>();
        for (List<Attribute> life : List.of(List.of(Attribute.of(11, 1), Attribute.of(12, 28800)),
                List.of(Attribute.of(11, 1), new Attribute(12, new byte[] {0, 0, 0x70, (byte) 0x80}, false)),
                List.of(Attribute.of(11, 1), new Attribute(12, new byte[] {0, 0, 0, 0, 0, 0, 0x70, (byte) 0x80}, false)),
                List.<Attribute>of())) {
            List<Attribute> a = new ArrayList<>(base);
            a.addAll(life);
            seeds.add(t.mm1(List.of(new Payload.Transform(1, 1, a))));
        }
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ike-main-mode").seeds(seeds).inputs(150).maxLength(1500)
                    .fixup((in, r) -> fixDatagram(r.nextBoolean() ? mutateAttribute(in, r) : in, r)).target(in -> {
                World w = world();
                index++;
                TestInitiator i = new TestInitiator(w.net, "198.19." + (index >> 8 & 0xff) + "." + (index & 0xff), 500, 4500)
                        .suite(IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP256);
                byte[] mm1 = in.clone();
                if (mm1.length >= 16) ByteBuffer.wrap(mm1).putLong(0, i.ckyI).putLong(8, 0);
                try {
                    i.saiB = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(mm1), mm1).body(Payload.Sa.class);
                } catch (Exception e) {
                    i.saiB = new byte[0];
                }
                String outcome = deliver(w, log, mm1, i.addr500, IkeHarness.LOCAL_500);
                byte[] mm2 = w.lastSent;
                if (mm2 == null || i.saiB == null) return outcome;
                // the initiator's own steps may fail on what the responder chose (an outcome); delivery may not
                if (!step(() -> i.mm2(mm2))) return outcome + " @mm2";
                outcome += " | " + deliver(w, log, i.mm3(), i.addr500, IkeHarness.LOCAL_500);
                byte[] mm4 = w.lastSent;
                if (mm4 == null || !step(() -> i.mm4(mm4))) return outcome + " @mm4";
                outcome += " | " + deliver(w, log, i.mm5(false), i.addr4500, IkeHarness.LOCAL_4500);
                byte[] mm6 = w.lastSent;
                String step = mm6 != null && step(() -> i.mm6(mm6)) ? "done" : "mm6";
                return outcome.replaceAll("ike\\.phase1\\{none,started\\} ?", "") + " @" + step;
            }).run().assertNoFindings().assertReached("@done").assertOutcomesAtLeast(4);
        }
    }

    /**
     * Finding of ike-main-mode (input 5358 of master seed -2878418672178968354): a Life-Duration of 8 octets,
     * fe00000000007080, reads as a negative number of seconds; phase 1 then failed at its completion, scheduling
     * the lifetime overflowed ({@link ArithmeticException}, counted {@code internal_error}) and message 6 never
     * went out. Now such a lifetime is as unbounded as zero: the configured maximum.
     */
    @Test
    void findingAnEightOctetLifeDurationPastTwoToTheSixtyThirdGetsTheMaximumLifetime() throws Exception {
        byte[] mm1 = java.util.HexFormat.of().parseHex("909d49471571a44df89aac7cd8cb96f40110020000000000000001180d00004000000001"
                + "0000000100000034010100010000002c0101000080010007800e0100800200028003000180040013800b0001000c0008fe0000000000"
                + "70800d0000141e2b51690599027d7c96fcbfb587e4610d0000144a131c81070358455c5728f20e95452f0d00001490cb80913ebb69"
                + "6e010001000000240100000080010007800e0100800200028003000180040013800b0001800c70800d0000141e2b516905991c7d7c"
                + "96fcbfb587e4610d0000144a131c81070358455c5728f20e95452f0d00001490cb80913ebb696e086381b5ec427b1f0d000014404"
                + "8b7d56ebce88525e7de7f00d6c2d300000014afcad71368a1f1c96b8696fc77");
        World w = new World();
        TestInitiator i = new TestInitiator(w.net, "198.19.0.1", 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP256);
        ByteBuffer.wrap(mm1).putLong(0, i.ckyI).putLong(8, 0); // as the fuzz target did: this initiator's cookie
        i.saiB = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(mm1), mm1).body(Payload.Sa.class);
        i.mm2(w.net.exchange(i.addr500, IkeHarness.LOCAL_500, mm1));
        i.mm4(w.net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        i.mm6(TestInitiator.whole(w.net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false))));
        org.assertj.core.api.Assertions.assertThat(w.net.dropped("internal_error")).isZero();
        org.assertj.core.api.Assertions.assertThat(w.net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(2);
        w.net.scheduler.advance(java.time.Duration.ofSeconds(1));
        org.assertj.core.api.Assertions.assertThat(w.net.responder.activeSas()).as("a and this one, alive").isEqualTo(2);
    }
}
