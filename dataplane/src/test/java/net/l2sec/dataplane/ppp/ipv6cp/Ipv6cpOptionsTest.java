package net.l2sec.dataplane.ppp.ipv6cp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;
import org.junit.jupiter.api.Test;

class Ipv6cpOptionsTest {
    static final HexFormat HEX = HexFormat.of();

    /** Hands out the scripted values first (zero included, to check it is never used). */
    static RandomGenerator scripted(long... values) {
        return new RandomGenerator() {
            int i;
            final SplittableRandom rest = new SplittableRandom(1);

            @Override
            public long nextLong() {
                return i < values.length ? values[i++] : rest.nextLong();
            }
        };
    }

    static ConfigOption iid(String hex) {
        return new ConfigOption(1, HEX.parseHex(hex));
    }

    /**
     * RFC 5072 section 4.1 wire format: Type 1, Length 10, the 64-bit identifier, as pppd 2.4.9 sends it (captured
     * from the harness client: "rcvd [IPV6CP ConfReq id=0x1 <addr fe80::0211:2233:4455:6677>]").
     */
    @Test
    void theInterfaceIdentifierOptionOnTheWire() throws Exception {
        byte[] pppd = HEX.parseHex("0101000e010a0211223344556677");
        var request = (ControlPacket.ConfigureRequest) ControlPacketCodec.decode(io.netty.buffer.Unpooled.wrappedBuffer(pppd), false);
        assertThat(request.options()).containsExactly(iid("0211223344556677"));
        assertThat(ControlPacketCodec.encode(request)).isEqualTo(pppd);
    }

    @Test
    void ourIdentifierIsNonZeroWithTheUniversalBitClear() {
        var options = new Ipv6cpOptions(scripted(0, 0x0200_0000_0000_0000L, 0x0300_0000_0000_0001L), OptionalLong.empty());
        // 0 is skipped; 0x02.. has only the u bit, which is cleared to 0 and skipped too
        assertThat(options.localIdentifier()).isEqualTo(0x0100_0000_0000_0001L);
        assertThat(options.ourRequest()).containsExactly(iid("0100000000000001"));
    }

    @Test
    void aZeroOrClashingPeerIdentifierIsNakdWithASuggestion() {
        var options = new Ipv6cpOptions(scripted(0x11, 0x22, 0x33), OptionalLong.empty());
        RequestVerdict zero = options.examine(List.of(iid("0000000000000000")));
        assertThat(zero.kind()).isEqualTo(RequestVerdict.Kind.NAK);
        assertThat(zero.options()).containsExactly(iid("0000000000000022"));
        RequestVerdict clash = options.examine(List.of(iid("0000000000000011")));
        assertThat(clash.kind()).isEqualTo(RequestVerdict.Kind.NAK);
        assertThat(clash.options()).containsExactly(iid("0000000000000033"));
        assertThat(options.peerIdentifier()).isEmpty();
        RequestVerdict fine = options.examine(List.of(iid("0000000000000033")));
        assertThat(fine.kind()).isEqualTo(RequestVerdict.Kind.ACK);
        assertThat(options.peerIdentifier()).hasValue(0x33);
    }

    @Test
    void anAssignedIdentifierIsInsistedOn() {
        var options = new Ipv6cpOptions(scripted(0x11), OptionalLong.of(0x4242));
        assertThat(options.examine(List.of(iid("0000000000000007"))).options()).containsExactly(iid("0000000000004242"));
        assertThat(options.examine(List.of(iid("0000000000004242"))).kind()).isEqualTo(RequestVerdict.Kind.ACK);
    }

    @Test
    void compressionUnknownAndMisSizedOptionsAreRejected() {
        var options = new Ipv6cpOptions(scripted(0x11), OptionalLong.empty());
        RequestVerdict v = options.examine(List.of(new ConfigOption(2, HEX.parseHex("004f")), iid("0001"),
                new ConfigOption(9, new byte[0]), iid("0000000000000000")));
        assertThat(v.kind()).isEqualTo(RequestVerdict.Kind.REJECT);
        assertThat(v.options()).containsExactly(new ConfigOption(2, HEX.parseHex("004f")), iid("0001"), new ConfigOption(9, new byte[0]));
    }

    @Test
    void aNakOfOursIsFollowedUnlessItIsZeroOrThePeers() {
        var options = new Ipv6cpOptions(scripted(0x11, 0x44), OptionalLong.empty());
        options.examine(List.of(iid("0000000000000033")));
        options.nakReceived(List.of(iid("0000000000000055")));
        assertThat(options.localIdentifier()).isEqualTo(0x55);
        options.nakReceived(List.of(iid("0000000000000033")));   // the peer's own: we pick another
        assertThat(options.localIdentifier()).isEqualTo(0x44);
        options.rejectReceived(List.of(iid("0000000000000044")));
        assertThat(options.ourRequest()).isEmpty();
        options.restart();
        assertThat(options.ourRequest()).containsExactly(iid("0000000000000044"));
    }
}
