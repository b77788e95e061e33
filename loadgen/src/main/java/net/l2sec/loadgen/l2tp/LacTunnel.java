package net.l2sec.loadgen.l2tp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.l2tp.Avp;
import net.l2sec.dataplane.l2tp.AvpType;
import net.l2sec.dataplane.l2tp.ControlChannel;
import net.l2sec.dataplane.l2tp.ControlMessage;
import net.l2sec.dataplane.l2tp.DataMessage;
import net.l2sec.dataplane.l2tp.L2tpCodec;
import net.l2sec.dataplane.l2tp.L2tpDecodeException;
import net.l2sec.dataplane.l2tp.L2tpMessage;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.l2tp.MessageType;
import net.l2sec.loadgen.Stage;
import net.l2sec.spi.time.Scheduler;

/**
 * The LAC end of one L2TPv2 tunnel with one incoming call (RFC 2661 sections 5.1 and 5.2.1), as Windows and
 * xl2tpd place it:
 * <pre>
 *  SCCRQ -->  <-- SCCRP   SCCCN -->
 *  ICRQ  -->  <-- ICRP    ICCN  -->   (the call is up; PPP starts)
 * </pre>
 * Reliable delivery (Ns/Nr, retransmission, ZLB acknowledgements, HELLOs acknowledged) is the dataplane's
 * {@link ControlChannel}. Confined to the client's event loop.
 */
public final class LacTunnel {
    /** Where L2TP datagrams go (the client's ESP SA). */
    public interface Lower {
        /** Takes ownership of {@code datagram}. */
        void send(ByteBuf datagram);
    }

    /** What the tunnel tells its client. */
    public interface Events {
        void callUp();

        /** A PPP frame of our call; the receiver owns (releases) it. */
        void pppFrame(ByteBuf frame);

        void failed(Stage stage, String reason);
    }

    enum State { WAIT_SCCRP, WAIT_ICRP, ESTABLISHED, CLOSED }

    /** Our control channel knobs: Windows' receive window of 8, retransmission from 1 s to 8 s, 5 retries. */
    static final L2tpSettings SETTINGS = new L2tpSettings("l2sec-loadgen", 8, Duration.ofSeconds(1), Duration.ofSeconds(8),
            5, Duration.ofSeconds(60), Optional.empty(), 1, 1);

    private final ByteBufAllocator alloc;
    private final Lower lower;
    private final Events events;
    private final ControlChannel channel;
    private final int tunnelId;
    private final int sessionId;
    private final long callSerial;
    private int peerTunnelId;
    private int peerSessionId;
    private State state = State.WAIT_SCCRP;

    public LacTunnel(Scheduler scheduler, ByteBufAllocator alloc, Lower lower, Events events, RandomGenerator random) {
        this.alloc = alloc;
        this.lower = lower;
        this.events = events;
        this.tunnelId = 1 + random.nextInt(0xffff);
        this.sessionId = 1 + random.nextInt(0xffff);
        this.callSerial = random.nextInt() & 0xffffffffL;
        this.channel = new ControlChannel(scheduler, SETTINGS, 0, new ControlChannel.Peer() {
            @Override
            public void transmit(ControlMessage m) {
                // the channel's ZLBs carry the Tunnel ID it was made with; the peer's is known only from SCCRP on
                ControlMessage out = m.isZlb() ? new ControlMessage(peerTunnelId, 0, m.ns(), m.nr(), List.of()) : m;
                lower.send(L2tpCodec.encode(alloc, out));
            }

            @Override
            public void deliver(ControlMessage m) {
                LacTunnel.this.deliver(m);
            }

            @Override
            public void retransmitLimit(ControlMessage oldest) {
                fail("retransmit_limit");
            }
        });
    }

