package net.l2sec.dataplane.ikev2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.testing.MeterDelta;
import net.l2sec.fuzz.Fuzzer;
import net.l2sec.fuzz.LogCapture;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the IKEv2 responder's datagram edge, {@link Ikev2Responder#receive}, with a real responder: IKE_SA_INIT
 * requests, encrypted requests of an established IKE SA and of one in the middle of EAP; then, behind decryption,
 * payload chains the test encrypts with the established SA's keys so that IKE_AUTH, CREATE_CHILD_SA and
 * INFORMATIONAL see them. Every datagram must be released, and answered or counted under a drop reason;
 * {@code internal_error} (the responder's catch-all) is a finding, reported with the exception it logged.
 */
class Ikev2ResponderFuzzTest {
    static final int WORLD_INPUTS = 128;

    /** A responder with an established IKE SA (a) and one waiting in EAP (b). */
    static final class World {
        final Ikev2Harness net;
        final Ikev2TestClient a = new Ikev2TestClient(new InetSocketAddress("203.0.113.5", 50000));
        final Ikev2TestClient b = new Ikev2TestClient(new InetSocketAddress("203.0.113.6", 40000));
        final MeterDelta delta;
        int used;

        World() throws Exception {
            net = new Ikev2Harness();
            net.login(a, Ikev2Harness.USER, Ikev2Harness.PASSWORD);
            b.initResponse(net.exchange(b.address, Ikev2Harness.LOCAL_500, b.initRequest()));
            b.open(net.replies(at4500(b), Ikev2Harness.LOCAL_4500, b.firstAuth()));
            net.sent.clear();
            delta = new MeterDelta(net.registry, "l2sec.ikev2");
        }

        boolean spent() {
            return ++used > WORLD_INPUTS || net.responder.establishedSas() == 0;
        }
    }

    static InetSocketAddress at4500(Ikev2TestClient c) {
        return new InetSocketAddress(c.address.getAddress(), c.address.getPort() + 1);
    }

    private World template;
    private World world;
    private long index;

    private World world() throws Exception {
        if (world == null || world.spent()) world = new World();
        return world;
    }

    List<byte[]> datagramSeeds() throws Exception {
        template = new World();
        List<byte[]> seeds = new ArrayList<>();
        Ikev2TestClient fresh = new Ikev2TestClient(new InetSocketAddress("198.51.100.1", 500));
        seeds.add(fresh.initRequest());
        seeds.add(template.a.request(ExchangeType.INFORMATIONAL, List.of()));
        seeds.add(template.a.request(ExchangeType.CREATE_CHILD_SA, List.of(template.a.espProposal(0x4444, null),
                new Payload.Nonce(new byte[32]), new Payload.TrafficSelectors(true, List.of(Ikev2TestClient.anyV4())),
                new Payload.TrafficSelectors(false, List.of(Ikev2TestClient.anyV4())))));
        seeds.add(template.b.request(ExchangeType.IKE_AUTH, List.of(new Payload.Eap(Ikev2TestClient.eapIdentity(1, "alice")))));
        var f = template.a.protection.outbound().sealFragments(new Ikev2Header(template.a.spii, template.a.spir, 0,
                ExchangeType.INFORMATIONAL.code(), Ikev2Header.INITIATOR, 77, 0), List.of(new Payload.VendorId(new byte[600])), 576, 32);
        seeds.addAll(f);
        return seeds;
    }

    /** The seed's SPIs, if they are a template client's, become the current world's client's. */
    private byte[] remap(World w, byte[] in) {
        if (in.length < 16) return in;
        long spii = ByteBuffer.wrap(in).getLong(0);
        Ikev2TestClient to = spii == template.a.spii ? w.a : spii == template.b.spii ? w.b : null;
        if (to == null) return in;
        byte[] out = in.clone();
        ByteBuffer.wrap(out).putLong(0, to.spii).putLong(8, to.spir);
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

    /** The header's length set to the datagram's, the version kept 2, so mutants reach the payloads. */
    static byte[] fixDatagram(byte[] in, java.util.SplittableRandom r) {
        if (in.length < Ikev2Header.LENGTH) return in;
        byte[] b = in.clone();
        b[17] = 0x20;
        ByteBuffer.wrap(b).putInt(24, b.length);
        return b;
    }

    @Test
    void everyDatagramIsReleasedAndCountedOrAnswered() throws Exception {
        List<byte[]> seeds = datagramSeeds();
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ikev2-responder").seeds(seeds).inputs(1500).maxLength(1500).fixup(Ikev2ResponderFuzzTest::fixDatagram)
                    .target(in -> {
                        World w = world();
                        byte[] msg = remap(w, in);
                        long spii = msg.length >= 8 ? ByteBuffer.wrap(msg).getLong(0) : 0;
                        index++;
                        InetSocketAddress peer;
                        InetSocketAddress local = Ikev2Harness.LOCAL_4500;
                        if (spii == w.a.spii) peer = at4500(w.a);
                        else if (spii == w.b.spii) peer = at4500(w.b);
                        else {
                            peer = new InetSocketAddress("198.18." + (index >> 8 & 0xff) + "." + (index & 0xff), 500);
                            local = Ikev2Harness.LOCAL_500;
                        }
                        return deliver(w, log, msg, peer, local);
                    }).run().assertNoFindings().assertOutcomesAtLeast(5);
        }
    }

    /** {@code [exchange][first payload type][payloads...]} sealed by the established client with its next ID. */
    static byte[] protect(Ikev2TestClient a, byte[] in) {
        if (in.length < 2) return new byte[0];
        ExchangeType t = switch (in[0] & 3) {
            case 0 -> ExchangeType.CREATE_CHILD_SA;
            case 1 -> ExchangeType.INFORMATIONAL;
            default -> ExchangeType.IKE_AUTH;
        };
        byte[] chain = Arrays.copyOfRange(in, 2, in.length);
        Ikev2Header h = new Ikev2Header(a.spii, a.spir, 0, t.code(), Ikev2Header.INITIATOR, a.nextMessageId++, 0);
        return a.protection.outbound().seal(h, in[1] & 0xff, chain);
    }

    @Test
    void authenticatedPayloadChainsReachTheExchangesAndAreCounted() throws Exception {
        World first = new World();
        world = first;
        template = first;
        Ikev2TestClient a = first.a;
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(chain(0, List.of(new Payload.Notify(3, IkeAuth.spiBytes(a.childSpi), NotifyType.REKEY_SA, new byte[0]),
                a.espProposal(0x5555, null), new Payload.Nonce(new byte[32]),
                new Payload.TrafficSelectors(true, List.of(Ikev2TestClient.anyV4())),
                new Payload.TrafficSelectors(false, List.of(Ikev2TestClient.anyV4())))));
        seeds.add(chain(0, List.of(a.ikeProposal(new byte[8]), new Payload.Nonce(new byte[32]), new Payload.Ke(19, new byte[64]))));
        seeds.add(chain(1, List.of(new Payload.Delete(3, 4, List.of(IkeAuth.spiBytes(a.childSpi))))));
        seeds.add(chain(1, List.of(Payload.Notify.of(NotifyType.UPDATE_SA_ADDRESSES), Payload.Notify.of(NotifyType.COOKIE2, new byte[16]))));
        seeds.add(chain(2, List.of(new Payload.Auth(2, new byte[32]))));
        try (LogCapture log = new LogCapture("net.l2sec.dataplane")) {
            Fuzzer.named("ikev2-responder-encrypted").seeds(seeds).inputs(1000).maxLength(1200).target(in -> {
                World w = world();
                index++;
                // the ID the responder expects next, so that each chain reaches its exchange
                Ikev2Sa sa = w.net.responder.bySpi.get(w.a.spir);
                if (sa != null) w.a.nextMessageId = sa.expectedRequestId;
                return deliver(w, log, protect(w.a, in), at4500(w.a), Ikev2Harness.LOCAL_4500);
            }).run().assertNoFindings().assertOutcomesAtLeast(4);
        }
    }

    static byte[] chain(int exchange, List<Payload> payloads) {
        byte[] body = Ikev2Codec.encodePayloads(payloads);
        byte[] out = new byte[2 + body.length];
        out[0] = (byte) exchange;
        out[1] = (byte) Ikev2Codec.typeOf(payloads.getFirst());
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }
}
