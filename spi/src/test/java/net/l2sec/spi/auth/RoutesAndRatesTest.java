package net.l2sec.spi.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoutesAndRatesTest {
    @Test
    void routesParseAsNetworks() {
        assertThat(Ipv4Route.parse("10.1.0.0/16").toString()).isEqualTo("10.1.0.0/16");
        assertThat(Ipv4Route.parse(" 10.9.9.9 ").prefixLength()).isEqualTo(32);
        assertThat(Ipv4Route.parse("0.0.0.0/0").mask()).isZero();
        assertThat(Ipv4Route.parse("192.168.50.0/24").mask()).isEqualTo(0xffffff00);
        assertThatThrownBy(() -> Ipv4Route.parse("10.1.2.0/16")).hasMessage("10.1.2.0/16 has host bits set (the network is 10.1.0.0/16)");
        assertThatThrownBy(() -> Ipv4Route.parse("10.1.0.0/33")).hasMessage("prefix length 33 outside 0..32");
        assertThatThrownBy(() -> Ipv4Route.parse("corp.example.com/16")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4Route.parse("10.1.0.256/32")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4Route.parse("10.1.0.0/x")).hasMessageContaining("not a number");
    }

    @Test
    void ratesParseWithDecimalPrefixes() {
        assertThat(RateLimit.parseBitsPerSecond("10mbit")).isEqualTo(10_000_000);
        assertThat(RateLimit.parseBitsPerSecond("512kbit")).isEqualTo(512_000);
        assertThat(RateLimit.parseBitsPerSecond("1.5gbit")).isEqualTo(1_500_000_000);
        assertThat(RateLimit.parseBitsPerSecond("64000")).isEqualTo(64_000);
        assertThat(RateLimit.parseBitsPerSecond("2 Mbit")).isEqualTo(2_000_000);
        for (String bad : new String[] {"fast", "", "-1mbit", "0", "NaNmbit", "10mb"}) {
            assertThatThrownBy(() -> RateLimit.parseBitsPerSecond(bad)).as(bad).hasMessageContaining("is not a rate");
        }
        assertThat(new RateLimit(10_000_000, 2_000_000)).hasToString("down=10mbit up=2mbit");
        assertThat(new RateLimit(512_000, 0)).hasToString("down=512kbit up=-");
        assertThatThrownBy(() -> new RateLimit(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimit(1000, 0)).hasMessageContaining("outside");
    }
}
