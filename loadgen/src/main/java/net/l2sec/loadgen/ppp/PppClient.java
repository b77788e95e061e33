package net.l2sec.loadgen.ppp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ppp.auth.ChapCodec;
import net.l2sec.dataplane.ppp.auth.ChapPacket;
import net.l2sec.dataplane.ppp.auth.PapCodec;
import net.l2sec.dataplane.ppp.auth.PapPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.LayerActions;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppFrame;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.dataplane.ppp.lcp.AuthProtocolOption;
import net.l2sec.loadgen.Stage;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.time.Scheduler;

/**
 * The client end of one PPP link (RFC 1661 section 3.2 phases): LCP, then authentication as the peer (MS-CHAPv2,
 * RFC 2759, or PAP, RFC 1334), then IPCP; afterwards IPv4 packets both ways, LCP Echo-Requests answered and sent.
 * LCP and IPCP run on the dataplane's {@link NegotiationAutomaton} with client-side option rules
 * ({@link LcpPeerOptions}, {@link IpcpPeerOptions}). Confined to the client's event loop.
 */
public final class PppClient {
    /** Where PPP frames go (the L2TP call). */
    public interface Lower {
        /** Takes ownership of {@code frame} ({@code FF 03}, protocol, information). */
        void send(ByteBuf frame);
    }

    /** What PPP tells its client. */
    public interface Events {
        void lcpUp();

        void authenticated();

        void networkUp(Inet4Address local, Inet4Address peer, List<Inet4Address> dns);

        /** An IPv4 packet; the receiver owns it. */
        void ipPacket(ByteBuf packet);

        void failed(Stage stage, String reason);
    }

    enum Phase { ESTABLISH, AUTHENTICATE, NETWORK, OPEN, DEAD }

    static final NegotiationAutomaton.Limits LIMITS = new NegotiationAutomaton.Limits(Duration.ofSeconds(3), 10, 2, 5);
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(30);
    static final Duration PAP_RESTART = Duration.ofSeconds(3);
    static final int PAP_TRIES = 10;

    private final Scheduler scheduler;
    private final ByteBufAllocator alloc;
    private final Lower lower;
    private final Events events;
    private final AuthMethod auth;
    private final String user;
    private final String password;
    private final LcpPeerOptions lcpOptions;
    private final IpcpPeerOptions ipcpOptions = new IpcpPeerOptions();
    private final NegotiationAutomaton lcp;
    private final NegotiationAutomaton ipcp;
    private final MsChapV2Peer mschap;
    private Phase phase = Phase.ESTABLISH;
    private Scheduler.Timeout authTimer;
    private int papId;
    private int papTries;

    public PppClient(Scheduler scheduler, ByteBufAllocator alloc, Lower lower, Events events, AuthMethod auth, String user,
                     String password, int mru, RandomGenerator random) {
        this.scheduler = scheduler;
        this.alloc = alloc;
        this.lower = lower;
        this.events = events;
        this.auth = auth;
        this.user = user;
        this.password = password;
        this.lcpOptions = new LcpPeerOptions(mru, AuthProtocolOption.of(auth), random);
        this.mschap = new MsChapV2Peer(user, password, random);
        this.lcp = new NegotiationAutomaton(lcpOptions, new Layer(PppProtocol.LCP) {
            @Override
            public void thisLayerUp() {
                lcpOpened();
            }

            @Override
            public void thisLayerDown() {
                fail(phase == Phase.OPEN ? Stage.SESSION : stage(), "lcp_down");
            }

            @Override
            public void thisLayerFinished() {
                fail(phase == Phase.OPEN ? Stage.SESSION : stage(), phase == Phase.ESTABLISH ? "lcp_failed" : "lcp_terminated");
            }
        }, scheduler, LIMITS, random.nextInt(256));
        this.ipcp = new NegotiationAutomaton(ipcpOptions, new Layer(PppProtocol.IPCP) {
            @Override
            public void thisLayerUp() {
                phase = Phase.OPEN;
                events.networkUp(ipcpOptions.localAddress(), ipcpOptions.peerAddress(), ipcpOptions.dns());
            }

            @Override
            public void thisLayerDown() {
                fail(phase == Phase.OPEN ? Stage.SESSION : Stage.IPCP, "ipcp_down");
            }

            @Override
            public void thisLayerFinished() {
                fail(phase == Phase.OPEN ? Stage.SESSION : Stage.IPCP, "ipcp_failed");
            }
        }, scheduler, LIMITS, random.nextInt(256));
    }

