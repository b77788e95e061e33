package net.l2sec.dataplane.ppp;

import static net.l2sec.dataplane.ppp.PppHarness.HEX;
import static net.l2sec.dataplane.ppp.PppHarness.opt;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ip.nd.NdCodec;
import net.l2sec.dataplane.ip.nd.NdMessage;
import net.l2sec.dataplane.ip.nd.NdOption;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureNak;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session with an IPv6 pool: IPV6CP, Router Advertisements, the IPv6 packet path both ways and its anti-spoofing. */
class PppSessionIpv6Test {
    static final long PREFIX = 0x2001_0db8_0099_0000L;   // the pool's first /64: 2001:db8:99::/64
    static final long PEER_IID = 0x0211_2233_4455_6677L;

    final PppHarness h = new PppHarness();
    /** What RADIUS assigns for IPv6; null: the local backend, nothing assigned. */
    net.l2sec.spi.auth.Ipv6Framing radius;

    @AfterEach
    void noLeaks() {
        h.releaseAll();
        assertThat(h.everSentReleased()).as("every frame sent to the link released").isTrue();
    }

    static Inet6Address ip6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static PppSettings settings() {
        return PppHarness.settingsWithoutEcho(AuthMethod.PAP).withIpv6(
                new PppSettings.Ipv6(Optional.of("default6"), List.of(ip6("2001:db8:99::53")), Duration.ofSeconds(600)));
    }

    void authenticatedWithIpcp() throws Exception {
        h.backend = PppSessionTest::localBackend;
        if (radius != null) h.backend = r -> new net.l2sec.spi.auth.AuthResult.Accept("User", Optional.empty(),
                net.l2sec.spi.auth.Authorization.defaults("radius").withIpv6(radius));
        h.start(settings());
        h.openLcp();
        h.receive(0xC023, PapCodec.encode(new PapPacket.AuthenticateRequest(5, "User".getBytes(), "clientPass".getBytes())));
        List<PppHarness.Out> out = h.drain();
        assertThat(PapCodec.decode(Unpooled.wrappedBuffer(out.getFirst().info()))).isInstanceOf(PapPacket.AuthenticateAck.class);
        h.pushBack(out.subList(1, out.size()));
        List<PppHarness.Out> network = h.drain();
        var ours = (ConfigureRequest) network.stream().filter(o -> o.protocol() == 0x8021).findFirst().orElseThrow().control(false);
        h.pushBack(network.stream().filter(o -> o.protocol() != 0x8021).toList());   // IPV6CP's request, for the test
        h.ipcp(new ConfigureRequest(1, List.of(opt(3, "0a63000a"))));
        h.ipcp(new ConfigureAck(ours.identifier(), ours.options()));
        assertThat(h.session.isIpcpOpened()).isTrue();
    }

    void ipv6cp(ControlPacket p) {
        h.receive(0x8057, net.l2sec.dataplane.ppp.cp.ControlPacketCodec.encode(p));
    }

    /** IPV6CP to Opened; returns our Interface-Identifier and leaves our first Router Advertisement unread. */
    long openIpv6cp() throws Exception {
        authenticatedWithIpcp();
        List<PppHarness.Out> frames = h.drain();
        var ours = (ConfigureRequest) frames.stream().filter(o -> o.protocol() == 0x8057).findFirst().orElseThrow().control(false);
        long local = ours.options().getFirst().dataAsLong();
        assertThat(ours.options()).singleElement().extracting(ConfigOption::type).isEqualTo(1);
        assertThat(local).isNotZero();
        // RFC 5072 section 4.1: a zero identifier is Nak'd with a non-zero suggestion
        ipv6cp(new ConfigureRequest(1, List.of(opt(1, "0000000000000000"))));
        var nak = (ConfigureNak) h.drainControl(0x8057).getFirst();
        long suggested = nak.options().getFirst().dataAsLong();
        assertThat(suggested).isNotZero().isNotEqualTo(local);
        ipv6cp(new ConfigureRequest(2, List.of(ConfigOption.ofInt(1, PEER_IID, 8))));
        assertThat(h.drainControl(0x8057)).singleElement().isInstanceOf(ConfigureAck.class);
        ipv6cp(new ConfigureAck(ours.identifier(), ours.options()));
        assertThat(h.session.isIpv6cpOpened()).isTrue();
        return local;
    }

