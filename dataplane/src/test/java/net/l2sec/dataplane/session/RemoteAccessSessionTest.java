package net.l2sec.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.l2sec.dataplane.dhcp.DhcpCodec;
import net.l2sec.dataplane.dhcp.DhcpCodecTestAccess;
import net.l2sec.dataplane.dhcp.DhcpMessage;
import net.l2sec.dataplane.dhcp.DhcpMessageType;
import net.l2sec.dataplane.dhcp.DhcpOptionCode;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ip.TcpMss;
import net.l2sec.dataplane.ip.Udp;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.SessionProtocol;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** IKEv2 clients' sessions: what the responder opens after IKE_AUTH, and its packets both ways. */
class RemoteAccessSessionTest {
    static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 4500);
    static final int CLIENT = 0x0a63000a;       // 10.99.0.10, the pool's first
    static final long PREFIX = 0x2001_0db8_0099_0000L;

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Ipv4Pool pool = new Ipv4Pool("default", ip("10.99.0.10"), ip("10.99.0.11"));
    final Ipv6Pool pool6 = new Ipv6Pool("default6", new Ipv6Prefix(PREFIX, 48));
    final ClientRoutes routes = new ClientRoutes(registry);
    final List<ByteBuf> egress = new ArrayList<>();
    final List<ByteBuf> sent = new ArrayList<>();
    final List<EndCause> disconnects = new ArrayList<>();
    final List<String> accounting = new ArrayList<>();
    /** What accounting is told of the client's outer address: moves, and the Stop's. */
    final List<String> peers = new ArrayList<>();
    final SessionRegistry sessions = new SessionRegistry();
    boolean sa = true;
    final RemoteAccessSettings settings = new RemoteAccessSettings("default", Optional.of("default6"), ip("10.99.0.1"), 24,
            List.of(ip("10.1.0.53")), List.of(ip("10.1.0.54")), List.of(ip6("2001:db8:1::53")), 1340);
    final RemoteAccessSessions factory = new RemoteAccessSessions(settings, n -> n.equals("default") ? Optional.of(pool) : Optional.empty(),
            n -> n.equals("default6") ? Optional.of(pool6) : Optional.empty(), routes, egress::add, scheduler, sessions,
            registry, java.time.Clock.fixed(Instant.parse("2026-12-05T09:00:00Z"), ZoneOffset.UTC));

    RemoteAccessSessionTest() {
        sessions.observer(new SessionObserver() {
            @Override
            public void started(ActiveSession s) {
                accounting.add("start " + s.user() + " " + s.address().getHostAddress() + " " + s.protocol());
            }

            @Override
            public void stopped(ActiveSession s, SessionCounters counters, TerminateCause cause) {
                accounting.add("stop " + s.user() + " " + cause + " in=" + counters.inputOctets() + " out=" + counters.outputOctets());
                peers.add("stop " + s.peer());
            }

            @Override
            public void peerMoved(ActiveSession s, InetSocketAddress from) {
                peers.add("moved " + from + " -> " + s.peer() + " " + s.acctSessionId());
            }
        });
    }

    @AfterEach
    void release() {
        egress.forEach(ByteBuf::release);
        sent.forEach(ByteBuf::release);
    }

    static Inet4Address ip(String s) {
        return (Inet4Address) InetAddress.ofLiteral(s);
    }

    static Inet6Address ip6(String s) {
        return (Inet6Address) InetAddress.ofLiteral(s);
    }

    static AuthResult.Accept accept(String user, Authorization z) {
        return new AuthResult.Accept(user, Optional.empty(), z);
    }

    RemoteAccessSessions.Opening open(String user, Authorization z, boolean ipv6) {
        SessionContext context = factory.context("ike2=" + user, PEER, ClientIdentity.NONE.withIke(List.of(), "ecp256"));
        return factory.open(context, AuthMethod.EAP_MSCHAPV2, accept(user, z), ipv6, packet -> {
            if (!sa) {
                packet.release();
                return false;
            }
            sent.add(packet);
            return true;
        }, disconnects::add);
    }

    RemoteAccessSessions.Opened opened(String user, Authorization z, boolean ipv6) {
        var o = open(user, z, ipv6);
        assertThat(o).isInstanceOf(RemoteAccessSessions.Opened.class);
        return (RemoteAccessSessions.Opened) o;
    }

    /** A minimal IPv4 packet (UDP, 8 octets of payload; checksum fields not checked on this path). */
    static ByteBuf ipv4(int source, int destination) {
        ByteBuf b = Unpooled.buffer(36);
        b.writeByte(0x45).writeByte(0).writeShort(36).writeShort(0).writeShort(0).writeByte(64).writeByte(17).writeShort(0)
                .writeInt(source).writeInt(destination);
        b.writeShort(5000).writeShort(53).writeShort(16).writeShort(0).writeLong(0);
        return b;
    }

    /** IPv4 TCP SYN with MSS 1460. */
    static ByteBuf syn(int source, int destination) {
        ByteBuf b = Unpooled.buffer(44);
        b.writeByte(0x45).writeByte(0).writeShort(44).writeShort(0).writeShort(0).writeByte(64).writeByte(6).writeShort(0)
                .writeInt(source).writeInt(destination);
        b.writeShort(40000).writeShort(443).writeInt(1).writeInt(0).writeByte(6 << 4).writeByte(0x02).writeShort(65535)
                .writeShort(0).writeShort(0).writeByte(2).writeByte(4).writeShort(1460);
        return b;
    }

    static ByteBuf ipv6(long sourceHigh, long destinationHigh) {
        ByteBuf b = Unpooled.buffer(48);
        b.writeInt(0x6000_0000).writeShort(8).writeByte(58).writeByte(64).writeLong(sourceHigh).writeLong(5)
                .writeLong(destinationHigh).writeLong(1).writeLong(0);
        return b;
    }

    double dropped(String reason, String family) {
        return registry.get("l2sec.ikev2.ip.dropped").tags("reason", reason, "family", family).counter().count();
    }

    @Test
    void anOpenedSessionHasItsAddressRoutedAndIsInTheRegistryAsIkev2() throws Exception {
        var z = Authorization.defaults("staff").withRoutes(List.of(Ipv4Route.parse("10.1.0.0/16")))
                .withDomain(Optional.of("corp.example.com"));
        var o = opened("alice", z, false);
        assertThat(o.address()).isEqualTo(ip("10.99.0.10"));
        assertThat(o.address6()).isEmpty();
        assertThat(o.dns()).containsExactly(ip("10.1.0.53"));
        assertThat(o.nbns()).containsExactly(ip("10.1.0.54"));
        assertThat(o.dns6()).isEmpty();
        assertThat(o.routes()).containsExactly(Ipv4Route.parse("10.1.0.0/16"));
        assertThat(o.domain()).contains("corp.example.com");
        assertThat(routes.size()).isEqualTo(1);
        assertThat(accounting).containsExactly("start alice 10.99.0.10 IKEV2");
        assertThat(registry.get("l2sec.ikev2.sessions.active").gauge().value()).isEqualTo(1);

        var listed = sessions.sessions().toCompletableFuture();
        scheduler.runPending();
        ActiveSession s = listed.get().getFirst();
        assertThat(s.protocol()).isEqualTo(SessionProtocol.IKEV2);
        assertThat(s.method()).isEqualTo(AuthMethod.EAP_MSCHAPV2);
        assertThat(s.tag()).isEqualTo("ike2=alice");
        assertThat(s.client().ikeGroup()).isEqualTo("ecp256");
        assertThat(s.acctSessionId()).matches("[0-9A-F]{8}-0000[0-9A-F]{4}");
        assertThat(s.nasPort()).isBetween(1L, 0xffffL);
    }

    @Test
    void contextsAreUniqueAndMarkedIkev2() {
        SessionContext a = factory.context("ike2=1", PEER, ClientIdentity.NONE);
        SessionContext b = factory.context("ike2=2", PEER, ClientIdentity.NONE);
        assertThat(a.protocol()).isEqualTo(SessionProtocol.IKEV2);
        assertThat(a.localTunnelId()).isZero();
        assertThat(a.acctSessionId()).isNotEqualTo(b.acctSessionId());
        assertThat(a.nasPort()).isNotEqualTo(b.nasPort());
        for (int i = 0; i < 70_000; i++) assertThat(RemoteAccessSessions.nextId()).isBetween(1, 0xffff);
    }

    @Test
    void packetsPassBothWaysAndAreCountedASpoofedSourceIsDropped() {
        var o = opened("alice", Authorization.defaults("staff"), false);
        RemoteAccessSession s = o.session();
        s.receive(ipv4(CLIENT, 0x08080808));
        ByteBuf spoofed = ipv4(0x0a63000b, 0x08080808);
        s.receive(spoofed);
        ByteBuf garbage = Unpooled.buffer().writeBytes(new byte[] {0x45, 0, 0, 1});
        s.receive(garbage);
        assertThat(egress).hasSize(1);
        assertThat(spoofed.refCnt()).isZero();
        assertThat(garbage.refCnt()).isZero();
        assertThat(dropped("spoofed_source", "ipv4")).isEqualTo(1);
        assertThat(dropped("malformed", "ipv4")).isEqualTo(1);

        routes.deliver(ipv4(0x08080808, CLIENT));            // the TUN device's packet for the client's address
        assertThat(sent).hasSize(1);
        sa = false;
        s.sendIp(ipv4(0x08080808, CLIENT));                  // no SA right now: the sender counted and released it
        assertThat(s.counters()).isEqualTo(new SessionCounters(36, 36, 1, 1));
        assertThat(registry.get("l2sec.ikev2.ip.packets").tag("direction", "from_client").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.ikev2.ip.bytes").tag("direction", "to_client").functionCounter().count()).isEqualTo(36);
    }

    @Test
    void ipv6FromItsSlash64PassesOtherSourcesAndLinkScopeAreDropped() {
        var o = opened("alice", Authorization.defaults("staff"), true);
        assertThat(o.prefix6()).contains(new Ipv6Prefix(PREFIX, 64));
        assertThat(o.address6()).contains(Ipv6.address(PREFIX, 1));
        assertThat(o.dns6()).containsExactly(ip6("2001:db8:1::53"));
        assertThat(routes.size()).isEqualTo(2);
        RemoteAccessSession s = o.session();
        s.receive(ipv6(PREFIX, 0x2001_0db8_ffff_0000L));
        s.receive(ipv6(PREFIX + 1, 0x2001_0db8_ffff_0000L));
        s.receive(ipv6(PREFIX, 0xfe80_0000_0000_0000L));
        assertThat(egress).hasSize(1);
        assertThat(dropped("spoofed_source", "ipv6")).isEqualTo(1);
        assertThat(dropped("link_scope", "ipv6")).isEqualTo(1);
        s.close(EndCause.PEER_REQUEST);
        assertThat(routes.size()).isZero();
        assertThat(pool6.inUse()).isZero();

        var v4only = opened("bob", Authorization.defaults("staff"), false).session();
        v4only.receive(ipv6(PREFIX, 0x2001_0db8_ffff_0000L));
        assertThat(dropped("not_open", "ipv6")).isEqualTo(1);
    }

    @Test
    void aDhcpInformIsAnsweredBackThroughTheTunnel() throws Exception {
        var z = Authorization.defaults("staff").withRoutes(List.of(Ipv4Route.parse("10.1.0.0/16")));
        RemoteAccessSession s = opened("alice", z, false).session();
        DhcpMessage inform = DhcpCodecTestAccess.windowsInform(CLIENT);
        s.receive(Udp.datagram(ByteBufAllocator.DEFAULT, CLIENT, 0xffffffff, 68, 67, DhcpCodec.encodedLength(inform),
                out -> DhcpCodec.encode(inform, out)));
        assertThat(egress).as("never reaches the TUN device").isEmpty();
        ByteBuf ip = sent.getFirst();
        assertThat(Ipv4.source(ip)).isEqualTo(Ipv4.toInt(ip("10.99.0.1")));
        assertThat(Ipv4.destination(ip)).isEqualTo(CLIENT);
        int payload = Udp.checkedPayload(ip);
        DhcpMessage ack = DhcpCodec.decode(ip.slice(payload, Udp.payloadLength(ip)));
        assertThat(ack.messageType()).contains(DhcpMessageType.DHCPACK);
        assertThat(ack.option(DhcpOptionCode.MS_CLASSLESS_STATIC_ROUTE)).isPresent();
        assertThat(registry.get("l2sec.ikev2.dhcp.replies").counter().count()).isEqualTo(1);
    }

    @Test
    void tcpSynsAreClampedBothWays() {
        RemoteAccessSession s = opened("alice", Authorization.defaults("staff"), false).session();
        s.receive(syn(CLIENT, 0x08080808));
        s.sendIp(syn(0x08080808, CLIENT));
        assertThat(egress.getFirst().getUnsignedShort(TcpMss.mssOffset(egress.getFirst()))).isEqualTo(1340);
        assertThat(sent.getFirst().getUnsignedShort(TcpMss.mssOffset(sent.getFirst()))).isEqualTo(1340);
        assertThat(registry.get("l2sec.ikev2.mss.clamped").tag("direction", "from_client").counter().count()).isEqualTo(1);
        assertThat(registry.get("l2sec.ikev2.mss.clamped").tag("direction", "to_client").counter().count()).isEqualTo(1);
    }

    @Test
    void aBandwidthLimitPolicesEachDirection() {
        var z = Authorization.defaults("staff").withRateLimit(Optional.of(new RateLimit(16_000, 16_000)));   // 2000 B/s, burst 15000
        RemoteAccessSession s = opened("alice", z, false).session();
        for (int i = 0; i < 500; i++) s.receive(ipv4(CLIENT, 0x08080808));   // 18000 octets at once
        assertThat(egress).hasSize(15_000 / 36);
        assertThat(registry.get("l2sec.ikev2.ip.rate_limited").tag("direction", "from_client").functionCounter().count())
                .isEqualTo(500 - 15_000 / 36);
    }

    @Test
    void sessionAndIdleTimeoutsAskTheResponderToEndTheSession() {
        var z = new Authorization("staff", Optional.empty(), List.of(), Optional.of(Duration.ofHours(1)),
                Optional.of(Duration.ofMinutes(10)));
        RemoteAccessSession s = opened("alice", z, false).session();
        scheduler.advance(Duration.ofMinutes(9));
        s.receive(ipv4(CLIENT, 0x08080808));
        scheduler.advance(Duration.ofMinutes(9));
        assertThat(disconnects).as("traffic kept it from idling").isEmpty();
        scheduler.advance(Duration.ofMinutes(2));
        assertThat(disconnects).containsExactly(EndCause.IDLE_TIMEOUT);
        assertThat(s.state()).isEqualTo(RemoteAccessSession.State.ENDING);
        scheduler.advance(Duration.ofHours(1));
        assertThat(disconnects).as("told once").hasSize(1);
        s.close(EndCause.PEER_REQUEST);                      // the responder deleted the IKE SA
        assertThat(accounting.getLast()).isEqualTo("stop alice IDLE_TIMEOUT in=36 out=0");

        RemoteAccessSession t = opened("bob", z, false).session();
        for (int i = 0; i < 7; i++) {
            scheduler.advance(Duration.ofMinutes(9));
            t.receive(ipv4(Ipv4.toInt(t.clientAddress()), 0x08080808));
        }
        assertThat(disconnects).containsExactly(EndCause.IDLE_TIMEOUT, EndCause.SESSION_TIMEOUT);
    }

    @Test
    void aMovedPeerIsTheSessionsPeerForTheAdminViewAndAccountingFromThenOn() throws Exception {
        RemoteAccessSession s = opened("alice", Authorization.defaults("staff"), false).session();
        String id = s.context().acctSessionId();
        InetSocketAddress moved = new InetSocketAddress("203.0.113.9", 61000);
        s.peerMoved(moved);
        s.peerMoved(moved);     // the same address again (a retransmitted UPDATE_SA_ADDRESSES): nothing to tell
        assertThat(peers).containsExactly("moved " + PEER + " -> " + moved + " " + id);
        var listed = sessions.sessions().toCompletableFuture();
        scheduler.runPending();
        assertThat(listed.get().getFirst().peer()).as("admin sessions").isEqualTo(moved);
        assertThat(s.active().orElseThrow().peer()).isEqualTo(moved);
        // the Acct-Session-Id is the same: the registry still finds the session, Interim counters included
        var counters = sessions.counters(id).toCompletableFuture();
        scheduler.runPending();
        assertThat(counters.get()).isPresent();
        s.receive(ipv4(CLIENT, 0x08080808));
        assertThat(egress).as("the packet path does not care where the client is").hasSize(1);
        s.close(EndCause.PEER_REQUEST);
        assertThat(peers.getLast()).isEqualTo("stop " + moved);
        s.peerMoved(PEER);
        assertThat(peers).as("a closed session does not move").hasSize(2);
    }

    @Test
    void anOperatorsDisconnectReachesTheResponderAndAccountingReportsAdminReset() throws Exception {
        RemoteAccessSession s = opened("alice", Authorization.defaults("staff"), false).session();
        String id = s.context().acctSessionId();
        var done = sessions.disconnect(id, TerminateCause.ADMIN_RESET).toCompletableFuture();
        scheduler.runPending();
        assertThat(done.get()).isTrue();
        assertThat(disconnects).containsExactly(EndCause.ADMIN_DISCONNECT);
        s.close(EndCause.PEER_REQUEST);
        assertThat(accounting.getLast()).startsWith("stop alice ADMIN_RESET");
        var again = sessions.disconnect(id, TerminateCause.ADMIN_RESET).toCompletableFuture();
        scheduler.runPending();
        assertThat(again.get()).as("gone from the registry").isFalse();

        RemoteAccessSession t = opened("bob", Authorization.defaults("staff"), false).session();
        var coa = sessions.reauthorize(t.context().acctSessionId(), Optional.of(Duration.ofMinutes(5)), Optional.empty())
                .toCompletableFuture();
        scheduler.runPending();
        assertThat(coa.get()).isTrue();
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(disconnects).containsExactly(EndCause.ADMIN_DISCONNECT, EndCause.SESSION_TIMEOUT);
    }

    @Test
    void maxSessionsRefusesWithoutTakingAnAddress() {
        var one = Authorization.defaults("staff").withMaxSessions(OptionalInt.of(1));
        RemoteAccessSession first = opened("alice", one, false).session();
        var refused = open("ALICE", one, false);
        assertThat(refused).isEqualTo(new RemoteAccessSessions.Refused(EndCause.SESSION_LIMIT,
                "rule=staff allows 1 sessions, user ALICE has 1"));
        assertThat(pool.inUse()).isEqualTo(1);
        assertThat(registry.get("l2sec.ikev2.sessions.refused").tag("reason", "session_limit").counter().count()).isEqualTo(1);

        var capped = Authorization.defaults("contractors").withMaxSessionsTotal(OptionalInt.of(1));
        opened("carol", capped, false);
        assertThat(open("dave", capped, false)).isInstanceOf(RemoteAccessSessions.Refused.class)
                .extracting(r -> ((RemoteAccessSessions.Refused) r).cause()).isEqualTo(EndCause.RULE_SESSION_LIMIT);

        first.close(EndCause.PEER_REQUEST);
        assertThat(open("alice", one, false)).as("the place came back").isInstanceOf(RemoteAccessSessions.Opened.class);
    }

    @Test
    void theAddressGoesBackToThePoolOnClose() {
        RemoteAccessSession a = opened("alice", Authorization.defaults("staff"), false).session();
        opened("bob", Authorization.defaults("staff"), false);
        assertThat(open("carol", Authorization.defaults("staff"), false)).isEqualTo(
                new RemoteAccessSessions.Refused(EndCause.POOL_EXHAUSTED, "no IPv4 address"));
        assertThat(open("carol", Authorization.defaults("staff").withRule("x"), false)).isInstanceOf(RemoteAccessSessions.Refused.class);
        var noPool = new Authorization("staff", Optional.of("nowhere"), List.of(), Optional.empty(), Optional.empty());
        assertThat(((RemoteAccessSessions.Refused) open("carol", noPool, false)).cause()).isEqualTo(EndCause.NO_POOL);
        assertThat(sessions.sessionsOf("carol")).as("refusals give their place back").isZero();

        a.close(EndCause.PEER_REQUEST);
        a.close(EndCause.SHUTDOWN);                          // idempotent
        assertThat(routes.size()).isEqualTo(1);
        assertThat(registry.get("l2sec.ikev2.sessions.active").gauge().value()).isEqualTo(1);
        ByteBuf late = ipv4(CLIENT, 0x08080808);
        a.receive(late);
        assertThat(late.refCnt()).isZero();
        assertThat(dropped("not_open", "ipv4")).isEqualTo(1);
        var again = opened("carol", Authorization.defaults("staff"), false);
        assertThat(again.address()).as("alice's address, free again").isEqualTo(ip("10.99.0.10"));
        assertThat(accounting).contains("stop alice USER_REQUEST in=0 out=0");   // RFC 2866 User-Request
    }
}
