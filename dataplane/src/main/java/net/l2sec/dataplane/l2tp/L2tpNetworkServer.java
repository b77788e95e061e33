package net.l2sec.dataplane.l2tp;

import io.netty.util.collection.IntObjectHashMap;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.l2sec.dataplane.PppEndpointFactory;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LNS: every L2TP datagram enters through {@link #receive}. Decodes, finds the tunnel (by our Tunnel ID, and
 * only from the peer address, port and transport it was created through), and hands control messages to the
 * tunnel and data payloads to the session's PPP endpoint. Nothing thrown by a datagram escapes: a bad one is
 * released, counted in {@code l2sec.l2tp.packets.dropped} and logged at DEBUG. Runs on the scheduler's thread.
 *
 * <p>What a peer can make us hold is bounded ({@link L2tpSettings}): tunnels in all (closing ones count, they hold
 * their ID), tunnels per peer, calls per tunnel, the time a call may stay unconnected, and the control messages
 * queued for a peer. An SCCRQ we cannot accept is answered with a StopCCN that creates no state (RFC 2661 section
 * 4.4.2 Result Code 2 with the general error that says why, or 4 or 5 for authorization and version), so a refused
 * request holds no Tunnel ID. Every refusal is counted ({@code l2sec.l2tp.tunnels.failed} or
 * {@code sessions.failed} with its {@link TeardownCause}) and logged through a {@link RefusalLog}.
 */
