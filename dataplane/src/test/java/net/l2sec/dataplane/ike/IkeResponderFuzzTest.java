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
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import net.l2sec.dataplane.testing.LogCapture;
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
        w.net.sent.clear();
        if (buf.refCnt() != 0) throw new AssertionError("datagram not released, refCnt " + buf.refCnt());
        String moved = w.delta.next();
        Throwable logged = log.take();
        if (moved.contains("internal_error")) throw logged != null ? logged : new AssertionError("internal_error counted");
        return moved;
    }

    @Test
    void everyDatagramIsCountedUnderItsOwnDropReasonOrAnswered() throws Exception {
        List<byte[]> seeds = datagramSeeds();
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ike-responder").seeds(seeds).inputs(1500).maxLength(1500).target(in -> {
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
            Fuzzer.named("ike-responder-encrypted").seeds(seeds).inputs(1000).maxLength(1200).target(in -> {
                World w = world();
                index++;
                int mid = (int) (Fuzzer.inputSeed(7, index) | 1);
                return deliver(w, log, protect(w.a, in, mid), w.a.addr4500, IkeHarness.LOCAL_4500);
            }).run().assertNoFindings().assertReached("ike.phase2").assertOutcomesAtLeast(5);
        }
    }
}
