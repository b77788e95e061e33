package net.l2sec.dataplane.ike.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link IsakmpCodec}: the header, the chain of generic payload headers and every payload layout of
 * {@link PayloadFormat} (through {@link LayoutCodec}). Every input either decodes or is rejected with an
 * {@link IkeDecodeException}; a chain that decodes encodes again into octets that decode to the same thing.
 * The seeds are messages that carry every payload type, built with the codec's own encoder.
 */
class IsakmpCodecFuzzTest {
    static final long ICKY = 0x1122334455667788L;
    static final long RCKY = 0x99aabbccddeeff00L;

    static List<byte[]> seeds() {
        List<Attribute> p1 = List.of(Attribute.of(1, 7), Attribute.of(14, 256), Attribute.of(2, 2), Attribute.of(3, 1),
                Attribute.of(4, 14), Attribute.of(11, 1), Attribute.of(12, 0x15180L), Attribute.of(12, 0x1_0000_0000L));
        Payload.Sa sa = new Payload.Sa(1, 1, List.of(
                new Payload.Proposal(1, 1, new byte[0], List.of(new Payload.Transform(1, 1, p1),
                        new Payload.Transform(2, 1, p1.subList(0, 3)))),
                new Payload.Proposal(2, 3, new byte[] {1, 2, 3, 4}, List.of(new Payload.Transform(1, 12,
                        List.of(Attribute.of(1, 1), Attribute.of(2, 3600), Attribute.of(4, 4), Attribute.of(5, 2)))))));
        List<List<? extends Payload>> chains = List.of(
                List.of(sa, new Payload.VendorId(new byte[16]), new Payload.VendorId("RFC 3947".getBytes())),
                List.of(new Payload.Ke(new byte[64]), new Payload.Nonce(new byte[20]), new Payload.NatD(false, new byte[20]),
                        new Payload.NatD(true, new byte[20])),
                List.of(new Payload.Id(1, 17, 500, new byte[] {10, 0, 2, 15}), new Payload.Cert(4, new byte[40]),
                        new Payload.CertRequest(4, new byte[12]), new Payload.Sig(new byte[32]), new Payload.Hash(new byte[20])),
                List.of(new Payload.Hash(new byte[20]), new Payload.Notify(1, 1, 24578, new byte[16], new byte[4]),
                        new Payload.Delete(1, 3, 4, List.of(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8}))),
                List.of(new Payload.NatOa(false, 1, new byte[] {10, 0, 2, 15}), new Payload.NatOa(true, 1, new byte[4]),
                        new Payload.Unknown(200, new byte[] {1, 2, 3})),
                List.of(new Payload.Fragment(7, 1, Payload.Fragment.LAST_FRAGMENT, new byte[48])));
        List<byte[]> out = new ArrayList<>();
        for (ExchangeType t : List.of(ExchangeType.IDENTITY_PROTECTION, ExchangeType.INFORMATIONAL)) {
            for (List<? extends Payload> c : chains) {
                out.add(IsakmpCodec.encode(new IsakmpHeader(ICKY, t == ExchangeType.INFORMATIONAL ? RCKY : 0, 0, 0x10, t, 0, 0, 0), c));
            }
        }
        return out;
    }

    /** Header length = datagram length, non-zero initiator cookie: the mutation then reaches the payloads. */
    static byte[] fixLength(byte[] in, java.util.SplittableRandom r) {
        if (in.length < IsakmpHeader.LENGTH) return in;
        byte[] b = in.clone();
        int n = b.length;
        b[24] = (byte) (n >>> 24);
        b[25] = (byte) (n >>> 16);
        b[26] = (byte) (n >>> 8);
        b[27] = (byte) n;
        b[0] |= 1;
        b[17] = 0x10;
        return b;
    }

    static String decode(byte[] msg) throws IkeDecodeException {
        IsakmpHeader h;
        PayloadChain chain;
        try {
            h = IsakmpCodec.decodeHeader(msg);
            // also as a decrypted body: padding allowed after the last payload
            chain = IsakmpCodec.decodePayloads(h.nextPayload(), msg, IsakmpHeader.LENGTH, msg.length, msg[19] % 2 == 1);
        } catch (IkeDecodeException e) {
            return "rejected:" + e.reason().tag();
        }
        // what decodes must encode into octets that decode to the same payloads
        byte[] again = IsakmpCodec.encodePayloads(chain.payloads());
        PayloadChain twice = IsakmpCodec.decodePayloads(chain.payloads().isEmpty() ? 0 : chain.payloads().getFirst().type(),
                again, 0, again.length, false);
        if (!Arrays.equals(again, IsakmpCodec.encodePayloads(twice.payloads()))) {
            throw new AssertionError("re-encoding changes the payloads");
        }
        StringBuilder label = new StringBuilder("decoded:");
        for (Payload p : chain.payloads()) label.append(p.getClass().getSimpleName().charAt(0));
        return label.length() > 12 ? label.substring(0, 12) : label.toString();
    }

    @Test
    void everyInputDecodesOrIsRejectedWithADropReason() {
        Fuzzer.named("isakmp-codec").seeds(seeds()).inputs(6000).maxLength(1024)
                .fixup(IsakmpCodecFuzzTest::fixLength).target(IsakmpCodecFuzzTest::decode).run()
                .assertNoFindings().assertReached("decoded:").assertReached("rejected:malformed_payload")
                .assertOutcomesAtLeast(8);
    }
}
