package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.SessionRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.PppLink;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ip.Ipv6Pool;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.time.ManualScheduler;

/** A PPP session wired to fakes: the "peer" side is the test, driving frames in and reading frames out. */
final class PppHarness {
    static final HexFormat HEX = HexFormat.of();

    /** Deterministic randomness; queued byte arrays are handed out by nextBytes (challenges) first. */
    static final class ScriptedRandom implements RandomGenerator {
        final ArrayDeque<byte[]> bytes = new ArrayDeque<>();
        private final SplittableRandom rnd = new SplittableRandom(7);

        @Override
        public long nextLong() {
            return rnd.nextLong();
        }

        @Override
        public void nextBytes(byte[] out) {
            byte[] next = bytes.poll();
            if (next != null) System.arraycopy(next, 0, out, 0, out.length);
            else rnd.nextBytes(out);
        }
    }

    final class FakeLink implements PppLink {
        final List<ByteBuf> sent = new ArrayList<>();
        /** Every frame the session ever handed over, to check that each one was released. */
        final List<ByteBuf> everSent = new ArrayList<>();
        final List<EndCause> closed = new ArrayList<>();

        @Override
        public void send(ByteBuf frame) {
            sent.add(frame);
            everSent.add(frame);
        }

        @Override
        public void close(EndCause cause) {
            closed.add(cause);
        }

        @Override
        public int mtu() {
            return 1400;
        }
    }

    /** A sent frame, decoded; the buffer was released. */
    record Out(int protocol, byte[] info) {
        ControlPacket control(boolean lcp) throws Exception {
            return ControlPacketCodec.decode(Unpooled.wrappedBuffer(info), lcp);
        }
    }

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ClientRoutes routes = new ClientRoutes(registry);
    final List<ByteBuf> egress = new ArrayList<>();
    final List<AuthRequest> authRequests = new ArrayList<>();
    final List<CompletableFuture<AuthResult>> pending = new ArrayList<>();
    final ScriptedRandom random = new ScriptedRandom();
    final FakeLink link = new FakeLink();
    final Ipv4Pool pool;
    /** The IPv6 pool sessions get their /64 from when the settings turn IPv6 on. */
    final Ipv6Pool pool6 = new Ipv6Pool("default6", new Ipv6Prefix(0x2001_0db8_0099_0000L, 48));
    Function<AuthRequest, AuthResult> backend = r -> null;   // null: leave pending
    /** The backend relays EAP (RADIUS pass-through) instead of letting the session run EAP methods. */
    boolean relayEap;
    final SessionRegistry sessions;
    PppSession session;

    PppHarness() {
        this(null);
    }

    /** @param shared the registry of another harness (sessions of one user on two links), or null for a new one */
    PppHarness(SessionRegistry shared) {
        pool = new Ipv4Pool("default", ip("10.99.0.10"), ip("10.99.0.11"));
        sessions = shared != null ? shared : new SessionRegistry();
    }

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static PppSettings settings(AuthMethod... methods) {
        return new PppSettings(List.of(methods), 1400, ip("10.99.0.1"), List.of(ip("10.0.0.53"), ip("10.0.0.54")),
                List.of(), "default", Duration.ofSeconds(10), 3, Duration.ofSeconds(3), 10, 2, 5, Duration.ofSeconds(30));
    }

    /** {@link #settings} with LCP echoes off, for tests about other timers. */
    static PppSettings settingsWithoutEcho(AuthMethod... methods) {
        PppSettings s = settings(methods);
        return new PppSettings(s.authMethods(), s.mru(), s.localAddress(), s.dns(), s.wins(), s.defaultPool(),
                Duration.ZERO, s.echoFailures(), s.restartTimer(), s.maxConfigure(), s.maxTerminate(), s.maxFailure(),
                s.authTimeout());
    }

    PppHarness start(PppSettings settings) {
        var authenticator = new net.l2sec.spi.auth.Authenticator() {
            @Override
            public java.util.concurrent.CompletionStage<AuthResult> authenticate(AuthRequest req) {
                authRequests.add(req);
                AuthResult r = backend.apply(req);
                var f = new CompletableFuture<AuthResult>();
                if (r != null) f.complete(r); else pending.add(f);
                return f;
            }

            @Override
            public boolean relaysEap() {
                return relayEap;
            }
        };
        var factory = new PppSessionFactory(settings, authenticator,
                name -> name.equals(pool.name()) ? Optional.of(pool) : Optional.empty(),
                name -> name.equals(pool6.name()) ? Optional.of(pool6) : Optional.empty(), routes, egress::add, scheduler,
                registry, random, sessions, new AuthThrottle(scheduler, settings.authThrottle()));
        session = factory.openSession(new SessionContext("t1/s1", new InetSocketAddress("192.0.2.1", 1701), 1, 1,
                Instant.EPOCH, client), link);
        return this;
    }

    /** What the L2TP and IKE layers learnt of the client before PPP started (the session's context). */
    net.l2sec.spi.session.ClientIdentity client = net.l2sec.spi.session.ClientIdentity.NONE;

    /** Feeds one frame ({@code FF 03} + 2-octet protocol + info) and checks the session released it. */
    void receive(int protocol, byte[] info) {
        ByteBuf b = Unpooled.buffer().writeByte(0xFF).writeByte(0x03).writeShort(protocol).writeBytes(info);
        session.receive(b);
        scheduler.runPending();
        assertReleasedOrHandedOn(b);
    }

