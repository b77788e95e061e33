package net.l2sec.dataplane.ip.nd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import org.junit.jupiter.api.Test;

class NdCodecTest {
    static final HexFormat HEX = HexFormat.of();

    /**
     * A Router Advertisement built independently of this codec (a few lines of Python's struct module, checksum by
     * RFC 1071 over the RFC 8200 section 8.1 pseudo-header) and checked by tshark 4 ({@code text2pcap -l 229},
     * {@code tshark -V}): "Checksum: 0x90a1 [correct]", "Prefix information : 2001:db8:99:1::/64", "On-link
     * flag(L): Set", "Autonomous address-configuration flag(A): Set", "MTU : 1400", "Recursive DNS Server
     * 2001:db8:99::53", "Hop Limit: 255". From fe80::1122:3344:5566:7788 to ff02::1.
     */
    static final String RA = "6000000000503afffe800000000000001122334455667788ff020000000000000000000000000001"
            + "860090a1400007080000000000000000"
            + "030440c000278d0000093a800000000020010db80099000100000000000000000501000000000578"
            + "190300000000070820010db8009900000000000000000053";
    /** A Router Solicitation from fe80::211:2233:4455:6677 to ff02::2, the same way: "Checksum: 0xae26 [correct]". */
    static final String RS = "6000000000083afffe800000000000000211223344556677ff0200000000000000000000000000028500ae2600000000";