    static byte[] ipv6(long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader, int hopLimit, byte[] payload) {
        ByteBuf b = Unpooled.buffer().writeInt(0x6000_0000).writeShort(payload.length).writeByte(nextHeader).writeByte(hopLimit)
                .writeLong(srcHigh).writeLong(srcLow).writeLong(dstHigh).writeLong(dstLow).writeBytes(payload);
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    static byte[] routerSolicitation(long srcHigh, long srcLow, int hopLimit) {
        ByteBuf b = NdCodec.encode(UnpooledByteBufAllocator.DEFAULT, 0, new NdMessage.RouterSolicitation(List.of()), srcHigh,
                srcLow, Ipv6.ALL_NODES_HIGH, Ipv6.ALL_ROUTERS_LOW);
        b.setByte(b.readerIndex() + 7, hopLimit);   // not covered by the checksum
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    NdMessage.RouterAdvertisement onlyAdvertisement() throws Exception {
        PppHarness.Out ra = h.only(0x0057);
        return (NdMessage.RouterAdvertisement) NdCodec.decode(Unpooled.wrappedBuffer(ra.info()));
    }

    @Test
    void ipv6cpOpensAndTheRouterAdvertisementCarriesTheSessionsSlash64() throws Exception {
        long local = openIpv6cp();
        PppHarness.Out frame = h.only(0x0057);
        ByteBuf raw = Unpooled.wrappedBuffer(frame.info());
        assertThat(Ipv6.hopLimit(raw)).isEqualTo(255);
        assertThat(Ipv6.sourceHigh(raw)).isEqualTo(Ipv6.LINK_LOCAL_PREFIX);
        assertThat(Ipv6.sourceLow(raw)).isEqualTo(local);
        assertThat(Ipv6.destinationHigh(raw)).isEqualTo(Ipv6.ALL_NODES_HIGH);
        var ra = (NdMessage.RouterAdvertisement) NdCodec.decode(raw);   // checks the checksum too
        assertThat(ra.routerLifetime()).isEqualTo(1800);
        assertThat(ra.options()).containsExactly(
                new NdOption.PrefixInformation(new Ipv6Prefix(PREFIX, 64), true, true, 2_592_000, 604_800),
                new NdOption.Mtu(1400),
                new NdOption.RecursiveDnsServer(1800, List.of(ip6("2001:db8:99::53"))));
        assertThat(h.session.clientPrefix()).contains(new Ipv6Prefix(PREFIX, 64));
        // accounting reports it (RFC 3162 Framed-IPv6-Prefix)
        assertThat(h.session.active().orElseThrow().ipv6().framedPrefix()).contains(
                new net.l2sec.spi.auth.Ipv6Framing.Prefix(ip6("2001:db8:99::"), 64));
        assertThat(h.pool6.inUse()).isEqualTo(1);
        assertThat(h.registry.get("l2sec.ppp.sessions.ipv6.active").gauge().value()).isEqualTo(1);
        // section 6.2.4: the next unsolicited ones within MAX_INITIAL_RTR_ADVERT_INTERVAL
        h.scheduler.advance(Duration.ofSeconds(16));
        onlyAdvertisement();
        assertThat(h.counter("l2sec.ppp.nd.router.advertisements", "kind", "unsolicited")).isEqualTo(2);
    }

    @Test
    void routerSolicitationsAreAnsweredNoMoreOftenThanEveryThreeSeconds() throws Exception {
        openIpv6cp();
        h.drain();                                                                    // the advertisement at Opened
        h.receive(0x0057, routerSolicitation(Ipv6.LINK_LOCAL_PREFIX, PEER_IID, 255));
        assertThat(h.drain()).as("within MIN_DELAY_BETWEEN_RAS of the last one").isEmpty();
        h.scheduler.advance(Duration.ofSeconds(3));
        onlyAdvertisement();
        assertThat(h.counter("l2sec.ppp.nd.router.advertisements", "kind", "solicited")).isEqualTo(1);
        h.scheduler.advance(Duration.ofSeconds(5));
        h.drain();
        h.receive(0x0057, routerSolicitation(0, 0, 255));                            // from the unspecified address
        h.receive(0x0057, routerSolicitation(Ipv6.LINK_LOCAL_PREFIX, PEER_IID, 64));  // forwarded: RFC 4861 6.1.1
        onlyAdvertisement();
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "invalid_nd", "family", "ipv6")).isEqualTo(1);
    }

