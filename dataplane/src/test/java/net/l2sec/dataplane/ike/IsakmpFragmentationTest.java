package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.PayloadType;
import org.junit.jupiter.api.Test;

/** IKEv1 fragmentation (payload 132): cutting, reassembly rules and limits, and fragmented certificate Main Modes. */
class IsakmpFragmentationTest {
    static final IkeSettings.Fragmentation LIMITS = new IkeSettings.Fragmentation(true, 576, 16, 16384, Duration.ofSeconds(5));

    /** A well-formed unencrypted message of about {@code size} octets. */
    static byte[] message(int size) {
        byte[] junk = new byte[size - IsakmpHeader.LENGTH - 4];
        new Random(7).nextBytes(junk);
        return IsakmpCodec.encode(new IsakmpHeader(0x1122334455667788L, 0x99aabbccddeeff00L, 0, 0x10,
                ExchangeType.IDENTITY_PROTECTION, 0, 0, 0), List.of(new Payload.VendorId(junk)));
    }

    static List<Payload.Fragment> fragments(byte[] msg, int maxData) throws IkeDecodeException {
        List<Payload.Fragment> out = new ArrayList<>();
        for (byte[] m : IsakmpFragmentation.fragment(msg, 7, maxData)) {
            IsakmpHeader h = IsakmpCodec.decodeHeader(m);
            assertThat(h.nextPayload()).isEqualTo(PayloadType.FRAGMENT);
            assertThat(h.encrypted()).isFalse();
            PayloadChain c = IsakmpCodec.decodePayloads(h, m);
            assertThat(c.payloads()).hasSize(1);
            out.add((Payload.Fragment) c.payloads().get(0));
        }
        return out;
    }

    static byte[] reassemble(List<Payload.Fragment> in, IkeSettings.Fragmentation limits) throws IkeDecodeException {
        IsakmpFragmentation.Reassembly r = new IsakmpFragmentation.Reassembly(in.get(0).fragmentId());
        byte[] whole = null;
        for (Payload.Fragment f : in) {
            byte[] w = r.add(f, limits);
            if (w != null) whole = w;
        }
        return whole;
    }

    @Test
    void fragmentPayloadWireFormat() throws Exception {
        byte[] m = IsakmpFragmentation.fragment(message(100), 0x0102, 1000).get(0);
        // generic header (next 0, reserved, length), fragment ID 0x0102, number 1, flags LAST_FRAGMENT
        assertThat(HexFormat.of().formatHex(m, IsakmpHeader.LENGTH, IsakmpHeader.LENGTH + 8))
                .isEqualTo("0000006c01020101");
        assertThat(m[16]).isEqualTo((byte) 132);
    }

    @Test
    void reassemblesInOrderOutOfOrderAndWithDuplicates() throws Exception {
        byte[] msg = message(1500);
        List<Payload.Fragment> f = fragments(msg, 200);
        assertThat(f).hasSize(8);
        assertThat(f.stream().filter(Payload.Fragment::last).map(Payload.Fragment::number)).containsExactly(8);
        assertThat(reassemble(f, LIMITS)).isEqualTo(msg);

        List<Payload.Fragment> reversed = new ArrayList<>(f);
        Collections.reverse(reversed);
        assertThat(reassemble(reversed, LIMITS)).isEqualTo(msg);

        List<Payload.Fragment> shuffledWithDuplicates = new ArrayList<>(f.subList(0, 5));
        shuffledWithDuplicates.addAll(f.subList(0, 5));
        Collections.shuffle(shuffledWithDuplicates, new Random(3));
        shuffledWithDuplicates.addAll(f.subList(5, 8));
        assertThat(reassemble(shuffledWithDuplicates, LIMITS)).isEqualTo(msg);
        assertThat(reassemble(f.subList(0, 7), LIMITS)).as("incomplete").isNull();
    }

    @Test
    void violationsAndLimits() throws Exception {
        List<Payload.Fragment> f = fragments(message(1500), 200);
        Payload.Fragment last = f.get(7);
        Payload.Fragment otherLast = new Payload.Fragment(7, 5, Payload.Fragment.LAST_FRAGMENT, f.get(4).data());
        assertThatThrownBy(() -> reassemble(List.of(last, otherLast), LIMITS))
                .isInstanceOfSatisfying(IkeDecodeException.class, e -> assertThat(e.reason()).isEqualTo(IkeDropReason.FRAGMENT_INVALID));
        assertThatThrownBy(() -> reassemble(List.of(otherLast, last), LIMITS))
                .isInstanceOfSatisfying(IkeDecodeException.class, e -> assertThat(e.reason()).isEqualTo(IkeDropReason.FRAGMENT_INVALID));
        assertThatThrownBy(() -> reassemble(List.of(new Payload.Fragment(7, 0, 0, new byte[1])), LIMITS))
                .isInstanceOfSatisfying(IkeDecodeException.class, e -> assertThat(e.reason()).isEqualTo(IkeDropReason.FRAGMENT_INVALID));
        IkeSettings.Fragmentation few = new IkeSettings.Fragmentation(true, 576, 4, 16384, Duration.ofSeconds(5));
        assertThatThrownBy(() -> reassemble(f, few))
                .isInstanceOfSatisfying(IkeDecodeException.class, e -> assertThat(e.reason()).isEqualTo(IkeDropReason.FRAGMENT_LIMIT));
        IkeSettings.Fragmentation small = new IkeSettings.Fragmentation(true, 576, 16, 1000, Duration.ofSeconds(5));
        assertThatThrownBy(() -> reassemble(f, small))
                .isInstanceOfSatisfying(IkeDecodeException.class, e -> assertThat(e.reason()).isEqualTo(IkeDropReason.FRAGMENT_LIMIT));
    }

