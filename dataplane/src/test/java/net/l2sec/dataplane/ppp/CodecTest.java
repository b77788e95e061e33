package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppHarness.HEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.List;
import net.l2sec.dataplane.ppp.auth.ChapCodec;
import net.l2sec.dataplane.ppp.auth.EapCodec;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.lcp.AuthProtocolOption;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;

/** Decoders alone: round trips, padding, and every malformed shape rejected with a checked exception. */
class CodecTest {
    @Test
    void frameHeaderFormsAreAllAccepted() throws Exception {
        for (String hex : List.of("ff03c021", "c021", "ff0321", "21")) {
            var b = Unpooled.wrappedBuffer(HEX.parseHex(hex + "aa"));
            var f = PppFrameCodec.decode(b);
            assertThat(f.protocol()).isIn(0xC021, 0x21);
            assertThat(f.information().readableBytes()).isEqualTo(1);
            b.release();
        }
    }

    @Test
    void controlPacketRoundTripIgnoresPadding() throws Exception {
        var p = new ControlPacket.ConfigureRequest(4, List.of(PppHarness.opt(1, "0578"), PppHarness.opt(7, "")));
        byte[] wire = ControlPacketCodec.encode(p);
        byte[] padded = new byte[wire.length + 3];
        System.arraycopy(wire, 0, padded, 0, wire.length);
        assertThat(ControlPacketCodec.decode(Unpooled.wrappedBuffer(padded), true)).isEqualTo(p);
    }

    @Test
    void malformedShapesAreRejected() {
        for (String hex : List.of("", "01", "010100", "01010003", "01010009", "0101000601", "010100060100", "0101000703050102",
                "08010005aa", "0a010006aabb")) {
            assertThatThrownBy(() -> ControlPacketCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex(hex)), true))
                    .as(hex).isInstanceOf(MalformedPacketException.class);
        }
        for (String hex : List.of("0101", "01010005", "0101000603", "0101000700", "010100070201", "05010004")) {
            assertThatThrownBy(() -> PapCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex(hex))))
                    .as("pap " + hex).isInstanceOf(MalformedPacketException.class);
        }
        for (String hex : List.of("020100", "02010004", "0201000510", "07010004")) {
            assertThatThrownBy(() -> ChapCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex(hex))))
                    .as("chap " + hex).isInstanceOf(MalformedPacketException.class);
        }
        for (String hex : List.of("0201", "02010004", "05010004", "02010006aa")) {
            assertThatThrownBy(() -> EapCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex(hex))))
                    .as("eap " + hex).isInstanceOf(MalformedPacketException.class);
        }
    }

    /** RFC 1661 section 6.2, RFC 1994 section 3, RFC 2759 section 2, RFC 3748 section 7.1. */
    @Test
    void authenticationProtocolOptionValues() {
        for (AuthMethod m : AuthMethod.pppMethods()) {
            var o = AuthProtocolOption.of(m);
            assertThat(AuthProtocolOption.parse(o.toOption())).as(m.name()).contains(o);
        }
        assertThat(AuthProtocolOption.of(AuthMethod.MSCHAPV2).toOption().data()).containsExactly(0xC2, 0x23, 0x81);
        assertThat(AuthProtocolOption.of(AuthMethod.CHAP_MD5).toOption().data()).containsExactly(0xC2, 0x23, 0x05);
        assertThat(AuthProtocolOption.of(AuthMethod.EAP_MD5).toOption().data()).containsExactly(0xC2, 0x27);
        assertThat(AuthProtocolOption.parse(PppHarness.opt(3, "c023aa"))).contains(AuthProtocolOption.of(AuthMethod.PAP));
        // nothing we could offer: MS-CHAPv1 (80), CHAP without algorithm, an unknown protocol, too short
        for (String hex : List.of("c22380", "c223", "c025", "c0")) {
            assertThat(AuthProtocolOption.parse(PppHarness.opt(3, hex))).as(hex).isEmpty();
        }
    }

    @Test
    void unknownCodeIsKeptWholeForCodeReject() throws Exception {
        var p = ControlPacketCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex("0905000601ff")), false);
        assertThat(p).isInstanceOfSatisfying(ControlPacket.UnknownCode.class,
                u -> assertThat(u.packet()).containsExactly(0x09, 0x05, 0x00, 0x06, 0x01, 0xff));
    }

    /**
     * RFC 1570 section 2.1: Code 12, Identifier, Length (at least 8), Magic-Number, Message; here Windows' first
     * message as it sends it before the Magic-Number is negotiated (zero).
     */
    @Test
    void lcpIdentificationKnownAnswerAndMalformed() throws Exception {
        byte[] wire = HEX.parseHex("0c03" + "0012" + "00000000" + "4d5352415356352e3230");   // "MSRASV5.20"
        var p = ControlPacketCodec.decode(Unpooled.wrappedBuffer(wire), true);
        assertThat(p).isInstanceOfSatisfying(ControlPacket.Identification.class, i -> {
            assertThat(i.identifier()).isEqualTo(3);
            assertThat(i.magicNumber()).isZero();
            assertThat(new String(i.message(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("MSRASV5.20");
        });
        assertThat(ControlPacketCodec.encode(p)).isEqualTo(wire);
        // an empty Message is allowed (Length 8); padding past Length is ignored
        var empty = ControlPacketCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex("0c010008aabbccdd" + "0000")), true);
        assertThat(empty).isInstanceOfSatisfying(ControlPacket.Identification.class, i -> {
            assertThat(i.magicNumber()).isEqualTo(0xaabbccdd);
            assertThat(i.message()).isEmpty();
        });
        // no room for the Magic-Number: malformed
        for (String bad : List.of("0c010004", "0c010007aabbcc")) {
            assertThatThrownBy(() -> ControlPacketCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex(bad)), true))
                    .as(bad).isInstanceOf(MalformedPacketException.class);
        }
        // an NCP has no code 12: unknown, for Code-Reject
        assertThat(ControlPacketCodec.decode(Unpooled.wrappedBuffer(wire), false)).isInstanceOf(ControlPacket.UnknownCode.class);
    }
}