    /** The lower layer (the L2TP call) is up: LCP begins (RFC 1661 Up and Open events). */
    public void start() {
        lcp.up();
        lcp.open();
    }

    /** One PPP frame from the call; this method releases it. */
    public void receive(ByteBuf frame) {
        if (phase == Phase.DEAD) {
            frame.release();
            return;
        }
        PppFrame f;
        try {
            f = PppFrameCodec.decode(frame);
        } catch (MalformedPacketException e) {
            frame.release();
            return;
        }
        if (f.protocol() == PppProtocol.IPV4.number()) {
            if (phase == Phase.OPEN) events.ipPacket(frame);
            else frame.release();
            return;
        }
        try {
            ByteBuf in = f.information();
            switch (PppProtocol.of(f.protocol()).orElse(null)) {
                case LCP -> lcpPacket(ControlPacketCodec.decode(in, true));
                case IPCP -> {
                    if (phase == Phase.NETWORK || phase == Phase.OPEN) ipcp.receive(ControlPacketCodec.decode(in, false));
                }
                case CHAP -> {
                    if (phase == Phase.AUTHENTICATE && auth == AuthMethod.MSCHAPV2) chap(ChapCodec.decode(in));
                }
                case PAP -> {
                    if (phase == Phase.AUTHENTICATE && auth == AuthMethod.PAP) pap(PapCodec.decode(in));
                }
                case null, default -> {
                    // RFC 1661 section 5.7: an unknown protocol is rejected once LCP is Opened
                    if (lcp.isOpened()) {
                        sendControl(PppProtocol.LCP, new ControlPacket.ProtocolReject(lcp.takeIdentifier(), f.protocol(),
                                ByteBufUtil.getBytes(in)));
                    }
                }
            }
        } catch (MalformedPacketException e) {
            // dropped, as RFC 1661 section 5 wants malformed packets silently discarded
        } finally {
            frame.release();
        }
    }

    private void lcpPacket(ControlPacket p) {
        switch (p) {
            case ControlPacket.EchoRequest r -> {
                if (lcp.isOpened()) sendControl(PppProtocol.LCP, new ControlPacket.EchoReply(r.identifier(), lcpOptions.magicNumber(), r.data()));
            }
            case ControlPacket.EchoReply r -> { }
            case ControlPacket.DiscardRequest d -> { }
            case ControlPacket.ProtocolReject r -> { }
            default -> lcp.receive(p);
        }
    }

    private void lcpOpened() {
        if (phase != Phase.ESTABLISH) return;
        events.lcpUp();
        Optional<AuthProtocolOption> asked = lcpOptions.authProtocol();
        if (asked.isEmpty()) {
            networkPhase();       // the server asked for no authentication
            return;
        }
        phase = Phase.AUTHENTICATE;
        authTimer = scheduler.schedule(AUTH_TIMEOUT, () -> fail(Stage.PPP_AUTH, "timeout"));
        if (auth == AuthMethod.PAP) {
            papId = lcp.takeIdentifier();
            papTries = 0;
            sendPap();
        }
    }

