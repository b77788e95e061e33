package net.l2sec.dataplane.l2tp;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.LogText;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control connection, responder side (RFC 2661 sections 5.1, 6 and 7.2): SCCRQ, SCCRP, SCCCN, HELLO,
 * StopCCN, and the incoming calls it carries. We are the LNS and never initiate a tunnel or a call.
 */
public final class Tunnel {
    private static final Logger log = LoggerFactory.getLogger(Tunnel.class);
    static final int PROTOCOL_VERSION = 0x0100; // version 1, revision 0 (RFC 2661 section 4.4.3)
    static final long FRAMING_SYNC_ASYNC = 0x3;

    /** Control connection states (RFC 2661 section 7.2, LNS side, after an SCCRQ was accepted). */
    public enum State { WAIT_CTL_CONN, ESTABLISHED, CLOSING, FREED }

    /**
     * Why an SCCRQ is refused, and the StopCCN Result Code AVP that says so (RFC 2661 section 4.4.2).
     *
     * @param message the Result Code's error message, or null
     */
    record Refusal(StopCcnResult result, ErrorCode error, String message, TeardownCause cause) {}

    private final L2tpNetworkServer server;
    private final Scheduler scheduler;
    private final L2tpSettings settings;
    private final int localId;
    /** The longest Host or Vendor Name kept (an AVP may carry 1017 octets; RADIUS text takes 253). */
    static final int MAX_PEER_TEXT = 253;

    private final int peerId;
    private final InetSocketAddress peer;
    private final L2tpTransport transport;
    private final ControlChannel channel;
    /** By our Session ID; primitive-keyed, so a data message's look-up boxes nothing. */
    private final IntObjectHashMap<Session> sessions = new IntObjectHashMap<>();
    private State state = State.WAIT_CTL_CONN;
    private boolean established;
    private boolean stopCcnSent;
    private byte[] challenge;
    /** What the SCCRQ's Host Name and Vendor Name said (RFC 2661 section 4.4.3); every call of the tunnel starts from it. */
    private ClientIdentity client = ClientIdentity.NONE;
    private long lastHeard;
    private Scheduler.Timeout helloTimer;
    private Scheduler.Timeout retentionTimer;

    Tunnel(L2tpNetworkServer server, int localId, InetSocketAddress peer, int peerId, L2tpTransport transport) {
        this.server = server;
        this.scheduler = server.scheduler();
        this.settings = server.settings();
        this.localId = localId;
        this.peerId = peerId;
        this.peer = peer;
        this.transport = transport;
        this.channel = new ControlChannel(scheduler, settings, peerId, new ControlChannel.Peer() {
            @Override
            public void transmit(ControlMessage message) {
                transport.send(peer, L2tpCodec.encode(ByteBufAllocator.DEFAULT, message));
            }

            @Override
            public void deliver(ControlMessage message) {
                handle(message);
            }

            @Override
            public void retransmitLimit(ControlMessage oldest) {
                onRetransmitLimit(oldest);
            }

            @Override
            public void retransmitted() {
                server.metrics().retransmitted();
            }

            @Override
            public void sendQueueFull() {
                // not from inside the send that overflowed: its caller is still working on the tunnel's state
                scheduler.execute(Tunnel.this::sendQueueFull);
            }
        });
        this.lastHeard = scheduler.nanoTime();
        this.helloTimer = scheduler.schedule(settings.helloInterval(), this::helloDue);
    }

    public int localId() {
        return localId;
    }

