package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.ClientKind;
import org.junit.jupiter.api.Test;

/**
 * Vendor IDs as clients send them in message 1, by their octets (the hex public logs show), to the names the session's
 * client identification carries, and the {@link ClientKind} those names make.
 */
class IsakmpVendorNamesTest {
    private static Payload.VendorId vid(String hex) {
        return new Payload.VendorId(HexFormat.of().parseHex(hex));
    }

    /** Windows 10's L2TP/IPsec message 1 as libreswan and strongSwan log it (libreswan issue 26, hwdsl2 issue 102). */
    static final List<Payload.VendorId> WINDOWS = List.of(
            vid("1e2b516905991c7d7c96fcbfb587e46100000009"),      // MS NT5 ISAKMPOAKLEY, version 9
            vid("4a131c81070358455c5728f20e95452f"),              // RFC 3947
            vid("90cb80913ebb696e086381b5ec427b1f"),              // draft-ietf-ipsec-nat-t-ike-02\n
            vid("4048b7d56ebce88525e7de7f00d6c2d3"),              // FRAGMENTATION
            vid("fb1de3cdf341b7ea16b7e5be0855f120"),              // MS-Negotiation Discovery Capable
            vid("26244d38eddb61b3172a36e3d0cfb819"),              // Vid-Initial-Contact
            vid("01528bbbc00696121849ab9a1c5b2a5100000001"));     // IKE CGA version 1 (unknown to us)

    @Test
    void windowsVendorIdsByName() {
        assertThat(IsakmpVendor.names(WINDOWS)).containsExactly("ms-nt5-isakmpoakley/v9", "rfc3947", "nat-t-draft-02n",
                "fragmentation", "ms-negotiation-discovery", "ms-initial-contact", "vid:01528bbb");
        assertThat(ClientIdentity.NONE.withIke(IsakmpVendor.names(WINDOWS), "ecp384").kind()).isEqualTo(ClientKind.WINDOWS);
        // the MS NT5 prefix without a version, and with another one (Windows 7 sends 8)
        assertThat(IsakmpVendor.names(List.of(vid("1e2b516905991c7d7c96fcbfb587e461")))).containsExactly("ms-nt5-isakmpoakley");
        assertThat(IsakmpVendor.names(List.of(vid("1e2b516905991c7d7c96fcbfb587e46100000008"))))
                .containsExactly("ms-nt5-isakmpoakley/v8");
    }

    @Test
    void strongSwanAppleAndRacoonVendorIds() {
        List<String> strongswan = IsakmpVendor.names(List.of(vid("882fe56d6fd20dbc2251613b2ebe5beb"),
                vid("afcad71368a1f1c96b8696fc77570100"), vid("4a131c81070358455c5728f20e95452f")));
        assertThat(strongswan).containsExactly("strongswan", "dpd", "rfc3947");
        assertThat(ClientIdentity.NONE.withIke(strongswan, "modp2048").kind()).isEqualTo(ClientKind.LINUX_STRONGSWAN);

        List<String> apple = IsakmpVendor.names(List.of(vid("4a131c81070358455c5728f20e95452f"),
                vid("4df37928e9fc4fd1b3262170d515c662"), vid("afcad71368a1f1c96b8696fc77570100")));
        assertThat(apple).containsExactly("rfc3947", "draft-ietf-ipsec-nat-t-ike", "dpd");
        assertThat(ClientIdentity.NONE.withIke(apple, "modp2048").kind()).isEqualTo(ClientKind.MACOS_IOS);

        assertThat(IsakmpVendor.names(List.of(vid("7003cbc1097dbe9c2600ba6983bc8b35"), vid("09002689dfd6b712"))))
                .containsExactly("kame-racoon", "xauth");
        // the NAT-T drafts we answer, and FRAGMENTATION with capability flags appended
        assertThat(IsakmpVendor.names(List.of(vid("7d9419a65310ca6f2c179d9215529d56"), vid("cd60464335df21f87cfdb2fc68b6a448"),
                vid("4048b7d56ebce88525e7de7f00d6c2d380000000"))))
                .containsExactly("nat-t-draft-03", "nat-t-draft-02", "fragmentation");
    }

    @Test
    void namesAreBoundedAndUnknownOnesCut() {
        List<Payload.VendorId> many = IntStream.range(0, 40).mapToObj(i -> vid("0a".repeat(i + 1))).toList();
        // eight named, the first two unknown ones by their first four octets (zero-filled when shorter)
        assertThat(IsakmpVendor.names(many)).hasSize(IsakmpVendor.MAX_NAMED)
                .startsWith("vid:0a000000", "vid:0a0a0000", "vid:?", "vid:?");
        assertThat(IsakmpVendor.names(List.of(vid("00".repeat(64))))).containsExactly("vid:00000000");
        assertThat(IsakmpVendor.names(List.of())).isEmpty();
    }

    /**
     * A half-open entry keeps the names as three numbers, whatever message 1 carried: its size is not the
     * peer's to choose (HalfOpenTable accounts entries at a fixed overhead).
     */
    @Test
    void announcedHoldsNoPerVendorIdObjects() {
        IsakmpVendor.Announced a = IsakmpVendor.process(WINDOWS);
        assertThat(IsakmpVendor.Announced.class.getRecordComponents()).extracting(c -> c.getType().getSimpleName())
                .containsExactly("NatT", "byte[]", "boolean", "boolean", "byte[]", "long", "int", "long");
        assertThat(a.msNt5Version()).isEqualTo(9);
        assertThat(a.names()).hasSize(WINDOWS.size());
    }
}
