package net.l2sec.spi.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The classifier against what real clients send: Windows RAS's LCP Identification messages and IKE vendor ID,
 * xl2tpd's and AOSP mtpd's SCCRQ, strongSwan's and Apple racoon's vendor IDs (by the names the IKE layer gives them).
 */
class ClientKindTest {
    private static ClientIdentity l2tp(String host, String vendor) {
        return ClientIdentity.ofL2tp(host, vendor);
    }

    @Test
    void windowsByItsLcpIdentificationMessages() {
        // Windows 10/11 RAS sends both, right after LCP opens (RFC 1570 section 2.1)
        ClientIdentity id = l2tp("DESKTOP-4F2KQ", "Microsoft").withLcpIdentification(List.of("MSRASV5.20", "MSRAS-0-DESKTOP-4F2KQ"));
        assertThat(id.kind()).isEqualTo(ClientKind.WINDOWS);
        // the version message alone suffices, and so does the host message alone
        assertThat(ClientIdentity.NONE.withLcpIdentification(List.of("MSRASV5.20")).kind()).isEqualTo(ClientKind.WINDOWS);
        assertThat(ClientIdentity.NONE.withLcpIdentification(List.of("MSRAS-0-LAPTOP")).kind()).isEqualTo(ClientKind.WINDOWS);
    }

    @Test
    void windowsByItsIkeVendorIdOrL2tpVendorName() {
        assertThat(ClientIdentity.NONE.withIke(List.of("ms-nt5-isakmpoakley/v9", "rfc3947", "fragmentation"), "modp2048").kind())
                .isEqualTo(ClientKind.WINDOWS);
        assertThat(ClientIdentity.NONE.withIke(List.of("ms-nt5-isakmpoakley"), "modp1024").kind()).isEqualTo(ClientKind.WINDOWS);
        assertThat(l2tp("PC1", "Microsoft").kind()).isEqualTo(ClientKind.WINDOWS);
    }

    @Test
    void linuxByXl2tpdsVendorNameOrStrongSwansVendorId() {
        // xl2tpd's SCCRQ: Host Name is the machine's name (or the lac's "hostname ="), Vendor Name "xelerance.com"
        assertThat(l2tp("vm", "xelerance.com").kind()).isEqualTo(ClientKind.LINUX_STRONGSWAN);
        assertThat(ClientIdentity.NONE.withIke(List.of("strongswan", "rfc3947", "dpd"), "modp2048").kind())
                .isEqualTo(ClientKind.LINUX_STRONGSWAN);
    }

    @Test
    void androidByMtpdsAnonymousHostName() {
        assertThat(l2tp("anonymous", null).kind()).isEqualTo(ClientKind.ANDROID);
        // a Vendor Name means it is not mtpd
        assertThat(l2tp("anonymous", "xelerance.com").kind()).isEqualTo(ClientKind.LINUX_STRONGSWAN);
    }

    @Test
    void appleByRacoonsUnnumberedNatTDraftVendorId() {
        assertThat(l2tp("MacBook-Pro", null).withIke(List.of("rfc3947", "draft-ietf-ipsec-nat-t-ike", "dpd"), "modp2048").kind())
                .isEqualTo(ClientKind.MACOS_IOS);
    }

    @Test
    void windowsWinsOverEverythingElseAndTheRestIsOther() {
        assertThat(l2tp("anonymous", null).withLcpIdentification(List.of("MSRASV5.20")).kind()).isEqualTo(ClientKind.WINDOWS);
        assertThat(ClientIdentity.NONE.kind()).isEqualTo(ClientKind.OTHER);
        assertThat(l2tp("router", "Cisco Systems").withIke(List.of("rfc3947", "vid:12f5f28c"), "ecp256").kind())
                .isEqualTo(ClientKind.OTHER);
        // a near miss of a prefix is not a match
        assertThat(ClientIdentity.NONE.withIke(List.of("ms-nt5-isakmpoakleyX"), "modp2048").kind()).isEqualTo(ClientKind.OTHER);
        assertThat(ClientIdentity.NONE.withLcpIdentification(List.of("msrasv5.20")).kind()).isEqualTo(ClientKind.OTHER);
    }

    @Test
    void hostIsTheL2tpHostNameElseTheComputerNameOfWindowsIdentification() {
        assertThat(l2tp("vm", "xelerance.com").host()).contains("vm");
        assertThat(ClientIdentity.NONE.withLcpIdentification(List.of("MSRASV5.20", "MSRAS-0-DESKTOP-4F2KQ")).host())
                .contains("DESKTOP-4F2KQ");
        assertThat(ClientIdentity.NONE.withLcpIdentification(List.of("MSRASV5.20")).host()).isEmpty();
        assertThat(ClientIdentity.NONE.host()).isEmpty();
    }

    @Test
    void messagesAreKeptOnceAndBounded() {
        ClientIdentity id = ClientIdentity.NONE.withLcpIdentification(List.of("MSRASV5.20", "MSRASV5.20", "MSRAS-0-A"));
        assertThat(id.lcpIdentification()).containsExactly("MSRASV5.20", "MSRAS-0-A");
        List<String> many = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "m" + i).toList();
        assertThat(ClientIdentity.NONE.withLcpIdentification(many).lcpIdentification()).hasSize(ClientIdentity.MAX_MESSAGES);
        assertThat(ClientIdentity.NONE.withIke(many, "modp2048").ikeVendorIds()).hasSize(ClientIdentity.MAX_MESSAGES);
    }

    @Test
    void labelsAreTheBoundedMetricSet() {
        assertThat(Arrays.stream(ClientKind.values()).map(ClientKind::label))
                .containsExactly("windows", "macos_ios", "android", "linux_strongswan", "other");
        assertThat(ClientIdentity.NONE.ikeGroupLabel()).isEqualTo("none");
    }
}
