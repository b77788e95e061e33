package net.l2sec.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;

class AddressAssignmentTest {
    static Inet4Address ip(String s) {
        return (Inet4Address) java.net.InetAddress.ofLiteral(s);
    }

    final Ipv4Pool standard = new Ipv4Pool("default", ip("10.99.0.10"), ip("10.99.0.11"));
    final Ipv4Pool staff = new Ipv4Pool("staff", ip("10.98.0.10"), ip("10.98.0.10"));
    final AddressAssignment assignment = new AddressAssignment("t1/s1",
            name -> List.of(standard, staff).stream().filter(p -> p.name().equals(name)).findFirst(), "default");

    static Authorization pool(String name) {
        return new Authorization("r", Optional.of(name), List.of(), Optional.empty(), Optional.empty());
    }

    static Authorization fixed(Inet4Address address) {
        return new Authorization("r", Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                Optional.of(address), List.of(), Set.of(), Optional.empty());
    }

    @Test
    void lowestFreeAddressOfTheDefaultPoolGoesBackOnRelease() {
        assertThat(assignment.assign(Authorization.defaults("r"))).isEmpty();
        assertThat(assignment.current()).contains(ip("10.99.0.10"));
        assertThat(standard.inUse()).isEqualTo(1);
        assignment.release();
        assignment.release();                                   // once only
        assertThat(assignment.current()).isEmpty();
        assertThat(standard.inUse()).isZero();
    }

    @Test
    void theAuthorizationsPool() {
        assertThat(assignment.assign(pool("staff"))).isEmpty();
        assertThat(assignment.current()).contains(ip("10.98.0.10"));
        assertThat(new AddressAssignment("t1/s2", name -> Optional.of(staff), "default").assign(pool("staff")))
                .contains(EndCause.POOL_EXHAUSTED);
    }

    @Test
    void unknownPool() {
        assertThat(assignment.assign(pool("nope"))).contains(EndCause.NO_POOL);
        assertThat(assignment.current()).isEmpty();
    }

    @Test
    void framedIpAddressInThePoolIsTakenFromItAndCannotBeTakenTwice() {
        assertThat(assignment.assign(fixed(ip("10.99.0.11")))).isEmpty();
        assertThat(standard.isAllocated(Ipv4.toInt(ip("10.99.0.11")))).isTrue();
        var other = new AddressAssignment("t1/s2", name -> Optional.of(standard), "default");
        assertThat(other.assign(fixed(ip("10.99.0.11")))).contains(EndCause.ADDRESS_IN_USE);
        assignment.release();
        assertThat(standard.inUse()).isZero();
    }

    @Test
    void framedIpAddressOutsideThePoolIsUsedAsIs() {
        assertThat(assignment.assign(fixed(ip("192.0.2.77")))).isEmpty();
        assertThat(assignment.current()).contains(ip("192.0.2.77"));
        assertThat(standard.inUse()).isZero();
        assignment.release();
        assertThat(assignment.current()).isEmpty();
    }
}