    private void sendPap() {
        if (phase != Phase.AUTHENTICATE) return;
        if (papTries++ >= PAP_TRIES) {
            fail(Stage.PPP_AUTH, "timeout");
            return;
        }
        send(PppProtocol.PAP, PapCodec.encode(new PapPacket.AuthenticateRequest(papId, user.getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8))));
        scheduler.schedule(PAP_RESTART, this::sendPap);
    }

    private void pap(PapPacket p) {
        switch (p) {
            case PapPacket.AuthenticateAck a -> authenticated();
            case PapPacket.AuthenticateNak n -> fail(Stage.PPP_AUTH, "pap_nak");
            default -> { }
        }
    }

    private void chap(ChapPacket p) {
        switch (p) {
            case ChapPacket.Challenge c -> {
                ChapPacket.Response r = mschap.respond(c);
                if (r == null) fail(Stage.PPP_AUTH, "bad_challenge");
                else send(PppProtocol.CHAP, ChapCodec.encode(r));
            }
            case ChapPacket.Success s -> {
                if (mschap.verify(s)) authenticated();
                else fail(Stage.PPP_AUTH, "bad_authenticator_response");
            }
            case ChapPacket.Failure f -> fail(Stage.PPP_AUTH, MsChapV2Peer.failureReason(f));
            default -> { }
        }
    }

    private void authenticated() {
        if (phase != Phase.AUTHENTICATE) return;
        if (authTimer != null) authTimer.cancel();
        events.authenticated();
        networkPhase();
    }

    private void networkPhase() {
        phase = Phase.NETWORK;
        ipcp.up();
        ipcp.open();
    }

    /** Sends an IPv4 packet; takes ownership of {@code packet}. */
    public void sendIp(ByteBuf packet) {
        if (phase != Phase.OPEN) {
            packet.release();
            return;
        }
        ByteBuf frame = PacketBuffers.prepend(packet, PppFrameCodec.HEADER_LENGTH);
        PppFrameCodec.setHeader(frame, frame.readerIndex(), PppProtocol.IPV4.number());
        lower.send(frame);
    }

    /** An LCP Echo-Request (RFC 1661 section 5.8), the keepalive of an idle link. */
    public void sendEcho() {
        if (lcp.isOpened()) sendControl(PppProtocol.LCP, new ControlPacket.EchoRequest(lcp.takeIdentifier(), lcpOptions.magicNumber(), new byte[0]));
    }

    /** Hangs up: LCP Terminate-Request (once; the tunnel goes right after). */
    public void close() {
        if (phase == Phase.DEAD) return;
        if (lcp.isOpened()) sendControl(PppProtocol.LCP, new ControlPacket.TerminateRequest(lcp.takeIdentifier(), new byte[0]));
        stop();
    }

    private void stop() {
        phase = Phase.DEAD;
        if (authTimer != null) authTimer.cancel();
        // Close events stop the automatons' restart timers; their layer callbacks see DEAD and stay quiet
        ipcp.close();
        lcp.close();
    }

    private Stage stage() {
        return switch (phase) {
            case ESTABLISH -> Stage.PPP_LCP;
            case AUTHENTICATE -> Stage.PPP_AUTH;
            case NETWORK -> Stage.IPCP;
            case OPEN, DEAD -> Stage.SESSION;
        };
    }

    private void fail(Stage stage, String reason) {
        if (phase == Phase.DEAD) return;
        stop();
        events.failed(stage, reason);
    }

    private void sendControl(PppProtocol protocol, ControlPacket p) {
        send(protocol, ControlPacketCodec.encode(p));
    }

    private void send(PppProtocol protocol, byte[] information) {
        if (phase == Phase.DEAD && protocol != PppProtocol.LCP) return;
        ByteBuf frame = PacketBuffers.allocate(alloc, PppFrameCodec.HEADER_LENGTH + information.length);
        PppFrameCodec.writeHeader(frame, protocol.number());
        lower.send(frame.writeBytes(information));
    }

    /** Sends the automaton's packets in this protocol. */
    private abstract class Layer implements LayerActions {
        private final PppProtocol protocol;

        Layer(PppProtocol protocol) {
            this.protocol = protocol;
        }

        @Override
        public void send(ControlPacket packet) {
            if (phase != Phase.DEAD) sendControl(protocol, packet);
        }
    }
}
