package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.aaa.radius.EapMsChapV2Peer;
import net.l2sec.aaa.radius.FreeRadiusServer;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv4Pool;
import net.l2sec.dataplane.ppp.PppSession;
import net.l2sec.dataplane.ppp.PppSessionFactory;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who a session belongs to, end to end with a real FreeRADIUS: a PPP client speaking EAP-MSCHAPv2 frames to the
 * dataplane's {@link PppSession} (EAP relayed to RADIUS, {@code ppp.auth-methods: [eap-mschapv2]}), wired as the
 * concentrator wires it ({@link AaaWiring} from a YAML configuration: policy, {@code RadiusAuthenticator}, RADIUS
 * accounting as the session registry's observer). Only the L2TP/IPsec layers below PPP are left out: the test is
 * the {@link PppLink}.
 *
 * <p>FreeRADIUS looks the password up by the EAP identity (the User-Name we relay) and hashes the challenge with the
 * MS-CHAPv2 Name, so it accepts a client that proves alice's password under any Name
 * ({@code net.l2sec.aaa.radius.RadiusIdentityIT}); the concentrator does not.
 */
class PppRadiusIdentityIT {
    private static final String SECRET = "ppp-identity-it-secret-0123";
    private static final int AUTH_PORT = 18230;
    private static final int EAP = 0xC227;
    private static final int LCP = 0xC021;
    private static final int IPCP = 0x8021;
    private static final int PAP = 0xC023;

    @TempDir
    static Path dir;
    private static FreeRadiusServer radius;
    private static EventLoopGroup group;
    private static EventLoop loop;
    private static AaaWiring aaa;
    private static SessionRegistry sessions;
    private static PppSessionFactory factory;
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static final List<ActiveSession> started = new CopyOnWriteArrayList<>();
    private static final List<ActiveSession> stopped = new CopyOnWriteArrayList<>();
    private static final AtomicInteger tunnels = new AtomicInteger(10);

    @BeforeAll
    static void start() throws Exception {
        FreeRadiusServer.assumeInstalled();
        radius = FreeRadiusServer.builder().authPort(AUTH_PORT).acctPort(AUTH_PORT + 1).secret(SECRET).users("""
                Carol Cleartext-Password := "carol-pw"
                \tUser-Name := "carol@corp.example"
                alice Cleartext-Password := "alice-pw"
                mallory Cleartext-Password := "mallory-pw"
                """).build().start();
        PrivateFiles.write(dir.resolve("radius.secret"), SECRET + "\n");
        Path file = dir.resolve("concentrator.yaml");
        Files.writeString(file, """
                pools:
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                ppp:
                  auth-methods: [eap-mschapv2, pap]
                  echo-interval: 0s
                aaa:
                  radius:
                    servers:
                      - name: freeradius
                        address: 127.0.0.1:%d
                        secret-file: radius.secret
                    timeout: 2s
                    accounting:
                      interim-interval: 0s
                      spool-dir: spool
                l2tp:
                  require-ipsec: false
                """.formatted(AUTH_PORT));
        ConcentratorConfig config = ConfigLoader.load(file);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        var scheduler = new EventLoopScheduler(loop);
        sessions = new SessionRegistry();
        aaa = AaaWiring.build(config.aaa(), sessions, config.ppp().authTimeout(), scheduler, registry);
        SessionObserver record = new SessionObserver() {
            @Override
            public void started(ActiveSession session) {
                started.add(session);
            }

            @Override
            public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
                stopped.add(session);
            }
        };
        sessions.observer(FanOutObserver.of(aaa.observer(), record));      // as Concentrator.start wires it
        Map<String, Ipv4Pool> pools = new HashMap<>();
        for (ConcentratorConfig.Pool p : config.pools()) pools.put(p.name(), new Ipv4Pool(p.name(), p.first(), p.last()));
        factory = new PppSessionFactory(config.ppp(), aaa.authenticator(), name -> Optional.ofNullable(pools.get(name)),
                new ClientRoutes(registry), packet -> packet.release(), scheduler, registry, new SecureRandom(), sessions);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (aaa != null) aaa.close();
            if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            if (radius != null) radius.close();
        }
    }

    private static double authCount(String result, String reason) {
        Counter c = registry.find("l2sec.ppp.auth").tags("method", "eap-mschapv2", "result", result, "reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private static double aaaRejects() {
        return registry.find("l2sec.aaa.rejects").counters().stream().mapToDouble(Counter::count).sum();
    }

    /**
     * (a) EAP identity "alice", MS-CHAPv2 Name "mallory", alice's password: FreeRADIUS accepts that conversation when
     * it is relayed to it directly; through PPP the concentrator refuses it with identity_mismatch before the
     * response reaches FreeRADIUS, and counts it in l2sec_ppp_auth_total.
     */
    @Test
    void anEapIdentityOtherThanTheMsChapV2NameIsRefusedThoughFreeRadiusWouldAccept() throws Exception {
        AuthResult direct = new EapMsChapV2Peer("alice", "mallory", "alice-pw").run(aaa.authenticator());
        assertThat(direct).as("FreeRADIUS, asked without PPP in between:\n" + tail(0))
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo("alice"));

        double mismatchesBefore = authCount("reject", "identity_mismatch");
        double acceptsBefore = authCount("accept", "none");
        double aaaRejectsBefore = aaaRejects();
        int logMark = radius.log().length();
        Client client = new Client(new EapMsChapV2Peer("alice", "mallory", "alice-pw"));
        client.connect();
        client.openLcp();
        byte[] last = client.authenticate();
        assertThat(last[0]).as("EAP Failure, not Success:\n" + tail(logMark)).isEqualTo((byte) 4);
        client.awaitClosed(EndCause.AUTH_FAILED);

        assertThat(authCount("reject", "identity_mismatch") - mismatchesBefore).as("l2sec_ppp_auth_total{reason=identity_mismatch}")
                .isEqualTo(1);
        assertThat(authCount("accept", "none")).isEqualTo(acceptsBefore);
        assertThat(aaaRejects()).as("no backend decided").isEqualTo(aaaRejectsBefore);
        assertThat(client.session.accept()).isEmpty();
        String conversation = radius.log().substring(logMark);
        assertThat(conversation).as("the Identity was relayed and challenged").contains("Sent Access-Challenge")
                .as("the MS-CHAPv2 Response was never relayed").doesNotContain("mschap:").doesNotContain("Login OK")
                .doesNotContain("Sent Access-Accept");
    }

    /**
     * (b) The Access-Accept carries User-Name "carol@corp.example" (users file {@code User-Name := ...}) for the
     * identity "Carol": the session, the registry's count and the accounting Start name the server's user. (d) An
     * LCP renegotiation followed by an authentication as alice, with alice's valid password, which FreeRADIUS
     * accepts: the session is carol's, so it ends with identity_changed, and its Stop still names carol.
     */
    @Test
    void theAcceptsUserNameIsTheSessionsUserAndReauthenticationCannotChangeIt() throws Exception {
        Client carol = new Client(new EapMsChapV2Peer("Carol", "carol-pw"));
        carol.connect();
        carol.openLcp();
        int logMark = radius.log().length();
        byte[] last = carol.authenticate();
        assertThat(last[0]).as("EAP Success:\n" + tail(logMark)).isEqualTo((byte) 3);
        assertThat(carol.peer.successVerified()).as("FreeRADIUS proved carol's password").isTrue();
        assertThat(sent(radius.log().substring(logMark), "Access-Accept")).as("FreeRADIUS's Access-Accept")
                .contains("User-Name = \"carol@corp.example\"");
        carol.openIpcp();
        ActiveSession s = awaitStarted(carol);
        assertThat(s.user()).as("the Access-Accept's User-Name, not the presented \"Carol\"").isEqualTo("carol@corp.example");
        assertThat(onLoop(() -> carol.session.accept().map(AuthResult.Accept::user))).contains("carol@corp.example");
        assertThat(onLoop(() -> sessions.sessionsOf("carol@corp.example"))).isEqualTo(1);
        assertThat(onLoop(() -> sessions.sessionsOf("Carol"))).isZero();
        Map<String, String> start = awaitDetail("Start", s.acctSessionId());
        assertThat(start.get("User-Name")).as("accounting Start at FreeRADIUS").isEqualTo("carol@corp.example");

        // (d) re-authentication after an LCP renegotiation, as alice with her own password
        double changedBefore = authCount("reject", "identity_changed");
        carol.peer = new EapMsChapV2Peer("alice", "alice-pw");
        carol.renegotiateLcp();
        logMark = radius.log().length();
        last = carol.authenticate();
        assertThat(radius.log().substring(logMark)).as("FreeRADIUS accepted alice").contains("Login OK: [alice]");
        assertThat(last[0]).as("EAP Failure: the session is carol's").isEqualTo((byte) 4);
        assertThat(authCount("reject", "identity_changed") - changedBefore).as("l2sec_ppp_auth_total{reason=identity_changed}")
                .isEqualTo(1);
        carol.awaitClosed(EndCause.AUTH_FAILED);
        assertThat(onLoop(() -> sessions.sessionsOf("alice"))).as("never counted for alice").isZero();
        assertThat(onLoop(() -> sessions.sessionsOf("carol@corp.example"))).isZero();
        Map<String, String> stop = awaitDetail("Stop", s.acctSessionId());
        assertThat(stop.get("User-Name")).as("accounting Stop at FreeRADIUS").isEqualTo("carol@corp.example");
        assertThat(stopped).anySatisfy(x -> assertThat(x.acctSessionId()).isEqualTo(s.acctSessionId()));
    }

    /**
     * (c) An Access-Accept without User-Name: the session's user is the name the client presented. PAP, because
     * FreeRADIUS's EAP module puts the EAP identity into every EAP Access-Accept as User-Name (RFC 3579 section 2.6.2
     * asks for it); its PAP Access-Accept carries only what the users file gives, here nothing.
     */
    @Test
    void withoutUserNameInTheAcceptThePresentedNameIsTheSessionsUser() throws Exception {
        Client alice = new Client(null);
        alice.connect();
        alice.openLcpWithPap();
        int logMark = radius.log().length();
        assertThat(alice.pap("alice", "alice-pw")).as("PAP Authenticate-Ack:\n" + tail(logMark)).isEqualTo(2);
        String conversation = radius.log().substring(logMark);
        assertThat(conversation).contains("Login OK: [alice]").contains("Sent Access-Accept");
        assertThat(sent(conversation, "Access-Accept")).as("FreeRADIUS's Access-Accept").isNotEmpty()
                .noneMatch(a -> a.startsWith("User-Name"));
        alice.openIpcp();
        ActiveSession s = awaitStarted(alice);
        assertThat(s.user()).isEqualTo("alice");
        assertThat(awaitDetail("Start", s.acctSessionId()).get("User-Name")).isEqualTo("alice");
        onLoop(() -> {
            alice.session.close(EndCause.ADMIN_DISCONNECT);
            return null;
        });
        alice.awaitClosed(EndCause.ADMIN_DISCONNECT);
        assertThat(awaitDetail("Stop", s.acctSessionId()).get("User-Name")).isEqualTo("alice");
    }

    // ---- plumbing ----

    private static <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private static String tail(int from) {
        String log = radius.log();
        return log.substring(Math.max(from, log.length() - 6000));
    }

    /** The attributes of the first {@code type} packet FreeRADIUS logged as sent in {@code log}: "Name = value" lines. */
    private static List<String> sent(String log, String type) {
        List<String> attributes = new ArrayList<>();
        boolean in = false;
        for (String line : log.split("\n")) {
            if (!in) {
                in = line.matches("\\(\\d+\\) Sent " + type + " .*");
            } else if (line.matches("\\(\\d+\\)\\s{2,}\\S.*")) {
                attributes.add(line.replaceFirst("\\(\\d+\\)\\s+", ""));
            } else {
                break;
            }
        }
        return attributes;
    }

    private static ActiveSession awaitStarted(Client c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (ActiveSession s : started) if (s.tag().equals(c.tag)) return s;
            Thread.sleep(20);
        }
        throw new AssertionError("session " + c.tag + " never started");
    }

    private static Map<String, String> awaitDetail(String statusType, String acctSessionId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (Map<String, String> r : radius.detailRecords()) {
                if (statusType.equals(r.get("Acct-Status-Type")) && acctSessionId.equals(r.get("Acct-Session-Id"))) return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no accounting " + statusType + " for " + acctSessionId + " in " + radius.detailFile()
                + ":\n" + tail(0));
    }

    /** A PPP client over an in-memory link: the frames the session sends arrive in a queue. */
    private static final class Client implements PppLink {
        final String tag;
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();   // protocol (2 octets) + information
        final List<byte[]> stash = new ArrayList<>();
        final List<EndCause> closed = new CopyOnWriteArrayList<>();
        EapMsChapV2Peer peer;
        PppSession session;
        int lcpId = 1;

        Client(EapMsChapV2Peer peer) {
            this.peer = peer;
            int tunnel = tunnels.incrementAndGet();
            this.tag = "t" + tunnel + "/s1";
        }

        @Override
        public void send(ByteBuf frame) {
            try {
                if (frame.getUnsignedShort(frame.readerIndex()) != 0xFF03) throw new AssertionError("no FF 03");
                byte[] b = new byte[frame.readableBytes() - 2];
                frame.getBytes(frame.readerIndex() + 2, b);
                received.add(b);
            } finally {
                frame.release();
            }
        }

        @Override
        public void close(EndCause cause) {
            closed.add(cause);
        }

        @Override
        public int mtu() {
            return 1400;
        }

        void connect() throws Exception {
            int tunnel = Integer.parseInt(tag.substring(1, tag.indexOf('/')));
            var context = new net.l2sec.spi.session.SessionContext(tag, new InetSocketAddress("192.0.2." + tunnel, 1701),
                    tunnel, 1, Instant.now());
            session = onLoop(() -> factory.openSession(context, this));
        }

        void send(int protocol, byte[] info) throws Exception {
            ByteBuf b = Unpooled.buffer().writeByte(0xFF).writeByte(0x03).writeShort(protocol).writeBytes(info);
            onLoop(() -> {
                session.receive(b);
                return null;
            });
        }

        /** The next frame of {@code protocol}; frames of other protocols are kept for later. */
        byte[] next(int protocol) throws Exception {
            for (Iterator<byte[]> it = stash.iterator(); it.hasNext(); ) {
                byte[] f = it.next();
                if (protocolOf(f) == protocol) {
                    it.remove();
                    return info(f);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (true) {
                byte[] f = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (f == null) throw new AssertionError("no frame of protocol " + Integer.toHexString(protocol) + " within 15 s; closed=" + closed);
                if (protocolOf(f) == protocol) return info(f);
                stash.add(f);
            }
        }

        static int protocolOf(byte[] f) {
            return ((f[0] & 0xff) << 8) | (f[1] & 0xff);
        }

        static byte[] info(byte[] f) {
            return java.util.Arrays.copyOfRange(f, 2, f.length);
        }

        ControlPacket control(int protocol) throws Exception {
            return ControlPacketCodec.decode(Unpooled.wrappedBuffer(next(protocol)), protocol == LCP);
        }

        /** Our Configure-Request (a Magic-Number only) and an Ack of the concentrator's, which asks for EAP. */
        void openLcp() throws Exception {
            var ours = (ControlPacket.ConfigureRequest) control(LCP);
            assertThat(ours.options()).anySatisfy(o -> {
                assertThat(o.type()).as("Authentication-Protocol").isEqualTo(3);
                assertThat(o.data()).isEqualTo(new byte[] {(byte) 0xC2, 0x27});
            });
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureRequest(lcpId++,
                    List.of(ConfigOption.ofInt(5, 0x11223344L + lcpId, 4)))));
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureAck(ours.identifier(), ours.options())));
            assertThat(control(LCP)).isInstanceOf(ControlPacket.ConfigureAck.class);
        }

        /** While opened, a new Configure-Request from us: the concentrator renegotiates and authenticates again. */
        void renegotiateLcp() throws Exception {
            stash.clear();
            received.clear();
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureRequest(lcpId++,
                    List.of(ConfigOption.ofInt(5, 0x55667788L + lcpId, 4)))));
            ControlPacket.ConfigureRequest ours = null;
            boolean acked = false;
            while (ours == null || !acked) {
                ControlPacket p = control(LCP);
                if (p instanceof ControlPacket.ConfigureRequest r) ours = r;
                else if (p instanceof ControlPacket.ConfigureAck) acked = true;
            }
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureAck(ours.identifier(), ours.options())));
        }

        /** As {@link #openLcp}, but first a Configure-Nak of the concentrator's EAP that suggests PAP. */
        void openLcpWithPap() throws Exception {
            var eap = (ControlPacket.ConfigureRequest) control(LCP);
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureNak(eap.identifier(),
                    List.of(new ConfigOption(3, new byte[] {(byte) 0xC0, 0x23})))));
            var ours = (ControlPacket.ConfigureRequest) control(LCP);
            assertThat(ours.options()).anySatisfy(o -> {
                assertThat(o.type()).as("Authentication-Protocol").isEqualTo(3);
                assertThat(o.data()).isEqualTo(new byte[] {(byte) 0xC0, 0x23});
            });
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureRequest(lcpId++,
                    List.of(ConfigOption.ofInt(5, 0x11223344L + lcpId, 4)))));
            send(LCP, ControlPacketCodec.encode(new ControlPacket.ConfigureAck(ours.identifier(), ours.options())));
            assertThat(control(LCP)).isInstanceOf(ControlPacket.ConfigureAck.class);
        }

        /** PAP Authenticate-Request (RFC 1334 section 2.2.1): the code of the answer, 2 Ack or 3 Nak. */
        int pap(String user, String password) throws Exception {
            byte[] u = user.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] p = password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuf b = Unpooled.buffer().writeByte(1).writeByte(1).writeShort(6 + u.length + p.length)
                    .writeByte(u.length).writeBytes(u).writeByte(p.length).writeBytes(p);
            byte[] packet = new byte[b.readableBytes()];
            b.readBytes(packet);
            b.release();
            send(PAP, packet);
            return next(PAP)[0];
        }

        /** EAP from the Request/Identity to Success or Failure: the last packet the concentrator sent. */
        byte[] authenticate() throws Exception {
            byte[] req = next(EAP);
            assertThat(req[0]).as("EAP Request").isEqualTo((byte) 1);
            assertThat(req[4]).as("Identity").isEqualTo((byte) 1);
            send(EAP, peer.identityResponse(req[1] & 0xff));
            for (int round = 0; round < 6; round++) {
                req = next(EAP);
                if (req[0] == 3 || req[0] == 4) return req;        // Success, Failure
                send(EAP, peer.answer(req));
            }
            throw new AssertionError("EAP did not end");
        }

        /** IPCP: we ask for 0.0.0.0, take the address the concentrator Naks with, and ack its request. */
        void openIpcp() throws Exception {
            send(IPCP, ControlPacketCodec.encode(new ControlPacket.ConfigureRequest(1, List.of(new ConfigOption(3, new byte[4])))));
            boolean ackedOurs = false;
            boolean ackedTheirs = false;
            while (!ackedOurs || !ackedTheirs) {
                switch (control(IPCP)) {
                    case ControlPacket.ConfigureRequest r -> {
                        send(IPCP, ControlPacketCodec.encode(new ControlPacket.ConfigureAck(r.identifier(), r.options())));
                        ackedTheirs = true;
                    }
                    case ControlPacket.ConfigureNak n -> send(IPCP, ControlPacketCodec.encode(
                            new ControlPacket.ConfigureRequest(n.identifier() + 1, n.options())));
                    case ControlPacket.ConfigureAck a -> ackedOurs = true;
                    case ControlPacket p -> throw new AssertionError("IPCP " + p);
                }
            }
            assertThat(onLoop(() -> session.isIpcpOpened())).isTrue();
        }

        void awaitClosed(EndCause cause) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (closed.isEmpty() && System.nanoTime() < deadline) {
                // answer the concentrator's Terminate-Request, as a client does
                byte[] f = received.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && protocolOf(f) == LCP
                        && ControlPacketCodec.decode(Unpooled.wrappedBuffer(info(f)), true) instanceof ControlPacket.TerminateRequest t) {
                    send(LCP, ControlPacketCodec.encode(new ControlPacket.TerminateAck(t.identifier(), new byte[0])));
                }
            }
            assertThat(closed).containsExactly(cause);
        }
    }
}