    @Test
    void ipv6FromTheSlash64PassesSpoofedAndLinkScopedIsDroppedAndCounted() throws Exception {
        openIpv6cp();
        h.drain();
        byte[] good = ipv6(PREFIX, PEER_IID, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8]);
        h.receive(0x0057, good);
        h.receive(0x0057, ipv6(0x2001_0db8_aaaa_0000L, 1, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8]));   // another prefix
        h.receive(0x0057, ipv6(Ipv6.LINK_LOCAL_PREFIX, 0x99, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8])); // another link-local
        h.receive(0x0057, ipv6(Ipv6.LINK_LOCAL_PREFIX, PEER_IID, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8])); // link-local out
        h.receive(0x0057, ipv6(Ipv6.LINK_LOCAL_PREFIX, PEER_IID, 0xff02_0000_0000_0000L, 0x16, 0, 1, new byte[8]));  // MLD report
        h.receive(0x0057, HEX.parseHex("6000"));
        assertThat(h.egress).hasSize(1);
        assertThat(ByteBufUtil.getBytes(h.egress.getFirst())).isEqualTo(good);
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "spoofed_source", "family", "ipv6")).isEqualTo(2);
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "link_scope", "family", "ipv6")).isEqualTo(2);
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "malformed", "family", "ipv6")).isEqualTo(1);
        // to the client: by the /64 the TUN packet's destination lies in
        byte[] reply = ipv6(0x2001_0db8_ffff_0000L, 1, PREFIX, PEER_IID, 17, 63, new byte[8]);
        ByteBuf toClient = Unpooled.directBuffer().writeBytes(reply);
        h.routes.deliver(toClient);
        assertThat(h.only(0x0057).info()).isEqualTo(reply);
        assertThat(toClient.refCnt()).isZero();
        ByteBuf elsewhere = Unpooled.buffer().writeBytes(ipv6(1, 1, PREFIX + 1, 1, 17, 63, new byte[8]));
        h.routes.deliver(elsewhere);
        assertThat(h.drain()).isEmpty();
        assertThat(h.counter("l2sec.ip.dropped", "reason", "no_session")).isEqualTo(1);
        // accounting counts IPv6 octets
        assertThat(h.session.counters().inputOctets()).isEqualTo(48);
        assertThat(h.session.counters().outputOctets()).isEqualTo(48);
    }

    /** RFC 3162 Framed-IPv6-Prefix and Framed-Interface-Id, RFC 4818 Delegated-IPv6-Prefix. */
    @Test
    void radiusAssignsTheSlash64TheInterfaceIdentifierAndADelegatedPrefix() throws Exception {
        radius = new net.l2sec.spi.auth.Ipv6Framing(
                Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(ip6("2001:db8:99:77::"), 64)), java.util.OptionalLong.of(0x42),
                Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(ip6("2001:db8:aa00::"), 56)));
        authenticatedWithIpcp();
        var ours = (ConfigureRequest) h.drainControl(0x8057).getFirst();
        ipv6cp(new ConfigureRequest(1, List.of(ConfigOption.ofInt(1, PEER_IID, 8))));
        var nak = (ConfigureNak) h.drainControl(0x8057).getFirst();
        assertThat(nak.options()).containsExactly(ConfigOption.ofInt(1, 0x42, 8));   // the assigned identifier
        ipv6cp(new ConfigureRequest(2, List.of(ConfigOption.ofInt(1, 0x42, 8))));
        ipv6cp(new ConfigureAck(ours.identifier(), ours.options()));
        assertThat(h.session.isIpv6cpOpened()).isTrue();
        long framed = 0x2001_0db8_0099_0077L;
        assertThat(onlyAdvertisement().options().getFirst()).isEqualTo(
                new NdOption.PrefixInformation(new Ipv6Prefix(framed, 64), true, true, 2_592_000, 604_800));
        assertThat(h.pool6.isAllocated(framed)).as("taken out of the pool").isTrue();
        assertThat(h.session.active().orElseThrow().ipv6()).isEqualTo(new net.l2sec.spi.auth.Ipv6Framing(
                Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(ip6("2001:db8:99:77::"), 64)), java.util.OptionalLong.empty(),
                Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(ip6("2001:db8:aa00::"), 56))));
        long delegated = 0x2001_0db8_aa00_0005L;
        byte[] fromBehind = ipv6(delegated, 1, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8]);
        h.receive(0x0057, fromBehind);
        h.receive(0x0057, ipv6(0x2001_0db8_aa01_0000L, 1, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8]));   // past the /56
        assertThat(h.egress).hasSize(1);
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "spoofed_source", "family", "ipv6")).isEqualTo(1);
        byte[] toBehind = ipv6(0x2001_0db8_ffff_0000L, 1, 0x2001_0db8_aa00_00ffL, 9, 17, 63, new byte[8]);
        h.routes.deliver(Unpooled.buffer().writeBytes(toBehind));
        assertThat(h.only(0x0057).info()).isEqualTo(toBehind);
        h.session.close(EndCause.ADMIN_DISCONNECT);
        var terminate = h.drainControl(0xC021).getFirst();
        h.lcp(new ControlPacket.TerminateAck(terminate.identifier(), new byte[0]));
        h.assertTornDown(EndCause.ADMIN_DISCONNECT);
    }

    @Test
    void theEndOfTheSessionGivesTheSlash64BackAndStopsAdvertising() throws Exception {
        openIpv6cp();
        h.session.close(EndCause.ADMIN_DISCONNECT);
        var terminate = h.drainControl(0xC021).getFirst();
        h.lcp(new ControlPacket.TerminateAck(terminate.identifier(), new byte[0]));
        h.assertTornDown(EndCause.ADMIN_DISCONNECT);
        assertThat(h.registry.get("l2sec.ppp.sessions.ipv6.active").gauge().value()).isZero();
    }

    @Test
    void aClientThatProtocolRejectsIpv6cpKeepsIpv4() throws Exception {
        authenticatedWithIpcp();
        var ours = h.drainControl(0x8057).getFirst();
        h.lcp(new ControlPacket.ProtocolReject(7, 0x8057, net.l2sec.dataplane.ppp.cp.ControlPacketCodec.encode(ours)));
        assertThat(h.session.isIpcpOpened()).isTrue();
        assertThat(h.session.isIpv6cpOpened()).isFalse();
        h.receive(0x0057, ipv6(PREFIX, PEER_IID, 0x2001_0db8_ffff_0000L, 1, 17, 64, new byte[8]));
        assertThat(h.counter("l2sec.ppp.ip.dropped", "reason", "not_open", "family", "ipv6")).isEqualTo(1);
        assertThat(h.egress).isEmpty();
        h.scheduler.advance(Duration.ofSeconds(60));
        assertThat(h.drain().stream().filter(o -> o.protocol() == 0x8057 || o.protocol() == 0x0057)).isEmpty();
        assertThat(h.session.isEnded()).isFalse();
    }

    @Test
    void anExhaustedIpv6PoolLeavesTheSessionIpv4OnlyAndIpv6cpIsProtocolRejected() throws Exception {
        while (h.pool6.allocate().isPresent()) { }   // 65,536 /64s, all taken
        authenticatedWithIpcp();
        assertThat(h.drain().stream().filter(o -> o.protocol() == 0x8057)).as("no IPV6CP from us").isEmpty();
        ipv6cp(new ConfigureRequest(1, List.of(ConfigOption.ofInt(1, PEER_IID, 8))));
        var reject = (ControlPacket.ProtocolReject) h.drainControl(0xC021).getFirst();
        assertThat(reject.rejectedProtocol()).isEqualTo(0x8057);
        assertThat(h.session.isIpcpOpened()).isTrue();
        assertThat(h.session.clientPrefix()).isEmpty();
        assertThat(h.session.active().orElseThrow().ipv6().isEmpty()).isTrue();
        for (long p = PREFIX; p < PREFIX + 65536; p++) h.pool6.release(p);
    }

    @Test
    void aClientThatIgnoresIpv6cpKeepsIpv4() throws Exception {
        authenticatedWithIpcp();
        for (int i = 0; i < 12; i++) {
            h.scheduler.advance(Duration.ofSeconds(3));
            h.drain().stream().filter(o -> o.protocol() == 0xC021).forEach(o -> { });
        }
        assertThat(h.session.isEnded()).isFalse();
        assertThat(h.session.isIpcpOpened()).isTrue();
        assertThat(h.session.isIpv6cpOpened()).isFalse();
    }
}