    public void start() {
        channel.send(ControlMessage.of(MessageType.SCCRQ, 0, 0, List.of(
                Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100),
                Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.ofInt(AvpType.BEARER_CAPABILITIES, 0),
                Avp.optional(AvpType.FIRMWARE_REVISION, new byte[] {0x01, 0x00}),
                Avp.ofString(AvpType.HOST_NAME, "l2sec-loadgen"),
                Avp.optional(AvpType.VENDOR_NAME, "l2sec".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, tunnelId),
                Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, SETTINGS.receiveWindow()))));
    }

    /** One L2TP datagram from the server (the inner UDP header removed); this method releases it. */
    public void receive(ByteBuf datagram) {
        L2tpMessage m;
        try {
            m = L2tpCodec.decode(datagram);
        } catch (L2tpDecodeException e) {
            datagram.release();
            return;
        }
        datagram.release();
        switch (m) {
            case ControlMessage c -> {
                if (c.tunnelId() == tunnelId && state != State.CLOSED) channel.receive(c);
            }
            case DataMessage d -> {
                if (d.tunnelId() == tunnelId && d.sessionId() == sessionId && state == State.ESTABLISHED) {
                    events.pppFrame(d.payload());
                } else {
                    d.payload().release();
                }
            }
        }
    }

    /** Sends one PPP frame ({@code FF 03} and protocol first) on our call; takes ownership of {@code frame}. */
    public void sendPpp(ByteBuf frame) {
        if (state != State.ESTABLISHED) {
            frame.release();
            return;
        }
        lower.send(L2tpCodec.encode(alloc, new DataMessage(peerTunnelId, peerSessionId, false, 0, 0, frame)));
    }

    private void deliver(ControlMessage m) {
        MessageType type = m.type();
        if (type == null) return;
        switch (type) {
            case SCCRP -> {
                if (state != State.WAIT_SCCRP) return;
                Avp assigned = m.find(AvpType.ASSIGNED_TUNNEL_ID);
                if (assigned == null) {
                    fail("sccrp_without_tunnel_id");
                    return;
                }
                peerTunnelId = assigned.shortValue();
                Avp window = m.find(AvpType.RECEIVE_WINDOW_SIZE);
                if (window != null) channel.peerReceiveWindow(window.shortValue());
                channel.send(ControlMessage.of(MessageType.SCCCN, peerTunnelId, 0, List.of()));
                channel.send(ControlMessage.of(MessageType.ICRQ, peerTunnelId, 0, List.of(
                        Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, sessionId),
                        Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, callSerial),
                        Avp.ofInt(AvpType.BEARER_TYPE, 0))));
                state = State.WAIT_ICRP;
            }
            case ICRP -> {
                if (state != State.WAIT_ICRP || m.sessionId() != sessionId) return;
                Avp assigned = m.find(AvpType.ASSIGNED_SESSION_ID);
                if (assigned == null) {
                    fail("icrp_without_session_id");
                    return;
                }
                peerSessionId = assigned.shortValue();
                channel.send(ControlMessage.of(MessageType.ICCN, peerTunnelId, peerSessionId, List.of(
                        Avp.ofInt(AvpType.TX_CONNECT_SPEED, 100_000_000),
                        Avp.ofInt(AvpType.FRAMING_TYPE, 1))));
                state = State.ESTABLISHED;
                events.callUp();
            }
            case STOPCCN -> fail("stopccn" + resultCode(m));
            case CDN -> {
                if (m.sessionId() == sessionId) fail("cdn" + resultCode(m));
            }
            default -> { }   // HELLO and the rest: the channel acknowledges them
        }
    }

    private static String resultCode(ControlMessage m) {
        Avp r = m.find(AvpType.RESULT_CODE);
        return r == null || r.value().length < 2 ? "" : "_result_" + r.shortValue();
    }

    private void fail(String reason) {
        if (state == State.CLOSED) return;
        Stage stage = state == State.ESTABLISHED ? Stage.SESSION : Stage.L2TP;
        state = State.CLOSED;
        channel.stop();
        events.failed(stage, reason);
    }

    /** Hangs up: CDN for the call, then StopCCN, each sent once (the tunnel is abandoned afterwards). */
    public void close() {
        if (state == State.CLOSED) return;
        if (state == State.ESTABLISHED) {
            channel.send(ControlMessage.of(MessageType.CDN, peerTunnelId, peerSessionId, List.of(
                    Avp.of(AvpType.RESULT_CODE, new byte[] {0, 3}),
                    Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, sessionId))));
        }
        if (state != State.WAIT_SCCRP) {
            channel.sendFinal(ControlMessage.of(MessageType.STOPCCN, peerTunnelId, 0, List.of(
                    Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, tunnelId),
                    Avp.of(AvpType.RESULT_CODE, new byte[] {0, 1}))));
        }
        state = State.CLOSED;
        channel.stop();
    }
}