    public int peerId() {
        return peerId;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    public L2tpTransport transport() {
        return transport;
    }

    public State state() {
        return state;
    }

    Session session(int localSessionId) {
        return sessions.get(localSessionId);
    }

    int sessionCount() {
        return sessions.size();
    }

    /** A control message from this tunnel's peer (hidden AVPs already unhidden). */
    void receive(ControlMessage message) {
        if (state == State.FREED) return;
        lastHeard = scheduler.nanoTime();
        ControlChannel.Receipt receipt = channel.receive(message);
        if (receipt == ControlChannel.Receipt.OUT_OF_WINDOW) server.dropped(L2tpDropReason.OUT_OF_WINDOW, peer, message.toString());
        if (state == State.CLOSING && stopCcnSent && channel.idle()) free(); // our StopCCN was acknowledged
    }

    /** Ends the tunnel on server shutdown: one StopCCN, then everything is released at once. */
    void shutdown() {
        if (state == State.FREED) return;
        if (state != State.CLOSING) stop(StopCcnResult.GENERAL_REQUEST, ErrorCode.NO_ERROR, "shutdown", TeardownCause.SHUTDOWN);
        free();
    }

    /** Ends the tunnel because its transport is gone: one StopCCN (if not already closing), then freed at once. */
    void transportDown(String why) {
        if (state == State.FREED) return;
        log.info("tunnel={} transport down: {}", localId, why);
        if (state != State.CLOSING) stop(StopCcnResult.GENERAL_REQUEST, ErrorCode.NO_ERROR, why, TeardownCause.TRANSPORT_DOWN);
        free();
    }

    // --- events, one method each --------------------------------------------------------------------------------

    private void handle(ControlMessage m) {
        MessageType type = m.type();
        if (type == null) {
            // RFC 2661 section 3.2: an unknown message type with the M bit set clears the tunnel
            if (m.avps().getFirst().mandatory()) unknownMandatory("message type " + m.avps().getFirst().shortValue());
            return;
        }
        for (Avp a : m.avps()) {
            if (a.mandatory() && a.knownType() == null) {
                // RFC 2661 section 4.1: an unrecognised mandatory AVP ends the session or the tunnel it concerns
                Session s = type.isSessionMessage() ? sessions.get(m.sessionId()) : null;
                if (s != null) s.disconnect(CdnResult.ERROR_CODE, ErrorCode.UNKNOWN_MANDATORY_AVP, TeardownCause.UNKNOWN_MANDATORY_AVP);
                else unknownMandatory("AVP " + a.vendorId() + ":" + a.type());
                return;
            }
        }
        if (state == State.CLOSING && type != MessageType.STOPCCN) return;
        switch (type) {
            case SCCRQ -> onSccrq(m);
            case SCCCN -> onScccn(m);
            case STOPCCN -> onStopCcn(m);
            case HELLO -> { } // the channel's acknowledgement is the whole answer (RFC 2661 section 6.5)
            case ICRQ -> onIcrq(m);
            case ICCN, CDN, SLI, WEN -> onSessionMessage(type, m);
            case OCRQ -> onOcrq(m);
            default -> log.debug("tunnel={} ignoring {}", localId, m);
        }
    }

    /**
     * Why {@code sccrq} cannot open a tunnel, if it cannot: checked before any state is created for it, so the
     * refusal is a StopCCN that holds nothing (RFC 2661 sections 4.4.2, 5.1.1, 6.1).
     */
    static Optional<Refusal> refusal(ControlMessage sccrq, L2tpSettings settings) {
        AvpType missing = missing(sccrq, AvpType.PROTOCOL_VERSION, AvpType.HOST_NAME, AvpType.FRAMING_CAPABILITIES,
                AvpType.ASSIGNED_TUNNEL_ID);
        if (missing != null) {
            return Optional.of(new Refusal(StopCcnResult.GENERAL_ERROR, ErrorCode.OUT_OF_RANGE, "missing " + missing,
                    TeardownCause.PROTOCOL_ERROR));
        }
        if (sccrq.find(AvpType.PROTOCOL_VERSION).shortValue() != PROTOCOL_VERSION) {
            return Optional.of(new Refusal(StopCcnResult.UNSUPPORTED_VERSION, ErrorCode.NO_ERROR, null,
                    TeardownCause.PROTOCOL_ERROR));
        }
        if (sccrq.find(AvpType.CHALLENGE) != null && settings.tunnelSecret().isEmpty()) {
            // the peer wants to authenticate us and we have no secret to answer with (RFC 2661 section 5.1.1)
            return Optional.of(new Refusal(StopCcnResult.NOT_AUTHORIZED, ErrorCode.NO_ERROR, null, TeardownCause.AUTH_FAILED));
        }
        return Optional.empty();
    }

    /** The SCCRQ the server accepted ({@link #refusal} found nothing against it): answered with SCCRP. */
    private void onSccrq(ControlMessage m) {
        if (state != State.WAIT_CTL_CONN || challenge != null || channel.ns() != 0) {
            log.debug("tunnel={} ignoring SCCRQ in state {}", localId, state);
            return;
        }
        Avp rws = m.find(AvpType.RECEIVE_WINDOW_SIZE);
        if (rws != null && rws.shortValue() > 0) channel.peerReceiveWindow(rws.shortValue());
        client = ClientIdentity.ofL2tp(peerText(m.find(AvpType.HOST_NAME)), peerText(m.find(AvpType.VENDOR_NAME)));
        byte[] secret = settings.tunnelSecret().orElse(null);
        Avp peerChallenge = m.find(AvpType.CHALLENGE);
        List<Avp> avps = new ArrayList<>();
        avps.add(Avp.ofShort(AvpType.PROTOCOL_VERSION, PROTOCOL_VERSION));
        avps.add(Avp.ofInt(AvpType.FRAMING_CAPABILITIES, FRAMING_SYNC_ASYNC));
        avps.add(Avp.ofString(AvpType.HOST_NAME, settings.hostName()));
        avps.add(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, localId));
        avps.add(Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, settings.receiveWindow()));
        avps.add(Avp.optional(AvpType.VENDOR_NAME, "l2sec".getBytes(StandardCharsets.US_ASCII)));
        avps.add(Avp.optional(AvpType.FIRMWARE_REVISION, new byte[] {0x01, 0x00}));
        if (secret != null) {
            challenge = server.randomBytes(16);
            avps.add(Avp.of(AvpType.CHALLENGE, challenge));
            if (peerChallenge != null) {
                avps.add(Avp.of(AvpType.CHALLENGE_RESPONSE,
                        challengeResponse(MessageType.SCCRP, secret, peerChallenge.value())));
            }
        } else {
            challenge = new byte[0];
        }
        send(MessageType.SCCRP, 0, avps);
    }

    private void onScccn(ControlMessage m) {
        if (state != State.WAIT_CTL_CONN || challenge == null) {
            log.debug("tunnel={} ignoring SCCCN in state {}", localId, state);
            return;
        }
        byte[] secret = settings.tunnelSecret().orElse(null);
        if (secret != null) {
            Avp response = m.find(AvpType.CHALLENGE_RESPONSE);
            byte[] expected = challengeResponse(MessageType.SCCCN, secret, challenge);
            if (response == null || !MessageDigest.isEqual(expected, response.value())) {
                stop(StopCcnResult.NOT_AUTHORIZED, ErrorCode.NO_ERROR, null, TeardownCause.AUTH_FAILED);
                return;
            }
        }
        state = State.ESTABLISHED;
        established = true;
        server.metrics().tunnelEstablished();
        log.info("tunnel={} peer={} tunnel up host={} vendor={}", localId, address(), LogText.quote(client.l2tpHostName()),
                LogText.quote(client.l2tpVendorName()));
    }

    private void onStopCcn(ControlMessage m) {
        // RFC 2661 section 5.7: acknowledge at once, clear the sessions, keep the state for one full
        // retransmission cycle so a retransmitted StopCCN is acknowledged again, then free
        channel.acknowledgeNow();
        if (state == State.CLOSING) return;
        Avp result = m.find(AvpType.RESULT_CODE);
        log.debug("tunnel={} StopCCN {}", localId, result);
        end(TeardownCause.PEER_REQUEST);
        retentionTimer = scheduler.schedule(retransmitCycle(), this::free);
    }

    private void onIcrq(ControlMessage m) {
        Avp assigned = m.find(AvpType.ASSIGNED_SESSION_ID);
        if (assigned == null || assigned.shortValue() <= 0) {
            log.debug("tunnel={} ICRQ without Assigned Session ID", localId);
            return;
        }
        int peerSessionId = assigned.shortValue();
        if (state != State.ESTABLISHED) {
            refuseCall(peerSessionId, CdnResult.ERROR_CODE, ErrorCode.NO_CONTROL_CONNECTION, TeardownCause.PROTOCOL_ERROR);
            return;
        }
        if (m.find(AvpType.CALL_SERIAL_NUMBER) == null) {
            refuseCall(peerSessionId, CdnResult.ERROR_CODE, ErrorCode.OUT_OF_RANGE, TeardownCause.PROTOCOL_ERROR);
            return;
        }
        if (server.draining()) {
            // RFC 2661 section 4.4.2: result 4, temporary lack of facilities; the client may retry elsewhere or later
            refuseCall(peerSessionId, CdnResult.TEMPORARY_NO_FACILITIES, ErrorCode.INSUFFICIENT_RESOURCES,
                    TeardownCause.DRAINING);
            return;
        }
        // RFC 2661 section 4.4.2: result 4, temporary lack of facilities, for a limit and for an exhausted ID space
        if (sessions.size() >= settings.maxSessionsPerTunnel()) {
            refuseCall(peerSessionId, CdnResult.TEMPORARY_NO_FACILITIES, ErrorCode.INSUFFICIENT_RESOURCES,
                    TeardownCause.SESSION_LIMIT);
            return;
        }
        int localSessionId = server.allocateSessionId();
        if (localSessionId == 0) {
            refuseCall(peerSessionId, CdnResult.TEMPORARY_NO_FACILITIES, ErrorCode.INSUFFICIENT_RESOURCES,
                    TeardownCause.NO_RESOURCES);
            return;
        }
        Session s = new Session(this, server, localSessionId, peerSessionId);
        sessions.put(localSessionId, s);
        send(MessageType.ICRP, peerSessionId, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, localSessionId)));
    }

    private void onOcrq(ControlMessage m) {
        // we are an LNS for remote access: outgoing calls are not placed (RFC 2661 section 5.3 is the LAC's job)
        Avp assigned = m.find(AvpType.ASSIGNED_SESSION_ID);
        if (assigned != null && assigned.shortValue() > 0) {
            refuseCall(assigned.shortValue(), CdnResult.PERMANENT_NO_FACILITIES, ErrorCode.NO_ERROR, TeardownCause.REFUSED);
        }
    }

    private void onSessionMessage(MessageType type, ControlMessage m) {
        Session s = sessions.get(m.sessionId());
        if (s == null) {
            log.debug("tunnel={} {} for unknown session {}", localId, type, m.sessionId());
            return;
        }
        switch (type) {
            case ICCN -> s.onIccn(m);
            case CDN -> s.onCdn(m);
            case SLI, WEN -> { } // acknowledged by the channel; ACCM is an HDLC concern, call errors are advisory
            default -> throw new IllegalStateException(type.name());
        }
    }

    private void onRetransmitLimit(ControlMessage oldest) {
        if (state == State.CLOSING) {
            free();
            return;
        }
        end(oldest.type() == MessageType.HELLO ? TeardownCause.HELLO_TIMEOUT : TeardownCause.RETRANSMIT_LIMIT);
        free();
    }

    private void helloDue() {
        helloTimer = null;
        if (state == State.CLOSING || state == State.FREED) return;
        long idle = scheduler.nanoTime() - lastHeard;
        long interval = settings.helloInterval().toNanos();
        if (idle < interval) {
            helloTimer = scheduler.schedule(Duration.ofNanos(interval - idle), this::helloDue);
            return;
        }
        if (state == State.WAIT_CTL_CONN) {
            // the peer acknowledged SCCRP but never sent SCCCN
            stop(StopCcnResult.FSM_ERROR, ErrorCode.NO_ERROR, null, TeardownCause.PROTOCOL_ERROR);
            return;
        }
        // RFC 2661 section 6.5: a HELLO after a period of silence; its retransmission limit ends a dead tunnel
        if (channel.idle()) send(MessageType.HELLO, 0, List.of());
        lastHeard = scheduler.nanoTime();
        helloTimer = scheduler.schedule(settings.helloInterval(), this::helloDue);
    }

    // --- actions ------------------------------------------------------------------------------------------------

    /** Sends StopCCN and clears the sessions; the tunnel is freed once the StopCCN is acknowledged or given up. */
    void stop(StopCcnResult result, ErrorCode error, String message, TeardownCause cause) {
        if (state == State.CLOSING || state == State.FREED) return;
        send(MessageType.STOPCCN, 0, List.of(resultCode(result.code(), error, message),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, localId)));
        stopCcnSent = true;
        end(cause);
    }

    private void unknownMandatory(String what) {
        log.debug("tunnel={} unknown mandatory {}", localId, what);
        stop(StopCcnResult.GENERAL_ERROR, ErrorCode.UNKNOWN_MANDATORY_AVP, null, TeardownCause.UNKNOWN_MANDATORY_AVP);
    }

    private void refuseCall(int peerSessionId, CdnResult result, ErrorCode error, TeardownCause cause) {
        send(MessageType.CDN, peerSessionId, List.of(resultCode(result.code(), error, null),
                Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, 0)));
        server.metrics().sessionEnded(false, cause);
        server.callRefusals().refused(cause, "tunnel={} peer={} l2tp call refused cause={}", localId, address(), cause.text());
    }

    /** Leaves the running states: sessions go down, meters and the log record why. */
    private void end(TeardownCause cause) {
        state = State.CLOSING;
        cancelHello();
        for (Session s : List.copyOf(sessions.values())) s.lowerLayerDown(TeardownCause.TUNNEL_DOWN, cause);
        server.metrics().tunnelEnded(established, cause);
        if (established) log.info("tunnel={} tunnel down cause={}", localId, cause.text());
        else server.tunnelRefusals().refused(cause, "tunnel={} peer={} tunnel failed cause={}", localId, address(), cause.text());
        server.tunnelClosing(this);
    }

    /**
     * The peer let more than {@code l2tp.max-send-queue} of our messages pile up behind its window: the tunnel is
     * abandoned as {@link #transportDown} does it, one StopCCN sent at once (outside the window: it may be lost) and
     * everything freed, since the peer acknowledges nothing.
     */
    private void sendQueueFull() {
        if (state == State.FREED) return;
        if (state != State.CLOSING) {
            end(TeardownCause.SEND_QUEUE_FULL);
            channel.sendFinal(ControlMessage.of(MessageType.STOPCCN, peerId, 0, List.of(
                    resultCode(StopCcnResult.GENERAL_ERROR.code(), ErrorCode.INSUFFICIENT_RESOURCES, "send queue full"),
                    Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, localId))));
        }
        free();
    }

    /** Releases everything: timers, ids, the server's maps. */
    void free() {
        if (state == State.FREED) return;
        if (state != State.CLOSING) end(TeardownCause.SHUTDOWN);
        state = State.FREED;
        channel.stop();
        cancelHello();
        if (retentionTimer != null) retentionTimer.cancel();
        retentionTimer = null;
        server.tunnelFreed(this);
    }

    void send(MessageType type, int peerSessionId, List<Avp> avps) {
        channel.send(ControlMessage.of(type, peerId, peerSessionId, avps));
    }

    /**
     * Ends the tunnel (StopCCN, "general request to clear control connection", RFC 2661 section 4.4.2) when its
     * last call is gone; a tunnel still carrying calls, or already closing, is left alone.
     */
    void stopIfIdle(TeardownCause cause) {
        if (!sessions.isEmpty() || state != State.ESTABLISHED) return;
        log.info("tunnel={} no calls left after {}: clearing the control connection", localId, cause.text());
        stop(StopCcnResult.GENERAL_REQUEST, ErrorCode.NO_ERROR, null, cause);
    }

    void sessionGone(Session s) {
        sessions.remove(s.localId());
        server.releaseSessionId(s.localId());
    }

    // --- small pieces -------------------------------------------------------------------------------------------

    static Avp resultCode(int result, ErrorCode error, String message) {
        byte[] text = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[4 + text.length];
        v[0] = (byte) (result >>> 8);
        v[1] = (byte) result;
        v[2] = (byte) (error.code() >>> 8);
        v[3] = (byte) error.code();
        System.arraycopy(text, 0, v, 4, text.length);
        return Avp.of(AvpType.RESULT_CODE, v);
    }

    /** RFC 2661 section 4.4.3: MD5 over the response's one-octet Message Type, the secret and the challenge. */
    static byte[] challengeResponse(MessageType responseType, byte[] secret, byte[] challenge) {
        MessageDigest md5 = HiddenAvp.md5();
        md5.update((byte) responseType.code());
        md5.update(secret);
        md5.update(challenge);
        return md5.digest();
    }

    private static AvpType missing(ControlMessage m, AvpType... required) {
        for (AvpType t : required) if (m.find(t) == null) return t;
        return null;
    }

    /** A text AVP as the peer sent it, cut to {@link #MAX_PEER_TEXT} characters; null when absent. */
    private static String peerText(Avp avp) {
        if (avp == null) return null;
        String s = avp.stringValue();
        return s.length() > MAX_PEER_TEXT ? s.substring(0, MAX_PEER_TEXT) : s;
    }

    /** What the tunnel's peer said about itself in its SCCRQ. */
    ClientIdentity client() {
        return client;
    }

    private Duration retransmitCycle() {
        Duration total = Duration.ZERO;
        Duration t = settings.retransmitInitial();
        for (int i = 0; i <= settings.retransmitRetries(); i++) {
            total = total.plus(t);
            t = t.multipliedBy(2).compareTo(settings.retransmitMax()) > 0 ? settings.retransmitMax() : t.multipliedBy(2);
        }
        return total;
    }

    private void cancelHello() {
        if (helloTimer != null) helloTimer.cancel();
        helloTimer = null;
    }

    String address() {
        return peer.getAddress().getHostAddress() + ":" + peer.getPort();
    }
}