public final class L2tpNetworkServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(L2tpNetworkServer.class);

    private final L2tpSettings settings;
    private final PppEndpointFactory pppEndpointFactory;
    private final Scheduler scheduler;
    private final L2tpMetrics metrics;
    private final SecureRandom random = new SecureRandom();
    /** By our Tunnel ID; a primitive-keyed map, so a data message's look-up boxes nothing. */
    private final IntObjectHashMap<Tunnel> tunnels = new IntObjectHashMap<>();
    /** Tunnels by who asked for them, so a retransmitted SCCRQ finds its tunnel (RFC 2661 section 5.8). */
    private final Map<PeerTunnel, Tunnel> byPeer = new HashMap<>();
    /** Our Tunnel and Session IDs in use, closing tunnels' included: unique process-wide (every worker loop's). */
    private final L2tpIdentifiers ids;
    /** This server's sessions (calls) from ICRQ until CDN. */
    private int sessions;
    /** Tunnels held per peer (transport, address and port), closing ones included. */
    private final Map<Peer, Integer> perPeer = new HashMap<>();
    /** Tunnels refused or failed before being established, and calls refused or failed before ICCN. */
    private final RefusalLog tunnelRefusals;
    private final RefusalLog callRefusals;

    /** Maintenance: new calls (ICRQ) are refused; see {@link #draining(boolean)}. */
    private boolean draining;

    private record PeerTunnel(InetSocketAddress peer, int peerTunnelId) {
    }

    /** One peer as {@code l2tp.max-tunnels-per-peer} counts it: the transport (compared by identity) and the address. */
    private record Peer(L2tpTransport transport, InetSocketAddress address) {
    }

    public L2tpNetworkServer(L2tpSettings settings, PppEndpointFactory pppEndpointFactory, Scheduler scheduler,
                             MeterRegistry registry) {
        this(settings, pppEndpointFactory, scheduler, registry, new L2tpIdentifiers());
    }

    /** @param ids the ID spaces this server shares with the other worker loops' servers */
    public L2tpNetworkServer(L2tpSettings settings, PppEndpointFactory pppEndpointFactory, Scheduler scheduler,
                             MeterRegistry registry, L2tpIdentifiers ids) {
        this.ids = ids;
        this.settings = settings;
        this.pppEndpointFactory = pppEndpointFactory;
        this.scheduler = scheduler;
        this.metrics = new L2tpMetrics(registry, this::activeTunnels, this::activeSessions);
        this.tunnelRefusals = new RefusalLog(log, scheduler);
        this.callRefusals = new RefusalLog(log, scheduler);
    }

    /** One datagram from {@code peer} that arrived through {@code transport}; ownership of it passes here. */
    public void receive(InetSocketAddress peer, ByteBuf datagram, L2tpTransport transport) {
        boolean owned = true;
        try {
            switch (L2tpCodec.decodeInPlace(datagram)) {
                case ControlMessage c -> onControl(peer, c, transport);
                case DataMessage d -> {
                    owned = false; // the payload is the datagram: it travels on (or is released) with the frame
                    onData(peer, d, transport);
                }
            }
        } catch (L2tpDecodeException e) {
            dropped(e.reason(), peer, e.getMessage());
        } catch (RuntimeException e) {
            dropped(L2tpDropReason.INTERNAL_ERROR, peer, e.toString());
            log.warn("peer={} l2tp datagram failed", address(peer), e);
        } finally {
            if (owned) datagram.release();
        }
    }

    /** Sends StopCCN on every tunnel and releases them all. */
    @Override
    public void close() {
        for (Tunnel t : List.copyOf(tunnels.values())) t.shutdown();
    }

    /**
     * Ends every tunnel created through {@code transport}, because that transport is going away (for ESP: the
     * peer's last SA is deleted). Each gets one StopCCN attempt through the transport and is freed at once, as
     * nothing could acknowledge it afterwards; {@code cause} goes into the StopCCN's error message and the log.
     */
    public void closeTunnels(L2tpTransport transport, String cause) {
        for (Tunnel t : List.copyOf(tunnels.values())) {
            if (t.transport() == transport) t.transportDown(cause);
        }
    }

    /**
     * Maintenance drain: while on, every new call (ICRQ) is answered with a CDN, result 4 "temporary lack of
     * facilities" and error 4 "insufficient resources" (RFC 2661 section 4.4.2), counted as
     * {@code l2sec.l2tp.sessions.failed{reason=draining}}; established sessions go on. Tunnels are still accepted
     * (a tunnel without a call carries nothing). Call on the event loop.
     */
    public void draining(boolean on) {
        if (on != draining) log.info("l2tp draining={}", on);
        draining = on;
    }

    public boolean draining() {
        return draining;
    }

    /** Tunnels accepted and not yet closing. */
    public int activeTunnels() {
        int n = 0;
        for (Tunnel t : tunnels.values()) {
            if (t.state() == Tunnel.State.WAIT_CTL_CONN || t.state() == Tunnel.State.ESTABLISHED) n++;
        }
        return n;
    }

    /** Sessions (calls) from ICRQ until CDN. */
    public int activeSessions() {
        return sessions;
    }

    /** Tunnels still holding state, closing ones included. */
    public int tunnelCount() {
        return tunnels.size();
    }

    private void onControl(InetSocketAddress peer, ControlMessage message, L2tpTransport transport) {
        ControlMessage c = message;
        if (c.avps().stream().anyMatch(Avp::hidden)) {
            c = HiddenAvp.unhideAll(c, settings.tunnelSecret().orElse(null));
            if (c == null) {
                dropped(L2tpDropReason.BAD_HIDDEN_AVP, peer, "cannot unhide " + message);
                return;
            }
        }
        if (c.tunnelId() == 0) {
            onTunnelRequest(peer, c, transport);
            return;
        }
        Tunnel t = tunnels.get(c.tunnelId());
        if (t == null) {
            dropped(L2tpDropReason.UNKNOWN_TUNNEL, peer, c.toString());
        } else if (!t.peer().equals(peer) || t.transport() != transport) {
            dropped(L2tpDropReason.WRONG_PEER, peer, c.toString());
        } else {
            t.receive(c);
        }
    }

    private void onTunnelRequest(InetSocketAddress peer, ControlMessage c, L2tpTransport transport) {
        // only SCCRQ may be addressed to Tunnel ID 0 (RFC 2661 section 3.1)
        if (c.type() != MessageType.SCCRQ) {
            dropped(L2tpDropReason.UNKNOWN_TUNNEL, peer, c.toString());
            return;
        }
        Avp assigned = c.find(AvpType.ASSIGNED_TUNNEL_ID);
        if (assigned == null || assigned.shortValue() <= 0) {
            dropped(L2tpDropReason.BAD_AVP, peer, "SCCRQ without Assigned Tunnel ID");
            return;
        }
        PeerTunnel key = new PeerTunnel(peer, assigned.shortValue());
        Tunnel existing = byPeer.get(key);
        if (existing != null) {
            if (existing.transport() != transport) dropped(L2tpDropReason.WRONG_PEER, peer, c.toString());
            else existing.receive(c); // a retransmitted SCCRQ: the channel acknowledges the duplicate
            return;
        }
        if (c.ns() != 0) {
            dropped(L2tpDropReason.UNEXPECTED_MESSAGE, peer, c.toString());
            return;
        }
        Optional<Tunnel.Refusal> refusal = Tunnel.refusal(c, settings).or(() -> limitReached(new Peer(transport, peer)));
        int id = refusal.isPresent() ? 0 : ids.allocateTunnel(random);
        if (id == 0) {
            refuseTunnel(peer, key.peerTunnelId(), transport, refusal.orElseGet(() -> noResources(TeardownCause.NO_RESOURCES)));
            return;
        }
        Tunnel t = new Tunnel(this, id, peer, key.peerTunnelId(), transport);
        tunnels.put(id, t);
        byPeer.put(key, t);
        perPeer.merge(new Peer(transport, peer), 1, Integer::sum);
        log.debug("tunnel={} peer={} SCCRQ accepted", id, address(peer));
        t.receive(c);
    }

    /** Which limit, if any, keeps us from taking one more tunnel for {@code from}. */
    private Optional<Tunnel.Refusal> limitReached(Peer from) {
        TeardownCause cause;
        int held = ids.tunnelsHeld(); // every worker's tunnels, closing ones included
        if (held >= IdSpace.SIZE) cause = TeardownCause.NO_RESOURCES;
        else if (held >= settings.maxTunnels()) cause = TeardownCause.TUNNEL_LIMIT;
        else if (perPeer.getOrDefault(from, 0) >= settings.maxTunnelsPerPeer()) cause = TeardownCause.PEER_TUNNEL_LIMIT;
        else return Optional.empty();
        return Optional.of(noResources(cause));
    }

    /** RFC 2661 section 4.4.2: Result Code 2, General error, with error 4, insufficient resources now. */
    private static Tunnel.Refusal noResources(TeardownCause cause) {
        return new Tunnel.Refusal(StopCcnResult.GENERAL_ERROR, ErrorCode.INSUFFICIENT_RESOURCES, null, cause);
    }

    /**
     * Stateless StopCCN acknowledging the SCCRQ (Ns 0, Nr 1): no tunnel was created, so nothing is held or
     * retransmitted; a retransmitted SCCRQ gets another one.
     */
    private void refuseTunnel(InetSocketAddress peer, int peerTunnelId, L2tpTransport transport, Tunnel.Refusal refusal) {
        ControlMessage stop = ControlMessage.of(MessageType.STOPCCN, peerTunnelId, 0, List.of(
                Tunnel.resultCode(refusal.result().code(), refusal.error(), refusal.message()),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 0))).withSequence(0, 1);
        transport.send(peer, L2tpCodec.encode(ByteBufAllocator.DEFAULT, stop));
        metrics.tunnelEnded(false, refusal.cause());
        tunnelRefusals.refused(refusal.cause(), "peer={} tunnel refused cause={}{}", address(peer), refusal.cause().text(),
                refusal.message() == null ? "" : ": " + refusal.message());
    }

    private void onData(InetSocketAddress peer, DataMessage d, L2tpTransport transport) {
        Tunnel t = tunnels.get(d.tunnelId());
        L2tpDropReason reason = null;
        Session s = null;
        if (t == null) reason = L2tpDropReason.UNKNOWN_TUNNEL;
        else if (!t.peer().equals(peer) || t.transport() != transport) reason = L2tpDropReason.WRONG_PEER;
        else if ((s = t.session(d.sessionId())) == null) reason = L2tpDropReason.UNKNOWN_SESSION;
        if (reason != null) {
            d.payload().release();
            dropped(reason, peer, "data tunnel=" + d.tunnelId() + " session=" + d.sessionId());
            return;
        }
        s.receive(d);
    }

    // --- for tunnels and sessions -------------------------------------------------------------------------------

    void dropped(L2tpDropReason reason, InetSocketAddress peer, String what) {
        metrics.dropped(reason);
        if (log.isDebugEnabled()) log.debug("peer={} l2tp datagram dropped reason={} {}", address(peer), reason.tag(), what);
    }

    void tunnelClosing(Tunnel t) {
        byPeer.remove(new PeerTunnel(t.peer(), t.peerId()), t);
    }

    void tunnelFreed(Tunnel t) {
        tunnelClosing(t);
        if (tunnels.remove(t.localId(), t)) {
            ids.releaseTunnel(t.localId());
            perPeer.computeIfPresent(new Peer(t.transport(), t.peer()), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** A random unused non-zero Session ID, or 0 when none is left. */
    int allocateSessionId() {
        int id = ids.allocateSession(random);
        if (id != 0) sessions++;
        return id;
    }

    void releaseSessionId(int id) {
        if (ids.releaseSession(id)) sessions--;
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    L2tpSettings settings() {
        return settings;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    L2tpMetrics metrics() {
        return metrics;
    }

    /** Our Tunnel IDs in use (tests take IDs out of it to exhaust the space cheaply). */
    IdSpace tunnelIds() {
        return ids.tunnelSpace();
    }

    RefusalLog tunnelRefusals() {
        return tunnelRefusals;
    }

    RefusalLog callRefusals() {
        return callRefusals;
    }

    PppEndpointFactory pppEndpointFactory() {
        return pppEndpointFactory;
    }

    static String address(InetSocketAddress peer) {
        return (peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString()) + ":" + peer.getPort();
    }
}
