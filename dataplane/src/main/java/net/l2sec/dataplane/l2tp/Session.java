package net.l2sec.dataplane.l2tp;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.List;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.PppLink;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incoming call on a tunnel (RFC 2661 sections 5.2.1 and 7.4.2, LNS side): ICRQ answered with ICRP, ICCN
 * starts PPP, CDN ends it in either direction. A call whose ICCN does not come within
 * {@code l2tp.connect-timeout} is cleared with a CDN ({@link TeardownCause#CONNECT_TIMEOUT}), so an unanswered ICRP
 * holds its Session ID for no longer. Also the {@link PppLink} PPP writes to.
 */
public final class Session implements PppLink {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /**
     * Largest PPP frame we let PPP send: 1500 (Ethernet path MTU) - 20 (outer IPv4) - 8 (UDP) - 8 (our L2TP data
     * header, Length bit set) = 1464 over plain UDP; ESP in UDP-encapsulated transport mode adds up to 8 (UDP) + 8
     * (SPI, sequence) + 16 (CBC IV) + 17 (padding, trailer) + 16 (ICV) = 65 more, so 1464 - 65 = 1399, rounded down
     * to 1396 to keep the inner IP packet (the frame less FF 03 and the 2-octet protocol) a multiple of 4.
     */
    public static final int MTU = 1396;

    /** Call states (RFC 2661 section 7.4.2, LNS incoming). */
    public enum State { WAIT_CONNECT, ESTABLISHED, CLOSED }

    private final Tunnel tunnel;
    private final L2tpNetworkServer server;
    private final int localId;
    private final int peerId;
    private final String tag;
    private State state = State.WAIT_CONNECT;
    private PppEndpoint endpoint;
    private boolean sequencing;
    private int dataNs;
    /** Runs from ICRQ until ICCN or the end of the call. */
    private Scheduler.Timeout connectTimer;

    Session(Tunnel tunnel, L2tpNetworkServer server, int localId, int peerId) {
        this.tunnel = tunnel;
        this.server = server;
        this.localId = localId;
        this.peerId = peerId;
        this.tag = SessionContext.tagOf(tunnel.localId(), localId);
        this.connectTimer = server.scheduler().schedule(server.settings().connectTimeout(), this::connectTimedOut);
    }

    public int localId() {
        return localId;
    }

    public int peerId() {
        return peerId;
    }

    public State state() {
        return state;
    }

    void onIccn(ControlMessage m) {
        if (state != State.WAIT_CONNECT) {
            log.debug("session={} ignoring ICCN in state {}", tag, state);
            return;
        }
        if (m.find(AvpType.FRAMING_TYPE) == null || m.find(AvpType.TX_CONNECT_SPEED) == null) {
            disconnect(CdnResult.ERROR_CODE, ErrorCode.OUT_OF_RANGE, TeardownCause.PROTOCOL_ERROR);
            return;
        }
        // RFC 2661 section 4.4.6: Sequencing Required means sequence numbers on every data message we send
        sequencing = m.find(AvpType.SEQUENCING_REQUIRED) != null;
        cancelConnectTimer();
        state = State.ESTABLISHED;
        server.metrics().sessionEstablished();
        log.info("session={} l2tp session up", tag);
        SessionContext context = new SessionContext(tag, tunnel.peer(), tunnel.localId(), localId, Instant.now(), tunnel.client());
        endpoint = server.pppEndpointFactory().open(context, this);
    }

    void onCdn(ControlMessage m) {
        lowerLayerDown(TeardownCause.PEER_REQUEST, TeardownCause.PEER_REQUEST);
    }

    /** One data message payload; ownership of {@code payload} passes here. */
    void receive(DataMessage message) {
        if (state != State.ESTABLISHED || endpoint == null) {
            message.payload().release();
            server.dropped(L2tpDropReason.SESSION_NOT_ESTABLISHED, tunnel.peer(), tag);
            return;
        }
        // a peer that numbers its data messages gets numbered ones back (RFC 2661 section 5.4)
        if (message.sequenced()) sequencing = true;
        endpoint.receive(message.payload());
    }

    /**
     * The tunnel went away (or the peer sent CDN): PPP ends without sending anything, told
     * {@code why.endCause()}; the call is counted with {@code cause}.
     */
    void lowerLayerDown(TeardownCause cause, TeardownCause why) {
        if (state == State.CLOSED) return;
        boolean wasEstablished = finish(cause, why.text());
        if (wasEstablished && endpoint != null) endpoint.lowerLayerDown(why.endCause());
    }

    /** Sends CDN and forgets the session. */
    void disconnect(CdnResult result, ErrorCode error, TeardownCause cause) {
        disconnect(result, error, null, cause);
    }

    /** Sends CDN, with {@code message} as the Result Code's error message when not null, and forgets the session. */
    private void disconnect(CdnResult result, ErrorCode error, String message, TeardownCause cause) {
        if (state == State.CLOSED) return;
        tunnel.send(MessageType.CDN, peerId, List.of(Tunnel.resultCode(result.code(), error, message),
                Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, localId)));
        boolean wasEstablished = finish(cause, cause.text());
        if (wasEstablished && endpoint != null) endpoint.lowerLayerDown(cause.endCause());
    }

    /** No ICCN in time: result 3, administrative (RFC 2661 section 4.4.2 has no code for an LNS's timeout). */
    private void connectTimedOut() {
        connectTimer = null;
        if (state != State.WAIT_CONNECT) return;
        disconnect(CdnResult.ADMINISTRATIVE, ErrorCode.NO_ERROR,
                "no ICCN within " + server.settings().connectTimeout().toSeconds() + "s", TeardownCause.CONNECT_TIMEOUT);
    }

    private void cancelConnectTimer() {
        if (connectTimer != null) connectTimer.cancel();
        connectTimer = null;
    }

    private boolean finish(TeardownCause cause, String text) {
        cancelConnectTimer();
        boolean wasEstablished = state == State.ESTABLISHED;
        state = State.CLOSED;
        tunnel.sessionGone(this);
        server.metrics().sessionEnded(wasEstablished, cause);
        if (wasEstablished) log.info("session={} l2tp session down cause={}", tag, text);
        else server.callRefusals().refused(cause, "session={} l2tp call failed cause={}", tag, text);
        return wasEstablished;
    }

    // --- PppLink ------------------------------------------------------------------------------------------------

    @Override
    public void send(ByteBuf frame) {
        if (state != State.ESTABLISHED) {
            frame.release();
            return;
        }
        int ns = dataNs;
        if (sequencing) dataNs = (dataNs + 1) & 0xffff;
        DataMessage m = new DataMessage(tunnel.peerId(), peerId, sequencing, ns, 0, frame);
        tunnel.transport().send(tunnel.peer(), L2tpCodec.encode(frame.alloc(), m));
    }

    @Override
    public void close(EndCause cause) {
        if (state == State.CLOSED) return;
        CallDisconnect cdn = CallDisconnect.of(cause);
        tunnel.send(MessageType.CDN, peerId, List.of(Tunnel.resultCode(cdn.result().code(), cdn.error(), null),
                Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, localId)));
        finish(TeardownCause.PPP_CLOSED, cause.text());
        cdn.clearsIdleTunnel().ifPresent(tunnel::stopIfIdle);
    }

    @Override
    public int mtu() {
        return MTU;
    }
}
