package net.l2sec.dataplane.dhcp;

import static net.l2sec.dataplane.dhcp.ClasslessRoutesTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DhcpCodecTest {
    static final byte[] CHADDR = HexFormat.of().parseHex("00155d0a0b0c" + "00000000000000000000");

    /**
     * A DHCPINFORM as Windows' RAS client sends it over PPP: ciaddr its address, a made-up Ethernet chaddr, and a
     * Parameter Request List with 1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43 (Vendor Class "MSFT 5.0").
     */
    public static DhcpMessage windowsInform(int ciaddr) {
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, 0x3903f326, 0, 0, ciaddr, 0, 0, 0, CHADDR, List.of(
                new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {8}),
                new DhcpOption(61, HexFormat.of().parseHex("0100155d0a0b0c")),
                new DhcpOption(12, "WIN-CLIENT".getBytes()),
                new DhcpOption(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER, "MSFT 5.0".getBytes()),
                new DhcpOption(DhcpOptionCode.PARAMETER_REQUEST_LIST, new byte[] {1, 15, 3, 6, 44, 46, 47, 31, 33, 121, (byte) 249, 43})));
    }

    @Test
    void aMessageSurvivesEncodingAndDecoding() throws Exception {
        DhcpMessage m = windowsInform(ip("10.99.0.10"));
        ByteBuf b = Unpooled.buffer();
        DhcpCodec.encode(m, b);
        assertThat(b.readableBytes()).isEqualTo(DhcpCodec.encodedLength(m)).isEqualTo(DhcpCodec.MIN_MESSAGE);
        assertThat(b.getInt(236)).isEqualTo(0x63825363);
        DhcpMessage back = DhcpCodec.decode(b);
        assertThat(back).isEqualTo(m);
        assertThat(back.messageType()).contains(DhcpMessageType.DHCPINFORM);
        assertThat(b.readerIndex()).isZero();
        b.release();
    }

    @Test
    void theFixedFieldsSitWhereRfc2131PutsThem() {
        DhcpMessage m = new DhcpMessage(2, 1, 6, 0, 0x01020304, 0, 0x8000, ip("10.99.0.10"), 0, 0, 0, CHADDR,
                List.of(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {5})));
        ByteBuf b = Unpooled.buffer();
        DhcpCodec.encode(m, b);
        assertThat(HexFormat.of().formatHex(b.array(), 0, 28))
                .isEqualTo("02010600" + "01020304" + "0000" + "8000" + "0a63000a" + "00000000" + "00000000" + "00000000");
        assertThat(HexFormat.of().formatHex(b.array(), 28, 28 + 16)).isEqualTo(HexFormat.of().formatHex(CHADDR));
        assertThat(HexFormat.of().formatHex(b.array(), 236, 236 + 8)).isEqualTo("63825363" + "350105" + "ff");
        b.release();
    }

    @Test
    void padEndAndSplitOptionsAreRead() throws Exception {
        ByteBuf b = fixed();
        b.writeByte(0).writeByte(0).writeBytes(HexFormat.of().parseHex("350108" + "3702" + "0179" + "3701" + "f9" + "ff" + "0d0d0d"));
        DhcpMessage m = DhcpCodec.decode(b);
        assertThat(m.option(DhcpOptionCode.PARAMETER_REQUEST_LIST).orElseThrow().data()).containsExactly(1, 121, 249);
        assertThat(m.options()).hasSize(2);   // nothing after End
        b.release();
    }

    @Test
    void malformedAndOversizedMessagesAreRefusedWithTheirReason() {
        ByteBuf shortOne = Unpooled.buffer().writeZero(239);
        assertThatThrownBy(() -> DhcpCodec.decode(shortOne)).isInstanceOf(MalformedDhcpException.class)
                .extracting(e -> ((MalformedDhcpException) e).reason()).isEqualTo(DhcpDropReason.MALFORMED);
        ByteBuf noCookie = Unpooled.buffer().writeZero(300);
        assertThatThrownBy(() -> DhcpCodec.decode(noCookie)).hasMessageContaining("magic cookie");
        ByteBuf runsPast = fixed().writeBytes(HexFormat.of().parseHex("3708010203"));
        assertThatThrownBy(() -> DhcpCodec.decode(runsPast)).hasMessageContaining("runs past the end");
        ByteBuf noLength = fixed().writeByte(53);
        assertThatThrownBy(() -> DhcpCodec.decode(noLength)).hasMessageContaining("without a length");
        ByteBuf badHlen = fixed();
        badHlen.setByte(2, 17);
        assertThatThrownBy(() -> DhcpCodec.decode(badHlen)).hasMessageContaining("hlen");
        ByteBuf tooLong = fixed();
        for (int i = 0; i < 5; i++) tooLong.writeByte(43).writeByte(255).writeZero(255);   // option 43 split five times
        assertThatThrownBy(() -> DhcpCodec.decode(tooLong)).isInstanceOf(MalformedDhcpException.class)
                .extracting(e -> ((MalformedDhcpException) e).reason()).isEqualTo(DhcpDropReason.OVERSIZED);
        ByteBuf longOption = fixed();
        for (int i = 0; i < 2; i++) longOption.writeByte(43).writeByte(200).writeZero(200);
        assertThatThrownBy(() -> DhcpCodec.decode(longOption)).hasMessageContaining("longer than 255");
        for (ByteBuf b : List.of(shortOne, noCookie, runsPast, noLength, badHlen, tooLong, longOption)) b.release();
    }

    /** 236 octets of fixed fields of a BOOTREQUEST and the magic cookie. */
    static ByteBuf fixed() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(1).writeByte(1).writeByte(6).writeByte(0).writeInt(7).writeZero(236 - 8).writeInt(0x63825363);
        return b;
    }

    /**
     * Mutated and truncated DHCPINFORMs (a fixed seed): decoding either succeeds or refuses with a reason, and the
     * answer to whatever decodes is an ACK or a counted drop; nothing else escapes.
     */
    @Test
    void mutatedMessagesAreDecodedOrRefusedNeverAnythingElse() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(16);
        ByteBuf valid = Unpooled.buffer();
        DhcpCodec.encode(windowsInform(ip("10.99.0.10")), valid);
        byte[] original = new byte[valid.readableBytes()];
        valid.getBytes(0, original);
        valid.release();
        var responder = new InformResponder(new InformResponder.Answers(ip("10.99.0.1"), -256, List.of(), java.util.Optional.of("x.example"),
                List.of(new ClasslessRoutes.Route(ip("10.1.0.0"), 16, ip("10.99.0.1")))));
        int decoded = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] m = original.clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) m[236 + random.nextInt(m.length - 236)] = (byte) random.nextInt(256);
            if (random.nextInt(4) == 0) m[random.nextInt(236)] = (byte) random.nextInt(256);
            int length = random.nextInt(3) == 0 ? random.nextInt(m.length + 1) : m.length;
            ByteBuf b = Unpooled.wrappedBuffer(m, 0, length);
            try {
                DhcpMessage message = DhcpCodec.decode(b);
                decoded++;
                assertThat(responder.answer(message)).isNotNull();
                for (DhcpOption o : message.options()) {
                    if (o.code() == 121 || o.code() == 249) {
                        try {
                            ClasslessRoutes.decode(o.data());
                        } catch (MalformedDhcpException e) {
                            assertThat(e.reason()).isEqualTo(DhcpDropReason.MALFORMED);
                        }
                    }
                }
            } catch (MalformedDhcpException e) {
                assertThat(e.reason()).isIn(DhcpDropReason.MALFORMED, DhcpDropReason.OVERSIZED);
            } finally {
                b.release();
            }
        }
        assertThat(decoded).as("the mutations leave many messages decodable").isGreaterThan(1000);
    }
}
