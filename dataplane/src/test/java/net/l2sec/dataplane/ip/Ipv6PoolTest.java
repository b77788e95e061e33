package net.l2sec.dataplane.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class Ipv6PoolTest {
    static Inet6Address ip6(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    @Test
    void handsOutSlash64sLowestFirstSkippingTheReservedOne() throws Exception {
        var pool = new Ipv6Pool("p", Ipv6Prefix.of(ip6("2001:db8:99::"), 62));
        pool.reserve(Ipv6.high(ip6("2001:db8:99::1")));
        assertThat(pool.size()).isEqualTo(4);
        assertThat(pool.allocate()).hasValue(0x2001_0db8_0099_0001L);
        assertThat(pool.allocate(0x2001_0db8_0099_0003L)).isTrue();
        assertThat(pool.allocate(0x2001_0db8_0099_0003L)).as("taken").isFalse();
        assertThat(pool.allocate(0x2001_0db8_0099_0000L)).as("reserved").isFalse();
        assertThat(pool.allocate(0x2001_0db8_0098_0000L)).as("outside").isFalse();
        assertThat(pool.allocate()).hasValue(0x2001_0db8_0099_0002L);
        assertThat(pool.allocate()).isEmpty();
        assertThat(pool.inUse()).isEqualTo(3);
        pool.release(0x2001_0db8_0099_0001L);
        pool.release(0x2001_0db8_0099_0000L);   // the reserved one stays reserved
        assertThat(pool.inUse()).isEqualTo(2);
        assertThat(pool.allocate()).hasValue(0x2001_0db8_0099_0001L);
        var registry = new SimpleMeterRegistry();
        pool.bindTo(registry);
        assertThat(registry.get("l2sec.pool6.prefixes").tag("state", "total").gauge().value()).isEqualTo(4);
        assertThat(registry.get("l2sec.pool6.prefixes").tag("state", "used").gauge().value()).isEqualTo(3);
    }

    @Test
    void aSlash48Has65536AndAHugePrefixIsCapped() throws Exception {
        assertThat(new Ipv6Pool("p", Ipv6Prefix.of(ip6("2001:db8:99::"), 48)).size()).isEqualTo(65536);
        assertThat(new Ipv6Pool("p", Ipv6Prefix.of(ip6("2001:db8::"), 32)).size()).isEqualTo(Ipv6Pool.MAX_SIZE);
        assertThatThrownBy(() -> new Ipv6Pool("p", Ipv6Prefix.of(ip6("2001::"), 16))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressTextAndPrefixes() throws Exception {
        assertThat(Ipv6.text(ip6("2001:db8:99:1::"))).isEqualTo("2001:db8:99:1::");
        assertThat(Ipv6.text(ip6("fe80::211:2233:4455:6677"))).isEqualTo("fe80::211:2233:4455:6677");
        assertThat(Ipv6.text(ip6("2001:0:0:1::1"))).isEqualTo("2001:0:0:1::1");
        assertThat(Ipv6.text(0, 0)).isEqualTo("::");
        assertThat(Ipv6.text(0, 1)).isEqualTo("::1");
        assertThat(Ipv6.isLinkLocal(Ipv6.high(ip6("febf::1")))).isTrue();
        assertThat(Ipv6.isLinkLocal(Ipv6.high(ip6("fec0::1")))).isFalse();
        assertThat(Ipv6.isMulticast(Ipv6.high(ip6("ff02::1")))).isTrue();
        assertThat(Ipv6Prefix.of(ip6("2001:db8:99:ff::"), 48).toString()).isEqualTo("2001:db8:99::/48");
        assertThatThrownBy(() -> new Ipv6Prefix(0x2001_0db8_0099_0001L, 48)).isInstanceOf(IllegalArgumentException.class);
    }
}
