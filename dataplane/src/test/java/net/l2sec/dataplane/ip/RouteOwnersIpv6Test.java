package net.l2sec.dataplane.ip;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** IPv6 routes across worker loops: a /64 or a delegated prefix has one owner, and TUN packets find it by destination. */
class RouteOwnersIpv6Test {
    final RouteOwners owners = new RouteOwners();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ClientRoutes worker0 = new ClientRoutes(registry, owners, 0);
    final ClientRoutes worker1 = new ClientRoutes(registry, owners, 1);

    static ByteBuf to(long high, long low) {
        return Unpooled.buffer().writeInt(0x6000_0000).writeShort(0).writeByte(59).writeByte(64)
                .writeLong(0x2001_0db8_ffff_0000L).writeLong(1).writeLong(high).writeLong(low);
    }

    @Test
    void aSlash64AndADelegatedPrefixHaveOneOwnerEach() {
        List<ByteBuf> a = new ArrayList<>();
        List<ByteBuf> b = new ArrayList<>();
        assertThat(worker0.register6(0x2001_0db8_0099_0001L, a::add)).isTrue();
        assertThat(worker1.register6(0x2001_0db8_0099_0001L, b::add)).as("held by worker 0").isFalse();
        assertThat(worker1.registerDelegated(new Ipv6Prefix(0x2001_0db8_aa00_0000L, 56), b::add)).isTrue();
        assertThat(worker0.registerDelegated(new Ipv6Prefix(0x2001_0db8_aa00_0000L, 48), a::add)).as("overlaps").isFalse();
        assertThat(worker0.registerDelegated(new Ipv6Prefix(0x2001_0db8_aa00_0004L, 62), a::add)).as("inside").isFalse();

        ByteBuf p = to(0x2001_0db8_0099_0001L, 5);
        ByteBuf q = to(0x2001_0db8_aa00_00ffL, 5);
        ByteBuf none = to(0x2001_0db8_0099_0002L, 5);
        assertThat(owners.ownerOfDestination(p)).isZero();
        assertThat(owners.ownerOfDestination(q)).isEqualTo(1);
        assertThat(owners.ownerOfDestination(none)).isEqualTo(RouteOwners.NONE);
        worker0.deliver(p);
        worker1.deliver(q);
        worker0.deliver(none);
        assertThat(a).containsExactly(p);
        assertThat(b).containsExactly(q);
        assertThat(none.refCnt()).isZero();
        assertThat(registry.get("l2sec.ip.dropped").tag("reason", "no_session").counter().count()).isEqualTo(1);
        ByteBuf truncated = Unpooled.buffer().writeInt(0x6000_0000).writeShort(100);
        worker0.deliver(truncated);
        assertThat(truncated.refCnt()).isZero();
        assertThat(registry.get("l2sec.ip.dropped").tag("reason", "malformed").counter().count()).isEqualTo(1);

        worker0.unregister6(0x2001_0db8_0099_0001L, a::add);   // another sink object: not the owner, nothing removed
        assertThat(owners.ownerOf6(0x2001_0db8_0099_0001L)).isZero();
        worker1.unregisterDelegated(new Ipv6Prefix(0x2001_0db8_aa00_0000L, 56), b::add);
        assertThat(owners.ownerOf6(0x2001_0db8_aa00_00ffL)).as("still the first sink's").isEqualTo(1);
        a.forEach(ByteBuf::release);
        b.forEach(ByteBuf::release);
    }

    @Test
    void unregisteringTheOwnerFreesTheRoute() {
        IpSink sink = ByteBuf::release;
        Ipv6Prefix delegated = new Ipv6Prefix(0x2001_0db8_aa00_0000L, 56);
        worker0.register6(0x2001_0db8_0099_0001L, sink);
        worker0.registerDelegated(delegated, sink);
        assertThat(worker0.size()).isEqualTo(2);
        assertThat(owners.size()).isEqualTo(2);
        worker0.unregister6(0x2001_0db8_0099_0001L, sink);
        worker0.unregisterDelegated(delegated, sink);
        assertThat(worker0.size()).isZero();
        assertThat(owners.size()).isZero();
        assertThat(worker1.register6(0x2001_0db8_0099_0001L, sink)).isTrue();
        assertThat(worker1.registerDelegated(delegated, sink)).isTrue();
    }
}
