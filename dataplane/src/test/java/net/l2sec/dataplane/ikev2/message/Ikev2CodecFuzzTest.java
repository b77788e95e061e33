package net.l2sec.dataplane.ikev2.message;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.l2sec.dataplane.ikev2.message.Payload.Delete;
import net.l2sec.dataplane.ikev2.message.Payload.Eap;
import net.l2sec.dataplane.ikev2.message.Payload.Encrypted;
import net.l2sec.dataplane.ikev2.message.Payload.EncryptedFragment;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Ikev2Codec}: the header, the chain of generic payload headers and every payload layout. Every input
 * either decodes or is rejected with an {@link Ikev2DecodeException} carrying a drop reason; what decodes encodes
 * again into octets that decode to the same payloads (field by field), and encoding those gives the same octets. The
 * seeds carry every payload type, built with the codec's own encoder, and real strongSwan IKE_SA_INIT messages.
 */
class Ikev2CodecFuzzTest {
    static List<byte[]> seeds() {
        List<Payload> every = Ikev2CodecTest.everyPlainPayload();
        List<byte[]> out = new ArrayList<>();
        out.add(Ikev2Codec.encode(Ikev2CodecTest.INIT_REQUEST, every));
        // short chains that start with each payload type, so that a mutated first type reaches every layout
        for (int i = 0; i < every.size(); i++) {
            out.add(Ikev2Codec.encode(Ikev2CodecTest.INIT_REQUEST, every.subList(i, Math.min(every.size(), i + 3))));
        }
        out.add(Ikev2Codec.encode(Ikev2CodecTest.AUTH_REQUEST, List.of(Notify.of(NotifyType.COOKIE, new byte[8]),
                new Encrypted(PayloadType.IDI.code(), new byte[80]))));
        out.add(Ikev2Codec.encode(Ikev2CodecTest.AUTH_REQUEST, List.of(new EncryptedFragment(PayloadType.IDI.code(), 1, 2, new byte[64]))));
        out.add(Ikev2Codec.encode(Ikev2CodecTest.AUTH_REQUEST, List.of(new EncryptedFragment(0, 2, 2, new byte[48]))));
        out.add(Ikev2Codec.encode(Ikev2CodecTest.AUTH_REQUEST.withNextPayload(0), List.of(
                new Delete(Proposal.ESP, 4, List.of(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8})),
                new Eap(Ikev2CodecTest.hex("0201000a01616c696365")))));
        out.add(Ikev2CodecTest.hex(Ikev2CodecTest.HAND_WRITTEN));
        out.addAll(Ikev2CodecTest.capturedMessages());
        return out;
    }

    /**
     * Header length = datagram length and version 2.0; half the time also each generic header's length that does not
     * fit is cut to the rest of the message, and an SK or SKF payload made to end with it: the mutation then reaches
     * the payload layouts.
     */
    static byte[] fixLengths(byte[] in, SplittableRandom r) {
        if (in.length < Ikev2Header.LENGTH) return in;
        byte[] b = in.clone();
        Ikev2Codec.put32(b, 24, b.length);
        b[17] = (byte) Ikev2Header.VERSION;
        if (r.nextBoolean()) return b;
        int type = b[16] & 0xff;
        int at = Ikev2Header.LENGTH;
        for (int i = 0; i < Ikev2Codec.MAX_PAYLOADS && type != 0 && b.length - at >= 4; i++) {
            int length = Ikev2Codec.u16(b, at + 2);
            boolean encrypted = type == PayloadType.SK.code() || type == PayloadType.SKF.code();
            if (length < 4 || length > b.length - at || encrypted) {
                length = b.length - at;
                b[at + 2] = (byte) (length >> 8);
                b[at + 3] = (byte) length;
            }
            if (encrypted) break;
            type = b[at] & 0xff;
            at += length;
        }
        return b;
    }

    static String decode(byte[] m) throws Ikev2DecodeException {
        Ikev2Codec.Message msg;
        try {
            msg = Ikev2Codec.decode(m);
        } catch (Ikev2DecodeException e) {
            if (e.reason() == null || e.getMessage() == null) throw new AssertionError("a rejection without a reason or text");
            return "rejected:" + e.reason().tag();
        }
        // what decodes must encode into octets that decode to the same payloads, and encode the same again
        byte[] again = Ikev2Codec.encode(msg.header(), msg.payloads());
        Ikev2Codec.Message twice = Ikev2Codec.decode(again);
        if (!Ikev2CodecTest.describe(twice.payloads()).equals(Ikev2CodecTest.describe(msg.payloads()))) {
            throw new AssertionError("re-encoding changes the payloads");
        }
        if (!java.util.Arrays.equals(again, Ikev2Codec.encode(twice.header(), twice.payloads()))) {
            throw new AssertionError("encoding is not stable");
        }
        StringBuilder label = new StringBuilder("decoded:");
        // one letter per payload type: a for SA (33) ... u for SKF (53), ? for an unknown type
        for (Payload p : msg.payloads()) label.append(p instanceof Payload.Unknown ? '?' : (char) ('a' + p.type().code() - 33));
        return label.length() > 12 ? label.substring(0, 12) : label.toString();
    }

    @Test
    void everyInputDecodesOrIsRejectedWithADropReason() {
        Fuzzer.named("ikev2-codec").seeds(seeds()).inputs(6000).maxLength(1500)
                .fixup(Ikev2CodecFuzzTest::fixLengths).target(Ikev2CodecFuzzTest::decode).run()
                .assertNoFindings().assertReached("decoded:").assertReached("rejected:malformed_payload")
                .assertReached("rejected:bad_length").assertReached("rejected:truncated")
                .assertReached("rejected:unsupported_critical").assertReached("rejected:fragment_invalid")
                .assertOutcomesAtLeast(12);
    }
}