    // ---- against the responder, certificate Main Mode (the messages that need fragmentation)

    static TestInitiator throughMessage4(IkeHarness net) throws Exception {
        TestInitiator i = CertificateAuthTest.client(net, "client.crt.pem", "client.key.pem");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        return i;
    }

    static List<IkeHarness.Sent> deliverAll(IkeHarness net, TestInitiator i, List<byte[]> datagrams) {
        List<IkeHarness.Sent> out = new ArrayList<>();
        for (byte[] d : datagrams) out.addAll(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, d));
        return out;
    }

    @Test
    void message5ArrivesFragmentedAndMessage6LeavesFragmented() throws Exception {
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings(), CertificateAuthTest.clock());
        TestInitiator i = throughMessage4(net);
        byte[] mm5 = i.mm5(false);
        List<byte[]> pieces = new ArrayList<>(IsakmpFragmentation.fragment(mm5, 1, 300));
        assertThat(pieces.size()).isGreaterThan(3);
        Collections.reverse(pieces);
        pieces.add(1, pieces.get(0)); // a duplicate
        List<IkeHarness.Sent> out = deliverAll(net, i, pieces);
        assertThat(out.size()).as("message 6 in fragments").isGreaterThan(1);
        for (IkeHarness.Sent s : out) {
            // 576-octet IPv4 datagrams: IP 20 + UDP 8 + non-ESP marker 4 + ISAKMP
            assertThat(s.message().length).isLessThanOrEqualTo(576 - 20 - 8 - 4);
            assertThat(s.peer()).isEqualTo(i.addr4500);
        }
        i.mm6(TestInitiator.whole(out));
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);

        // the client did not get message 6 and sends message 5 again: the same message 6, fragmented again
        List<IkeHarness.Sent> again = deliverAll(net, i, IsakmpFragmentation.fragment(mm5, 2, 300));
        assertThat(again).hasSameSizeAs(out);
        assertThat(TestInitiator.whole(again)).isEqualTo(TestInitiator.whole(out));
        assertThat(net.count("l2sec.ike.retransmits")).isEqualTo(1);
    }

    @Test
    void incompleteMessageTimesOut() throws Exception {
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings(), CertificateAuthTest.clock());
        TestInitiator i = throughMessage4(net);
        byte[] mm5 = i.mm5(false);
        List<byte[]> pieces = IsakmpFragmentation.fragment(mm5, 1, 300);
        assertThat(deliverAll(net, i, pieces.subList(0, pieces.size() - 1))).isEmpty();
        net.scheduler.advance(Duration.ofSeconds(6));
        assertThat(net.dropped("fragment_timeout")).isEqualTo(1);
        assertThat(deliverAll(net, i, pieces.subList(pieces.size() - 1, pieces.size()))).as("alone: incomplete").isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isZero();
    }

    @Test
    void oversizeMessageIsDropped() throws Exception {
        IkeSettings s = CertificateAuthTest.settings()
                .withFragmentation(new IkeSettings.Fragmentation(true, 576, 16, 1000, Duration.ofSeconds(5)));
        IkeHarness net = new IkeHarness(s, CertificateAuthTest.clock());
        TestInitiator i = throughMessage4(net);
        assertThat(deliverAll(net, i, IsakmpFragmentation.fragment(i.mm5(false), 1, 300))).isEmpty();
        assertThat(net.dropped("fragment_limit")).isEqualTo(1);
    }

    @Test
    void fragmentsNeedAnSaAndFragmentationEnabled() throws Exception {
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings(), CertificateAuthTest.clock());
        TestInitiator stranger = new TestInitiator(net, "203.0.113.50", 500, 4500);
        stranger.ckyR = 0x1234;
        byte[] m = IsakmpCodec.encode(stranger.header(ExchangeType.IDENTITY_PROTECTION, 0, 0),
                List.of(new Payload.Fragment(1, 1, 1, new byte[40])));
        assertThat(net.deliver(stranger.addr500, IkeHarness.LOCAL_500, m)).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);

        IkeSettings off = CertificateAuthTest.settings().withFragmentation(
                new IkeSettings.Fragmentation(false, 576, 16, 16384, Duration.ofSeconds(5)));
        IkeHarness plain = new IkeHarness(off, CertificateAuthTest.clock());
        TestInitiator i = CertificateAuthTest.client(plain, "client.crt.pem", "client.key.pem");
        PayloadChain mm2 = i.mm2(plain.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        assertThat(mm2.all(Payload.VendorId.class)).extracting(Payload.VendorId::data).doesNotContain(IsakmpVendor.FRAGMENTATION);
        i.mm4(plain.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        byte[] mm5 = i.mm5(false);
        assertThat(deliverAll(plain, i, IsakmpFragmentation.fragment(mm5, 1, 300))).isEmpty();
        assertThat(plain.dropped("unexpected_message")).isGreaterThan(0);
        byte[] mm6 = plain.exchange(i.addr4500, IkeHarness.LOCAL_4500, mm5);
        assertThat(mm6.length).as("unfragmented").isGreaterThan(576);
        i.mm6(mm6);
    }
}
