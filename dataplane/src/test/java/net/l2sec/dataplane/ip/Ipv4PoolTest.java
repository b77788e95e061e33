package net.l2sec.dataplane.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class Ipv4PoolTest {
    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    static int addr(String s) throws Exception {
        return Ipv4.toInt(ip(s));
    }

    @Test
    void lowestFreeFirstAndSpecificAddresses() throws Exception {
        var pool = new Ipv4Pool("p", ip("10.0.0.1"), ip("10.0.0.3"));
        assertThat(pool.allocate()).contains(addr("10.0.0.1"));
        assertThat(pool.allocate(addr("10.0.0.3"))).isTrue();
        assertThat(pool.allocate(addr("10.0.0.3"))).isFalse();
        assertThat(pool.allocate()).contains(addr("10.0.0.2"));
        assertThat(pool.allocate()).isEmpty();
        pool.release(addr("10.0.0.2"));
        assertThat(pool.inUse()).isEqualTo(2);
    }

    @Test
    void replacedPoolKeepsAddressesInUseAndPassesLaterReleasesOn() throws Exception {
        var old = new Ipv4Pool("p", ip("10.0.0.1"), ip("10.0.0.10"));
        old.allocate(addr("10.0.0.2"));     // inside the new range
        old.allocate(addr("10.0.0.9"));     // outside it
        var next = new Ipv4Pool("p", ip("10.0.0.1"), ip("10.0.0.5"));
        old.replaceWith(next);
        assertThat(next.isAllocated(addr("10.0.0.2"))).as("a session's address is not handed out twice").isTrue();
        assertThat(next.inUse()).isEqualTo(1);
        assertThat(next.allocate()).contains(addr("10.0.0.1"));
        // the session holding 10.0.0.2 ends and releases to the pool it came from
        old.release(addr("10.0.0.2"));
        assertThat(next.isAllocated(addr("10.0.0.2"))).isFalse();
        old.release(addr("10.0.0.9"));
        assertThat(next.inUse()).isEqualTo(1);
    }
}