    void receiveRaw(byte[] frame) {
        ByteBuf b = Unpooled.wrappedBuffer(frame.clone());
        session.receive(b);
        scheduler.runPending();
        assertReleasedOrHandedOn(b);
    }

    /** The session either released the frame or passed exactly that buffer, still alive once, to the egress. */
    private void assertReleasedOrHandedOn(ByteBuf b) {
        if (egress.stream().anyMatch(e -> e == b)) assertThat(b.refCnt()).isEqualTo(1);
        else assertThat(b.refCnt()).as("received frame released").isZero();
    }

    void lcp(ControlPacket p) {
        receive(0xC021, ControlPacketCodec.encode(p));
    }

    void ipcp(ControlPacket p) {
        receive(0x8021, ControlPacketCodec.encode(p));
    }

    /** Takes every frame sent so far, releasing the buffers. */
    List<Out> drain() {
        List<Out> out = new ArrayList<>();
        for (ByteBuf b : link.sent) {
            assertThat(b.getUnsignedShort(b.readerIndex())).isEqualTo(0xFF03);
            int protocol = b.getUnsignedShort(b.readerIndex() + 2);
            byte[] info = new byte[b.readableBytes() - 4];
            b.getBytes(b.readerIndex() + 4, info);
            b.release();
            out.add(new Out(protocol, info));
        }
        link.sent.clear();
        return out;
    }

    List<ControlPacket> drainControl(int protocol) throws Exception {
        List<ControlPacket> out = new ArrayList<>();
        for (Out o : drain()) if (o.protocol() == protocol) out.add(o.control(protocol == 0xC021));
        return out;
    }

    Out only(int protocol) {
        List<Out> all = drain().stream().filter(o -> o.protocol() == protocol).toList();
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    /** A Counter's or FunctionCounter's count (the per-packet ones are {@code LoopCounter}s), 0 when absent. */
    double counter(String name, String... tags) {
        return switch (registry.find(name).tags(tags).meter()) {
            case null -> 0;
            case io.micrometer.core.instrument.Counter c -> c.count();
            case io.micrometer.core.instrument.FunctionCounter f -> f.count();
            case io.micrometer.core.instrument.Meter m -> throw new AssertionError(name + " is not a counter: " + m);
        };
    }

    static ConfigOption opt(int type, String hex) {
        return new ConfigOption(type, HEX.parseHex(hex));
    }

    /** Standard pppd-like LCP: peer requests MRU 1280 and a magic number, then both sides ack. */
    void openLcp() throws Exception {
        List<ControlPacket> first = drainControl(0xC021);
        var ourRequest = (ControlPacket.ConfigureRequest) first.getFirst();
        lcp(new ControlPacket.ConfigureRequest(1, List.of(opt(1, "0500"), opt(5, "11223344"))));
        lcp(new ControlPacket.ConfigureAck(ourRequest.identifier(), ourRequest.options()));
        assertThat(session.phase()).isEqualTo(PppSession.Phase.AUTHENTICATE);
        List<Out> rest = drain();
        assertThat(rest.getFirst().control(true)).isInstanceOf(ControlPacket.ConfigureAck.class);
        pushBack(rest.subList(1, rest.size()));   // challenge, EAP identity: for the test to read
    }

    void pushBack(List<Out> frames) {
        for (Out o : frames) link.sent.add(Unpooled.buffer().writeShort(0xFF03).writeShort(o.protocol()).writeBytes(o.info()));
    }

    /** After auth: IPCP to Opened with the peer asking for exactly what it was given. */
    void openIpcp() throws Exception {
        openIpcp("0a63000a");
    }

    /** {@link #openIpcp()} with the peer asking for {@code addressHex}, the address it was given. */
    void openIpcp(String addressHex) throws Exception {
        var ours = (ControlPacket.ConfigureRequest) drainControl(0x8021).getFirst();
        ipcp(new ControlPacket.ConfigureRequest(1, List.of(opt(3, addressHex))));
        ipcp(new ControlPacket.ConfigureAck(ours.identifier(), ours.options()));
        assertThat(session.isIpcpOpened()).isTrue();
        drain();
    }

    static AuthResult.Accept accept(String user) {
        return new AuthResult.Accept(user, Optional.empty(), net.l2sec.spi.auth.Authorization.defaults("r1"));
    }

    /**
     * The session has ended and left nothing behind: no timer, no address, no route, no active-session gauge,
     * the link closed exactly once, and (after draining) every frame it sent released.
     */
    void assertTornDown(EndCause cause) {
        drain();
        assertThat(session.isEnded()).isTrue();
        assertThat(scheduler.activeTimers()).as("timers left running").isZero();
        assertThat(pool.inUse()).as("addresses still allocated").isZero();
        assertThat(pool6.inUse()).as("IPv6 prefixes still allocated").isZero();
        assertThat(routes.size()).as("routes still registered").isZero();
        assertThat(registry.get("l2sec.ppp.sessions.active").gauge().value()).isZero();
        assertThat(everSentReleased()).isTrue();
        if (cause == null) assertThat(link.closed).isEmpty(); else assertThat(link.closed).containsExactly(cause);
    }

    boolean everSentReleased() {
        return link.everSent.stream().allMatch(b -> b.refCnt() == 0);
    }

    void releaseAll() {
        drain();
        egress.forEach(ByteBuf::release);
        egress.clear();
    }
}