    static Inet6Address ip6(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    static NdMessage.RouterAdvertisement advertisement() throws Exception {
        return new NdMessage.RouterAdvertisement(64, false, false, RouterPreference.MEDIUM, 1800, 0, 0, List.of(
                new NdOption.PrefixInformation(Ipv6Prefix.of(ip6("2001:db8:99:1::"), 64), true, true, 2_592_000, 604_800),
                new NdOption.Mtu(1400),
                new NdOption.RecursiveDnsServer(1800, List.of(ip6("2001:db8:99::53")))));
    }

    static NdMessage decode(String hex) throws InvalidNdMessageException {
        ByteBuf b = Unpooled.wrappedBuffer(HEX.parseHex(hex));
        try {
            return NdCodec.decode(b);
        } finally {
            assertThat(b.readerIndex()).as("not consumed").isZero();
            b.release();
        }
    }

    @Test
    void encodesTheRouterAdvertisementTsharkCheckedToTheOctet() throws Exception {
        ByteBuf out = NdCodec.encode(UnpooledByteBufAllocator.DEFAULT, 16, advertisement(),
                Ipv6.LINK_LOCAL_PREFIX, 0x1122_3344_5566_7788L, Ipv6.ALL_NODES_HIGH, Ipv6.ALL_NODES_LOW);
        try {
            assertThat(out.readerIndex()).as("headroom left for the lower layers").isEqualTo(16);
            assertThat(HEX.formatHex(ByteBufUtil.getBytes(out))).isEqualTo(RA);
        } finally {
            out.release();
        }
    }

    /** The same with the HIGH Default Router Preference (RFC 4191): tshark "Flags: 0x08, Prf ...: High", "Checksum: 0x9099 [correct]". */
    @Test
    void encodesTheHighDefaultRouterPreference() throws Exception {
        var ra = advertisement();
        var high = new NdMessage.RouterAdvertisement(ra.curHopLimit(), false, false, RouterPreference.HIGH, ra.routerLifetime(),
                0, 0, ra.options());
        ByteBuf out = NdCodec.encode(UnpooledByteBufAllocator.DEFAULT, 0, high, Ipv6.LINK_LOCAL_PREFIX, 0x1122_3344_5566_7788L,
                Ipv6.ALL_NODES_HIGH, Ipv6.ALL_NODES_LOW);
        try {
            String hex = HEX.formatHex(ByteBufUtil.getBytes(out));
            assertThat(hex.substring(80, 96)).isEqualTo("8600909940080708");
            assertThat(NdCodec.decode(out)).isEqualTo(high);
        } finally {
            out.release();
        }
    }

    @Test
    void decodesTheRouterAdvertisementAndSolicitation() throws Exception {
        assertThat(decode(RA)).isEqualTo(advertisement());
        assertThat(decode(RS)).isEqualTo(new NdMessage.RouterSolicitation(List.of()));
        ByteBuf rs = Unpooled.wrappedBuffer(HEX.parseHex(RS));
        assertThat(NdCodec.isIcmpv6(rs, NdMessage.ROUTER_SOLICITATION)).isTrue();
        assertThat(NdCodec.checksum(rs, Ipv6.payloadLength(rs))).as("a right checksum sums to zero").isZero();
        rs.release();
    }

    @Test
    void solicitationWithASourceLinkLayerAddressOptionIsKept() throws Exception {
        var rs = new NdMessage.RouterSolicitation(List.of(new NdOption.SourceLinkLayerAddress(HEX.parseHex("020000000001"))));
        ByteBuf b = NdCodec.encode(UnpooledByteBufAllocator.DEFAULT, 0, rs, Ipv6.LINK_LOCAL_PREFIX, 5, Ipv6.ALL_NODES_HIGH, 2);
        try {
            NdMessage back = NdCodec.decode(b);
            assertThat(back.options()).singleElement().isInstanceOfSatisfying(NdOption.SourceLinkLayerAddress.class,
                    o -> assertThat(o.address()).isEqualTo(HEX.parseHex("020000000001")));
        } finally {
            b.release();
        }
    }

    /** RFC 4861 section 6.1.1 and 6.1.2: each check on its own. */
    @Test
    void invalidMessagesAreRefusedWithTheirReason() {
        String hop64 = RS.substring(0, 14) + "40" + RS.substring(16);
        assertThatThrownBy(() -> decode(hop64)).isInstanceOf(InvalidNdMessageException.class).hasMessageContaining("hop limit 64");
        String badSum = RS.substring(0, 84) + "ae27" + RS.substring(88);
        assertThatThrownBy(() -> decode(badSum)).hasMessageContaining("checksum");
        String code1 = withChecksum(RS.substring(0, 82) + "01" + "0000" + RS.substring(88));
        assertThatThrownBy(() -> decode(code1)).hasMessageContaining("code");
        String short4 = withChecksum("6000000000043afffe800000000000000211223344556677ff02000000000000000000000000000285000000");
        assertThatThrownBy(() -> decode(short4)).hasMessageContaining("below 8");
        // an option of length 0
        String zeroOption = withChecksum("6000000000103afffe800000000000000211223344556677ff020000000000000000000000000002"
                + "85000000000000000100000000000000");
        assertThatThrownBy(() -> decode(zeroOption)).hasMessageContaining("length 0");
        // an option running past the message
        String overflow = withChecksum("6000000000103afffe800000000000000211223344556677ff020000000000000000000000000002"
                + "85000000000000000102000000000000");
        assertThatThrownBy(() -> decode(overflow)).hasMessageContaining("overflows");
        // a source link-layer address option from the unspecified address
        String fromUnspecified = withChecksum("6000000000103aff00000000000000000000000000000000ff020000000000000000000000000002"
                + "85000000000000000101020000000001");
        assertThatThrownBy(() -> decode(fromUnspecified)).hasMessageContaining("unspecified");
        // an RDNSS option without a whole address
        String rdnss = withChecksum("6000000000183afffe800000000000001122334455667788ff020000000000000000000000000001"
                + "860000004000070800000000000000001901000000000708");
        assertThatThrownBy(() -> decode(rdnss)).hasMessageContaining("RDNSS");
        String echo = withChecksum("6000000000083afffe800000000000000211223344556677ff020000000000000000000000000002"
                + "8000000000000000");
        assertThatThrownBy(() -> decode(echo)).hasMessageContaining("not router discovery");
    }

    /**
     * Mutated advertisements and solicitations either decode or are refused with {@link InvalidNdMessageException};
     * nothing else escapes, and a decoded message encodes again to a message that decodes to the same.
     */
    @Test
    void fuzzedPacketsDecodeOrAreRefused() {
        net.l2sec.fuzz.Fuzzer.named("nd").seeds(List.of(HEX.parseHex(RA), HEX.parseHex(RS))).inputs(4000).maxLength(300).target(in -> {
            ByteBuf b = Unpooled.wrappedBuffer(in);
            if (!Ipv6.isWellFormed(b)) return "not-ipv6";
            // half the inputs keep a right checksum, so the mutations reach the option parsing
            if (in.length > 43 && (in[7] & 1) == 0 && Ipv6.nextHeader(b) == Ipv6.NEXT_HEADER_ICMPV6) {
                b.setShort(Ipv6.HEADER + 2, 0);
                b.setShort(Ipv6.HEADER + 2, NdCodec.checksum(b, Ipv6.payloadLength(b)));
                in[7] = (byte) 255;
            }
            try {
                NdMessage m = NdCodec.decode(b);
                ByteBuf again = NdCodec.encode(UnpooledByteBufAllocator.DEFAULT, 0, m, Ipv6.sourceHigh(b), Ipv6.sourceLow(b),
                        Ipv6.destinationHigh(b), Ipv6.destinationLow(b));
                try {
                    NdMessage back = NdCodec.decode(again);
                    boolean unknownDropped = m.options().stream().anyMatch(o -> o instanceof NdOption.Unknown);
                    if (!unknownDropped && !back.equals(m) && !(m.options().stream().anyMatch(o -> o instanceof NdOption.SourceLinkLayerAddress))) {
                        throw new AssertionError("re-encoding changes " + m + " into " + back);
                    }
                } finally {
                    again.release();
                }
                return "decoded:" + m.getClass().getSimpleName();
            } catch (InvalidNdMessageException e) {
                return "refused:" + e.getMessage().replaceAll("[0-9]+", "N");
            }
        }).run().assertNoFindings().assertReached("decoded:RouterAdvertisement").assertReached("decoded:RouterSolicitation")
                .assertReached("refused:bad ICMPvN checksum").assertOutcomesAtLeast(6);
    }

    /** Puts the right checksum into a hand-made packet, so that only the defect under test is wrong. */
    static String withChecksum(String hex) {
        ByteBuf b = Unpooled.wrappedBuffer(HEX.parseHex(hex));
        b.setShort(Ipv6.HEADER + 2, 0);
        b.setShort(Ipv6.HEADER + 2, NdCodec.checksum(b, Ipv6.payloadLength(b)));
        String out = HEX.formatHex(ByteBufUtil.getBytes(b));
        b.release();
        return out;
    }
}
