package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class L2tpCodecTest {
    static final HexFormat HEX = HexFormat.of();

    static ByteBuf hex(String s) {
        byte[] bytes = HEX.parseHex(s.replace(" ", ""));
        return Unpooled.buffer(bytes.length).writeBytes(bytes); // a real buffer even when empty
    }

    @Test
    void controlMessageRoundTrip() throws Exception {
        ControlMessage m = ControlMessage.of(MessageType.SCCRQ, 0, 0, List.of(
                Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100), Avp.ofString(AvpType.HOST_NAME, "lac"),
                Avp.optional(AvpType.VENDOR_NAME, "v".getBytes()), new Avp(false, false, 9, 77, new byte[] {1, 2})))
                .withSequence(0xfffe, 3);
        ByteBuf wire = L2tpCodec.encode(ByteBufAllocator.DEFAULT, m);
        try {
            assertThat(wire.getUnsignedShort(0)).isEqualTo(0xc802);
            assertThat(wire.getUnsignedShort(2)).isEqualTo(wire.readableBytes());
            ControlMessage back = (ControlMessage) L2tpCodec.decode(wire);
            assertThat(back).isEqualTo(m);
            assertThat(back.type()).isEqualTo(MessageType.SCCRQ);
            assertThat(back.find(AvpType.HOST_NAME).stringValue()).isEqualTo("lac");
            assertThat(back.avps().get(4).knownType()).isNull();
            assertThat(wire.readerIndex()).as("decode does not consume").isZero();
        } finally {
            wire.release();
        }
    }

    @Test
    void zlbRoundTrip() throws Exception {
        ByteBuf wire = L2tpCodec.encode(ByteBufAllocator.DEFAULT, ControlMessage.zlb(5, 1, 2));
        try {
            assertThat(ByteBufUtil.hexDump(wire)).isEqualTo("c802000c0005000000010002");
            ControlMessage back = (ControlMessage) L2tpCodec.decode(wire);
            assertThat(back.isZlb()).isTrue();
            assertThat(back.type()).isNull();
            assertThat(back.ns()).isEqualTo(1);
            assertThat(back.nr()).isEqualTo(2);
        } finally {
            wire.release();
        }
    }

    @Test
    void dataMessageRoundTripTransfersThePayload() throws Exception {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 3, 0, 0x21, 1});
        ByteBuf wire = L2tpCodec.encode(ByteBufAllocator.DEFAULT, new DataMessage(7, 9, true, 4, 0, payload));
        DataMessage back = (DataMessage) L2tpCodec.decode(wire);
        assertThat(back.tunnelId()).isEqualTo(7);
        assertThat(back.sessionId()).isEqualTo(9);
        assertThat(back.sequenced()).isTrue();
        assertThat(back.ns()).isEqualTo(4);
        assertThat(ByteBufUtil.getBytes(back.payload())).containsExactly(0xff, 3, 0, 0x21, 1);
        wire.release();
        assertThat(back.payload().refCnt()).as("the slice keeps the datagram alive").isEqualTo(1);
        back.payload().release();
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    void decodeInPlaceHandsTheDatagramItselfOnAsTheDataPayload() throws Exception {
        ByteBuf wire = L2tpCodec.encode(ByteBufAllocator.DEFAULT, new DataMessage(7, 9, true, 4, 0,
                Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 3, 0, 0x21, 1})));
        int end = wire.writerIndex();
        DataMessage back = (DataMessage) L2tpCodec.decodeInPlace(wire);
        assertThat(back.payload()).as("no slice: the same buffer").isSameAs(wire);
        assertThat(wire.readerIndex()).as("at the PPP frame, after the header").isEqualTo(end - 5);
        assertThat(wire.writerIndex()).isEqualTo(end);
        assertThat(wire.refCnt()).as("ownership moved, nothing retained").isEqualTo(1);
        assertThat(ByteBufUtil.getBytes(back.payload())).containsExactly(0xff, 3, 0, 0x21, 1);
        back.payload().release();
        assertThat(wire.refCnt()).isZero();

        // a control message leaves the datagram to the caller
        ByteBuf control = L2tpCodec.encode(ByteBufAllocator.DEFAULT, ControlMessage.zlb(5, 1, 2));
        assertThat(L2tpCodec.decodeInPlace(control)).isInstanceOf(ControlMessage.class);
        assertThat(control.readerIndex()).isZero();
        control.release();
    }

    @Test
    void dataMessageWithoutLengthAndWithOffset() throws Exception {
        // no L, no S: flags, tunnel, session, payload
        ByteBuf plain = hex("0002 0007 0009 ff03c021");
        DataMessage a = (DataMessage) L2tpCodec.decode(plain);
        assertThat(ByteBufUtil.hexDump(a.payload())).isEqualTo("ff03c021");
        a.payload().release();
        plain.release();
        // O bit: offset size 2 then two pad octets
        ByteBuf offset = hex("0202 0007 0009 0002 aaaa ff03");
        DataMessage b = (DataMessage) L2tpCodec.decode(offset);
        assertThat(ByteBufUtil.hexDump(b.payload())).isEqualTo("ff03");
        b.payload().release();
        offset.release();
        // S bit without L
        ByteBuf seq = hex("0802 0007 0009 0005 0000 ff03");
        DataMessage c = (DataMessage) L2tpCodec.decode(seq);
        assertThat(c.ns()).isEqualTo(5);
        assertThat(ByteBufUtil.hexDump(c.payload())).isEqualTo("ff03");
        c.payload().release();
        seq.release();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("c802", L2tpDropReason.MALFORMED_HEADER),
                Arguments.of("", L2tpDropReason.MALFORMED_HEADER),
                Arguments.of("c801000c0005000000010002", L2tpDropReason.BAD_VERSION),
                Arguments.of("c803000c0005000000010002", L2tpDropReason.BAD_VERSION),
                Arguments.of("c802000d0005000000010002", L2tpDropReason.BAD_LENGTH),
                Arguments.of("c802000b0005000000010002", L2tpDropReason.BAD_LENGTH),
                Arguments.of("c802000c000500000001000200", L2tpDropReason.BAD_LENGTH),
                Arguments.of("c80200080005", L2tpDropReason.MALFORMED_HEADER),
                Arguments.of("8802000500000000", L2tpDropReason.BAD_CONTROL_BITS),
                Arguments.of("c002000a0005000000", L2tpDropReason.BAD_CONTROL_BITS),
                Arguments.of("ca02000e00050000000100020000", L2tpDropReason.BAD_CONTROL_BITS),
                Arguments.of("0202000700090005", L2tpDropReason.MALFORMED_HEADER),
                Arguments.of("4002000a00090001", L2tpDropReason.BAD_LENGTH),
                Arguments.of("c80200120005000000010002 8005 0000 0000", L2tpDropReason.BAD_AVP),
                Arguments.of("c80200140005000000010002 8009 0000 0000 0001", L2tpDropReason.BAD_AVP),
                Arguments.of("c802000f0005000000010002 800800", L2tpDropReason.BAD_AVP),
                Arguments.of("c80200140005000000010002 8008 0000 0007 0001", L2tpDropReason.BAD_AVP),
                Arguments.of("c80200140005000000010002 c008 0000 0000 0001", L2tpDropReason.BAD_AVP),
                Arguments.of("c802001c0005000000010002 8008 0000 0000 0001 c008 0000 0009 0001", L2tpDropReason.BAD_HIDDEN_AVP));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedDatagramsAreRejected(String hex, L2tpDropReason reason) {
        ByteBuf wire = hex(hex);
        assertThatThrownBy(() -> L2tpCodec.decode(wire)).isInstanceOfSatisfying(L2tpDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
        wire.release();
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedDatagramsAreDroppedCountedAndReleased(String hex, L2tpDropReason reason) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        L2tpNetworkServer server = new L2tpNetworkServer(L2tpNetworkServerTest.settings(java.util.Optional.empty(), 1, 1),
                new FakePpp(), new ManualScheduler(), registry);
        ByteBuf wire = hex(hex);
        server.receive(new InetSocketAddress("192.0.2.1", 1701), wire, (p, d) -> {
            d.release();
            throw new AssertionError("nothing is sent");
        });
        assertThat(wire.refCnt()).isZero();
        assertThat(registry.get("l2sec.l2tp.packets.dropped").tag("reason", reason.tag()).counter().count()).isEqualTo(1);
    }
}
