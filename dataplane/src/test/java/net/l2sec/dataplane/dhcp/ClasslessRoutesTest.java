package net.l2sec.dataplane.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.ip.Ipv4;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClasslessRoutesTest {
    static int ip(String dotted) {
        try {
            return Ipv4.toInt((Inet4Address) InetAddress.getByName(dotted));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** RFC 3442's table of destination descriptors ("Subnet number / Subnet mask / Destination descriptor"). */
    @ParameterizedTest
    @CsvSource({
            "0.0.0.0,       0,  00",
            "10.0.0.0,      8,  080a",
            "10.0.0.0,      24, 180a0000",
            "10.17.0.0,     16, 100a11",
            "10.27.129.0,   24, 180a1b81",
            "10.229.0.128,  25, 190ae50080",
            "10.198.122.47, 32, 200ac67a2f",
    })
    void destinationDescriptorsOfRfc3442(String subnet, int width, String descriptor) throws Exception {
        int router = ip("10.99.0.1");
        byte[] encoded = ClasslessRoutes.encode(List.of(new ClasslessRoutes.Route(ip(subnet), width, router)));
        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(descriptor + "0a630001");
        assertThat(ClasslessRoutes.decode(encoded)).containsExactly(new ClasslessRoutes.Route(ip(subnet), width, router));
    }

    @Test
    void significantOctetsFollowTheRfcTable() {
        assertThat(ClasslessRoutes.significantOctets(0)).isZero();
        for (int w = 1; w <= 8; w++) assertThat(ClasslessRoutes.significantOctets(w)).isEqualTo(1);
        for (int w = 9; w <= 16; w++) assertThat(ClasslessRoutes.significantOctets(w)).isEqualTo(2);
        for (int w = 17; w <= 24; w++) assertThat(ClasslessRoutes.significantOctets(w)).isEqualTo(3);
        for (int w = 25; w <= 32; w++) assertThat(ClasslessRoutes.significantOctets(w)).isEqualTo(4);
    }

    @Test
    void severalRoutesFollowOneAnother() throws Exception {
        var routes = List.of(new ClasslessRoutes.Route(ip("10.1.0.0"), 16, ip("10.99.0.1")),
                new ClasslessRoutes.Route(ip("192.168.50.0"), 24, ip("10.99.0.1")));
        byte[] encoded = ClasslessRoutes.encode(routes);
        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("100a01" + "0a630001" + "18c0a832" + "0a630001");
        assertThat(ClasslessRoutes.decode(encoded)).isEqualTo(routes);
    }

    @Test
    void malformedRouteDataIsRefused() {
        assertThatThrownBy(() -> ClasslessRoutes.decode(HexFormat.of().parseHex("21" + "0a000000" + "0a630001")))
                .isInstanceOf(MalformedDhcpException.class).hasMessageContaining("width 33");
        assertThatThrownBy(() -> ClasslessRoutes.decode(HexFormat.of().parseHex("180a0000" + "0a63")))
                .isInstanceOf(MalformedDhcpException.class).hasMessageContaining("past the option");
        assertThatThrownBy(() -> ClasslessRoutes.decode(HexFormat.of().parseHex("080a01" + "0a630001")))
                .isInstanceOf(MalformedDhcpException.class);
        assertThatThrownBy(() -> new ClasslessRoutes.Route(ip("10.1.2.0"), 16, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
