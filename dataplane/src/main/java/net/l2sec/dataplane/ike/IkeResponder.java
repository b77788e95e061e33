package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.ipsec.IkeDatagramSink;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IKEv1 responder: finds the ISAKMP SA of each datagram by its cookies and hands the message to the task of
 * its exchange ({@link MainMode}, {@link AggressiveMode} when enabled, {@link QuickMode}, {@link Informational}).
 * Owns the SA table, the half-open and rate limits, retransmission of responses, DPD and lifetimes. Runs on the
 * dataplane event loop only.
 */
public final class IkeResponder implements IkeDatagramSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IkeResponder.class);
    static final int NAT_T_PORT = 4500;
    static final int MAX_QUICK_MODES_PER_SA = 16;

    private record Cookies(long initiator, long responder) {
    }

    private IkeSettings settings;
    private final ChildSaTable childSas;
    private final DatagramSender sender;
    private final Scheduler scheduler;
    private final IkeMetrics metrics;
    /** Validates peer certificates (at the wall-clock time of {@code clock}); null when certificates are off. */
    private PeerValidation peerValidation;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final MainMode mainMode = new MainMode(this);
    private final AggressiveMode aggressiveMode = new AggressiveMode(this);
    private final Informational informational = new Informational(this);
    private final Map<Cookies, IkeSa> sas = new HashMap<>();
    /** Half-open SAs by initiator cookie and peer, to answer a repeated message 1. */
    private final Map<String, IkeSa> byInitiator = new HashMap<>();
    private final Map<InetAddress, long[]> newSasBySource = new HashMap<>();
    private final Set<Integer> spis = new HashSet<>();
    private int halfOpen;
    private int established;
    /** Maintenance: new clients' phase 1 is refused; see {@link #draining(boolean)}. */
    private boolean draining;

    public IkeResponder(IkeSettings settings, ChildSaTable childSas, DatagramSender sender, Scheduler scheduler,
                        MeterRegistry registry) {
        this(settings, childSas, sender, scheduler, registry, Clock.systemUTC());
    }

    /** @param clock wall-clock time for certificate validity */
    public IkeResponder(IkeSettings settings, ChildSaTable childSas, DatagramSender sender, Scheduler scheduler,
                        MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.peerValidation = settings.certificates().map(c -> new PeerValidation(c, clock)).orElse(null);
        this.childSas = childSas;
        this.sender = sender;
        this.scheduler = scheduler;
        this.metrics = new IkeMetrics(registry, () -> established);
        LOG.info("IKEv1 responder {}", settings);
    }

    @Override
    public void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf message) {
        byte[] msg;
        try {
            msg = ByteBufUtil.getBytes(message);
        } finally {
            message.release();
        }
        try {
            handle(peer, local, msg);
        } catch (IkeDecodeException e) {
            metrics.dropped(e.reason());
            LOG.debug("peer={} dropped reason={}: {}", text(peer), e.reason().tag(), e.getMessage());
        } catch (RuntimeException e) {
            metrics.dropped(IkeDropReason.INTERNAL_ERROR);
            LOG.warn("peer={} dropped reason=internal_error", text(peer), e);
        }
    }

    private void handle(InetSocketAddress peer, InetSocketAddress local, byte[] msg) throws IkeDecodeException {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        if (h.nextPayload() == PayloadType.FRAGMENT) {
            fragment(h, msg, peer, local);
            return;
        }
        if (h.exchangeType() == ExchangeType.INFORMATIONAL && !h.encrypted()) {
            unauthenticatedInformational(h, msg, peer);
            return;
        }
        if (h.responderCookie() == 0) {
            newExchange(h, msg, peer, local);
            return;
        }
        IkeSa ike = sas.get(new Cookies(h.initiatorCookie(), h.responderCookie()));
        if (ike == null) throw new IkeDecodeException(IkeDropReason.UNKNOWN_SA, "no SA for these cookies");
        byte[] earlier = ike.responseTo(msg);
        if (earlier != null) {
            metrics.retransmit();
            LOG.debug("{} peer={} repeated request, resending our response", ike.tag, text(peer));
            send(ike, earlier);
            return;
        }
        switch (h.exchangeType()) {
            case IDENTITY_PROTECTION -> {
                if (h.messageId() != 0) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Main Mode with M-ID");
                if (ike.state() == IkeSa.State.MM_SA_SENT && !h.encrypted()) {
                    PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
                    arrived(ike);
                    mainMode.message3(ike, h, chain, msg);
                } else if (ike.state() == IkeSa.State.MM_KE_SENT && h.encrypted()) {
                    arrived(ike);
                    mainMode.message5(ike, h, msg, peer, local);
                } else {
                    throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Main Mode message in state " + ike.state());
                }
            }
            case AGGRESSIVE -> {
                if (h.messageId() != 0) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Aggressive Mode with M-ID");
                if (ike.state() != IkeSa.State.AM_SENT || !h.encrypted()) {
                    throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Aggressive Mode message in state " + ike.state()
                            + (h.encrypted() ? "" : " (message 3 must be encrypted)"));
                }
                arrived(ike);
                aggressiveMode.message3(ike, h, msg, peer, local);
            }
            case QUICK_MODE -> quickMode(ike, h, msg, peer, local);
            case INFORMATIONAL -> {
                if (!ike.established() || h.messageId() == 0) {
                    throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "informational before phase 1 completed");
                }
                PayloadChain chain;
                try {
                    chain = ike.unprotect(h, msg);
                } finally {
                    ike.keymat.endExchange(h.messageId());
                }
                if (!ike.hash1Valid(h.messageId(), chain)) throw new IkeDecodeException(IkeDropReason.BAD_HASH, "informational HASH(1)");
                ike.lastInboundNanos = scheduler.nanoTime();
                floatPeer(ike, peer, local);
                informational.process(ike, chain);
            }
            default -> throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "exchange " + h.exchangeType());
        }
    }

    /**
     * A fragment of a larger message: only for an SA we know, one message reassembled per SA at a time; the whole
     * message is then handled like any other (a repeated one gets our earlier response).
     */
    private void fragment(IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        IkeSettings.Fragmentation limits = settings.fragmentation();
        if (!limits.enabled()) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "fragment, fragmentation disabled");
        IkeSa ike = sas.get(new Cookies(h.initiatorCookie(), h.responderCookie()));
        if (ike == null) throw new IkeDecodeException(IkeDropReason.UNKNOWN_SA, "fragment for no SA");
        PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
        if (h.encrypted() || chain.payloads().size() != 1 || !(chain.payloads().get(0) instanceof Payload.Fragment f)) {
            throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "a fragment must be the only payload, unencrypted");
        }
        IsakmpFragmentation.Reassembly r = ike.reassembly;
        if (r == null || r.fragmentId != f.fragmentId()) {
            if (r != null) {
                r.cancel();
                LOG.debug("{} peer={} fragments of id {} superseded by id {}", ike.tag, text(peer), r.fragmentId, f.fragmentId());
            }
            IsakmpFragmentation.Reassembly fresh = new IsakmpFragmentation.Reassembly(f.fragmentId());
            fresh.timer = scheduler.schedule(limits.reassemblyTimeout(), () -> {
                if (ike.reassembly != fresh) return;
                ike.reassembly = null;
                metrics.dropped(IkeDropReason.FRAGMENT_TIMEOUT);
                LOG.debug("{} peer={} dropped reason=fragment_timeout id={}", ike.tag, ike.peerText(), fresh.fragmentId);
            });
            ike.reassembly = r = fresh;
        }
        byte[] whole;
        try {
            whole = r.add(f, limits);
        } catch (IkeDecodeException e) {
            r.cancel();
            ike.reassembly = null;
            throw e;
        }
        if (whole == null) return;
        r.cancel();
        ike.reassembly = null;
        IsakmpHeader inner = IsakmpCodec.decodeHeader(whole);
        if (inner.nextPayload() == PayloadType.FRAGMENT || inner.initiatorCookie() != h.initiatorCookie()
                || inner.responderCookie() != h.responderCookie()) {
            throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "reassembled message is not of this SA");
        }
        handle(peer, local, whole);
    }

    /**
     * An unencrypted Informational, as peers send when they reject something before keys exist (e.g. our SA or
     * ID): worth a log line, never trusted.
     */
    private void unauthenticatedInformational(IsakmpHeader h, byte[] msg, InetSocketAddress peer) throws IkeDecodeException {
        PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
        IkeSa ike = sas.get(new Cookies(h.initiatorCookie(), h.responderCookie()));
        for (Payload.Notify n : chain.all(Payload.Notify.class)) {
            LOG.info("{} peer={} unauthenticated notify type={} from peer (ignored)", ike == null ? "ike=?" : ike.tag,
                    text(peer), n.notifyType());
        }
        metrics.dropped(IkeDropReason.UNAUTHENTICATED);
    }

    private void arrived(IkeSa ike) {
        ike.lastInboundNanos = scheduler.nanoTime();
        if (ike.retransmission != null) ike.retransmission.cancel();
    }

    private void quickMode(IkeSa ike, IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        if (!ike.established() || h.messageId() == 0) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Quick Mode before phase 1 completed");
        }
        int mid = h.messageId();
        QuickModeRekey rekey = ike.rekeys.get(mid);
        if (rekey != null) {
            // message 2 of a Quick Mode we initiated; one that does not decrypt leaves it waiting (and resending)
            PayloadChain chain = ike.unprotect(h, msg);
            ike.rekeys.remove(mid);
            ike.lastInboundNanos = scheduler.nanoTime();
            floatPeer(ike, peer, local);
            rekey.message2(chain, msg);
            ike.keymat.endExchange(mid);
            return;
        }
        QuickMode qm = ike.quickModes.get(mid);
        if (qm == null && ike.quickModes.size() >= MAX_QUICK_MODES_PER_SA) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "too many Quick Modes in progress");
        }
        PayloadChain chain;
        try {
            chain = ike.unprotect(h, msg);
        } catch (IkeDecodeException e) {
            if (qm == null) ike.keymat.endExchange(mid);
            throw e;
        }
        if (qm == null) {
            if (!ike.hash1Valid(mid, chain)) {
                ike.keymat.endExchange(mid);
                throw new IkeDecodeException(IkeDropReason.BAD_HASH, "Quick Mode HASH(1)");
            }
            ike.lastInboundNanos = scheduler.nanoTime();
            floatPeer(ike, peer, local);
            qm = new QuickMode(this, ike, mid);
            ike.quickModes.put(mid, qm);
            if (!qm.message1(chain, msg)) {
                ike.quickModes.remove(mid);
                ike.keymat.endExchange(mid);
            }
        } else {
            ike.lastInboundNanos = scheduler.nanoTime();
            ike.quickModes.remove(mid);
            qm.message3(chain);
            // the exchange is over; a repeated message 3 finds no Quick Mode and fails HASH(1): dropped
            ike.keymat.endExchange(mid);
        }
    }

    private void newExchange(IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        boolean aggressive = h.exchangeType() == ExchangeType.AGGRESSIVE;
        if (aggressive && !settings.aggressiveMode()) {
            LOG.warn("peer={} phase1 failed reason=aggressive_mode_refused", text(peer));
            metrics.phase1Failed(FailureReason.AGGRESSIVE_MODE_REFUSED);
            return;
        }
        if (!aggressive && h.exchangeType() != ExchangeType.IDENTITY_PROTECTION || h.encrypted()) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, h.exchangeType() + " without responder cookie");
        }
        IkeSa existing = byInitiator.get(initiatorKey(h.initiatorCookie(), peer));
        if (existing != null) {
            byte[] earlier = existing.responseTo(msg);
            if (earlier == null) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "another message 1 for a half-open SA");
            metrics.retransmit();
            send(existing, earlier);
            return;
        }
        if (draining && !hasEstablishedSa(peer)) {
            // no answer at all: the client retries and gives up; counted so the operator sees who was turned away
            LOG.info("peer={} phase1 refused reason=draining", text(peer));
            metrics.phase1Failed(FailureReason.DRAINING);
            return;
        }
        PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
        if (!allowNewSa(peer.getAddress())) {
            LOG.warn("peer={} phase1 failed reason=rate_limited", text(peer));
            metrics.phase1Failed(FailureReason.RATE_LIMITED);
            return;
        }
        if (halfOpen >= settings.halfOpenLimit()) {
            LOG.warn("peer={} phase1 failed reason=half_open_limit ({} in progress)", text(peer), halfOpen);
            metrics.phase1Failed(FailureReason.HALF_OPEN_LIMIT);
            return;
        }
        metrics.phase1Started();
        if (aggressive) aggressiveMode.message1(h, chain, msg, peer, local);
        else mainMode.message1(h, chain, msg, peer, local);
    }

    private boolean allowNewSa(InetAddress source) {
        long now = scheduler.nanoTime();
        if (newSasBySource.size() > 10_000) newSasBySource.values().removeIf(w -> now - w[0] > 1_000_000_000L);
        long[] w = newSasBySource.computeIfAbsent(source, a -> new long[] {now, 0});
        if (now - w[0] > 1_000_000_000L) {
            w[0] = now;
            w[1] = 0;
        }
        return ++w[1] <= settings.newSasPerSourcePerSecond();
    }

    private static String initiatorKey(long cookie, InetSocketAddress peer) {
        return Long.toHexString(cookie) + "/" + peer;
    }

    // ---- called by the tasks

    /**
     * Reload: proposals, limits, PSK, certificates, DPD and Aggressive Mode for negotiations from now on; established
     * SAs keep what they negotiated. Call on the event loop.
     */
    public void updateSettings(IkeSettings next) {
        this.settings = next;
        this.peerValidation = next.certificates().map(c -> new PeerValidation(c, clock)).orElse(null);
        LOG.info("IKEv1 responder reconfigured {}", next);
    }

    IkeSettings settings() {
        return settings;
    }

    IkeMetrics metrics() {
        return metrics;
    }

    PeerValidation peerValidation() {
        return peerValidation;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    ChildSaTable childSas() {
        return childSas;
    }

    Informational informational() {
        return informational;
    }

    byte[] random(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    long newCookie() {
        while (true) {
            long c = random.nextLong();
            if (c == 0) continue;
            boolean tagTaken = sas.keySet().stream().anyMatch(k -> k.responder() >>> 32 == c >>> 32);
            if (!tagTaken) return c;
        }
    }

    /** A fresh inbound SPI: random, above the reserved range 1..255 (RFC 4303 section 2.1), unique. */
    int newSpi() {
        while (true) {
            int s = random.nextInt();
            if (Integer.compareUnsigned(s, 255) > 0 && spis.add(s)) return s;
        }
    }

    void releaseSpi(int spi) {
        spis.remove(spi);
    }

    int newMessageId() {
        int m;
        do {
            m = random.nextInt();
        } while (m == 0);
        return m;
    }

    IkeSa find(long initiatorCookie, long responderCookie) {
        return sas.get(new Cookies(initiatorCookie, responderCookie));
    }

    void register(IkeSa ike) {
        sas.put(new Cookies(ike.initiatorCookie, ike.responderCookie), ike);
        byInitiator.put(initiatorKey(ike.initiatorCookie, ike.peer), ike);
        halfOpen++;
        ike.halfOpenTimer = scheduler.schedule(settings.halfOpenTimeout(), () -> {
            if (!ike.established()) phase1Failed(ike, FailureReason.TIMEOUT, "phase 1 not completed in " + settings.halfOpenTimeout());
        });
    }

    /** Sends a response, remembers it for a repeated request, and resends it while the next message is awaited. */
    void respond(IkeSa ike, byte[] request, byte[] response, boolean awaitMore) {
        ike.remember(request, response);
        send(ike, response);
        if (ike.retransmission != null) ike.retransmission.cancel();
        ike.retransmission = awaitMore ? new Retransmission(scheduler, () -> {
            metrics.retransmit();
            send(ike, response);
        }) : null;
    }

    /** Sends {@code msg}, in fragments when the peer announced fragmentation and it exceeds our datagram size. */
    void send(IkeSa ike, byte[] msg) {
        IkeSettings.Fragmentation f = settings.fragmentation();
        int overhead = (ike.peer.getAddress() instanceof Inet6Address ? 40 : 20) + 8
                + (ike.local.getPort() == NAT_T_PORT ? 4 : 0);
        if (!f.enabled() || !ike.peerFragmentation || overhead + msg.length <= f.maxDatagram()) {
            send(ike.local, ike.peer, msg);
            return;
        }
        int maxData = f.maxDatagram() - overhead - IsakmpHeader.LENGTH - IsakmpFragmentation.FRAGMENT_HEADER;
        ike.lastFragmentId = ike.lastFragmentId + 1 & 0xffff;
        List<byte[]> fragments = IsakmpFragmentation.fragment(msg, ike.lastFragmentId, maxData);
        LOG.debug("{} peer={} sending {} octets in {} fragments", ike.tag, ike.peerText(), msg.length, fragments.size());
        for (byte[] fragment : fragments) send(ike.local, ike.peer, fragment);
    }

    private void send(InetSocketAddress local, InetSocketAddress peer, byte[] msg) {
        boolean natT = local.getPort() == NAT_T_PORT;
        ByteBuf b = Unpooled.buffer(msg.length + (natT ? 4 : 0));
        if (natT) b.writeInt(0); // non-ESP marker (RFC 3948 section 2.2)
        b.writeBytes(msg);
        sender.send(local, peer, b);
    }

    /** An unencrypted Informational with one notification about the ISAKMP SA (RFC 2408 section 4.8). */
    void sendUnprotectedNotify(InetSocketAddress peer, InetSocketAddress local, long ckyI, long ckyR, NotifyType type) {
        byte[] spi = ByteBuffer.allocate(16).putLong(ckyI).putLong(ckyR).array();
        IsakmpHeader h = new IsakmpHeader(ckyI, ckyR, 0, IsakmpHeader.VERSION_1_0, ExchangeType.INFORMATIONAL, 0, 0, 0);
        send(local, peer, IsakmpCodec.encode(h, List.of(new Payload.Notify(Doi.IPSEC,
                ProtocolId.PROTO_ISAKMP, type, spi, new byte[0]))));
    }

    /** Port floating (RFC 3947 section 4): an authenticated message from a new address moves the SA there. */
    void floatPeer(IkeSa ike, InetSocketAddress peer, InetSocketAddress local) {
        if (!peer.equals(ike.peer) || !local.equals(ike.local)) {
            LOG.info("{} peer={} moved to {} (local {})", ike.tag, ike.peerText(), text(peer), text(local));
            ike.peer = peer;
            ike.local = local;
        }
    }

    void phase1Established(IkeSa ike, boolean initialContact) {
        ike.establish();
        halfOpen--;
        established++;
        byInitiator.remove(initiatorKey(ike.initiatorCookie, ike.peer));
        byInitiator.values().remove(ike);
        ike.halfOpenTimer.cancel();
        metrics.phase1Completed();
        LOG.info("{} peer={} phase1 up {} id={} nat-t={} dpd={} mode={}", ike.tag, ike.peerText(), ike.proposal.label(),
                ike.peerIdText, ike.natT, ike.peerDpd, ike.aggressive ? "aggressive" : "main");
        if (initialContact) {
            initialContact(ike);
        } else if (sameClient(ike).findAny().isPresent()) {
            metrics.rekey(1);
        }
        ike.lifetimeTimer = scheduler.schedule(ike.proposal.lifetime(), () -> {
            LOG.info("{} peer={} phase1 expired after {}", ike.tag, ike.peerText(), ike.proposal.lifetime());
            deleteSa(ike, "lifetime", true, true);
        });
        if (ike.peerDpd && settings.dpdDelay().isPositive()) scheduleDpd(ike);
    }

    /** Other established SAs of the same client: same identity from the same address and port. */
    private java.util.stream.Stream<IkeSa> sameClient(IkeSa ike) {
        return sas.values().stream().filter(o -> o != ike && o.established() && o.peerIdText.equals(ike.peerIdText)
                && o.peer.equals(ike.peer));
    }

    /** INITIAL-CONTACT: the client rebooted; its older SAs are gone on its side (RFC 2407 section 4.6.3.3). */
    void initialContact(IkeSa ike) {
        for (IkeSa old : sameClient(ike).toList()) {
            LOG.info("{} peer={} initial-contact: deleting older {}", ike.tag, ike.peerText(), old.tag);
            deleteSa(old, "initial-contact", false, false);
        }
    }

    private void scheduleDpd(IkeSa ike) {
        ike.dpdTimer = scheduler.schedule(settings.dpdDelay(), () -> {
            if (ike.deleted()) return;
            long since = scheduler.nanoTime() - settings.dpdDelay().toNanos();
            boolean alive = ike.lastInboundNanos > since
                    || ike.children.stream().anyMatch(c -> childSas.inboundSince(c.inboundSpi(), since));
            if (alive) {
                ike.dpdUnanswered = 0;
            } else if (ike.dpdUnanswered >= settings.dpdMaxProbes()) {
                LOG.warn("{} peer={} dead: {} R-U-THERE unanswered", ike.tag, ike.peerText(), ike.dpdUnanswered);
                metrics.dpdTimeout();
                deleteSa(ike, "dpd", false, false);
                return;
            } else {
                informational.rUThere(ike);
            }
            scheduleDpd(ike);
        });
    }

    /** Message 1 offered nothing acceptable: counted, logged (by the task's {@code log}) with the offer, told to the peer. */
    void noProposalChosen(Logger log, IsakmpHeader h, InetSocketAddress peer, InetSocketAddress local, Payload.Sa offered) {
        log.warn("peer={} phase1 failed reason=no_proposal_chosen{} offered: {}; allowed: {}", text(peer),
                h.exchangeType() == ExchangeType.AGGRESSIVE ? " (aggressive mode)" : "",
                Phase1Proposal.describeOffer(offered), Phase1Proposal.describeAllowed(settings));
        metrics.phase1Failed(FailureReason.NO_PROPOSAL_CHOSEN);
        sendUnprotectedNotify(peer, local, h.initiatorCookie(), newCookie(), NotifyType.NO_PROPOSAL_CHOSEN);
    }

    /** The configured PSK; without one no initiator can authenticate: a random key makes HASH_I fail as auth_failed. */
    byte[] preSharedKey() {
        return settings.psk().orElseGet(() -> random(32));
    }

    /** Authentication failed: the peer is told with {@code notifyType}, the SA deleted and counted. */
    void authFailed(Logger log, IkeSa ike, String why, NotifyType notifyType) {
        phase1Failed(log, ike, FailureReason.AUTH_FAILED, why + (ike.proposal.signatures() ? "" : " (usually a pre-shared key mismatch)"),
                notifyType);
    }

    /** Phase 1 failed for {@code reason}; the peer is told with an unprotected {@code notifyType}. */
    void phase1Failed(Logger log, IkeSa ike, FailureReason reason, String why, NotifyType notifyType) {
        log.warn("{} peer={} phase1 failed reason={}: {}", ike.tag, ike.peerText(), reason.tag(), why);
        sendUnprotectedNotify(ike.peer, ike.local, ike.initiatorCookie, ike.responderCookie, notifyType);
        phase1Failed(ike, reason, null);
    }

    void phase1Failed(IkeSa ike, FailureReason reason, String why) {
        if (why != null) LOG.warn("{} peer={} phase1 failed reason={}: {}", ike.tag, ike.peerText(), reason.tag(), why);
        metrics.phase1Failed(reason);
        deleteSa(ike, reason.tag(), false, false);
    }

    /**
     * Ends an ISAKMP SA.
     *
     * @param notifyPeer send Delete payloads for its child SAs and itself first
     * @param adopt      hand the child SAs to a newer SA of the same client if there is one (phase-1 rekey: in
     *                   IKEv1 the IPsec SAs outlive the ISAKMP SA that made them); else they are removed
     */
    void deleteSa(IkeSa ike, String cause, boolean notifyPeer, boolean adopt) {
        if (ike.deleted()) return;
        IkeSa successor = adopt ? sameClient(ike).reduce((a, b) -> b).orElse(null) : null;
        if (notifyPeer && ike.established()) {
            if (successor != null) {
                informational.send(ike, List.of(new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_ISAKMP, 16,
                        List.of(ike.cookies()))));
            } else {
                informational.sendDeletes(ike);
            }
        }
        if (ike.established()) established--;
        else {
            halfOpen--;
            byInitiator.values().remove(ike);
        }
        ike.delete();
        ike.cancelTimers();
        sas.remove(new Cookies(ike.initiatorCookie, ike.responderCookie));
        if (successor != null) {
            successor.children.addAll(ike.children);
        } else {
            for (IkeSa.ChildSa c : ike.children) {
                childSas.remove(c.inboundSpi(), cause);
                spis.remove(c.inboundSpi());
            }
        }
        ike.children.clear();
        ike.wipe();
        LOG.info("{} peer={} deleted cause={}{}", ike.tag, ike.peerText(), cause,
                successor != null ? " (child SAs moved to " + successor.tag + ")" : "");
    }

    void removeChildByOutboundSpi(IkeSa ike, int outboundSpi, String cause) {
        // this SA's children, or those of another SA of the same client (phase-1 rekey in progress); never
        // another client's, even behind the same address
        for (IkeSa other : java.util.stream.Stream.concat(java.util.stream.Stream.of(ike), sameClient(ike)).toList()) {
            for (IkeSa.ChildSa c : new ArrayList<>(other.children)) {
                if (c.outboundSpi() == outboundSpi) {
                    other.children.remove(c);
                    spis.remove(c.inboundSpi());
                    childSas.remove(c.inboundSpi(), cause);
                    LOG.info("{} peer={} phase2 down esp={} spi-in={} spi-out={} cause={}", other.tag, other.peerText(),
                            c.label(), String.format("%08x", c.inboundSpi()), String.format("%08x", outboundSpi), cause);
                    return;
                }
            }
        }
    }

    /**
     * ESP reached the soft limit of the pair with inbound SPI {@code inboundSpi} (time, octets or sequence numbers):
     * initiates a Quick Mode for the same traffic and transform through the ISAKMP SA that now holds the pair
     * (found by SPI: after a phase-1 rekey the pair has moved to a newer ISAKMP SA than {@code ikeSaTag}). Without
     * an established ISAKMP SA the pair is left to expire (counted {@code no_ike_sa}); the client renegotiates.
     * Runs on the dataplane event loop.
     *
     * @param why ESP's reason, for the log
     */
    public void rekeyChildSa(String ikeSaTag, int inboundSpi, String why) {
        IkeSa ike = ownerOf(inboundSpi);
        if (ike == null || !ike.established()) {
            LOG.info("{} phase2 rekey of spi-in={} ({}) not initiated: no ISAKMP SA; the pair expires, the client "
                    + "renegotiates", ikeSaTag, QuickModeRekey.hex(inboundSpi), why);
            metrics.phase2Failed(FailureReason.NO_IKE_SA);
            return;
        }
        IkeSa.ChildSa old = childOf(ike, inboundSpi);
        if (old.replaced()) {
            LOG.debug("{} phase2 spi-in={} ({}) already replaced by a newer pair: not rekeyed", ike.tag,
                    QuickModeRekey.hex(inboundSpi), why);
            return;
        }
        if (ike.rekeys.values().stream().anyMatch(r -> r.oldInboundSpi() == inboundSpi)) {
            LOG.debug("{} phase2 rekey of spi-in={} already in progress", ike.tag, QuickModeRekey.hex(inboundSpi));
            return;
        }
        int mid;
        do {
            mid = newMessageId();
        } while (ike.quickModes.containsKey(mid) || ike.rekeys.containsKey(mid));
        ike.rekeys.put(mid, QuickModeRekey.start(this, ike, old, why, mid));
    }

    /**
     * ESP deleted the pair with inbound SPI {@code inboundSpi} at its hard limit: the peer is told with a Delete
     * payload if the ISAKMP SA that holds the pair is still there, and the SPI is forgotten. Runs on the dataplane
     * event loop.
     */
    public void childSaExpired(String ikeSaTag, int inboundSpi) {
        spis.remove(inboundSpi);
        IkeSa ike = ownerOf(inboundSpi);
        if (ike == null) {
            LOG.debug("{} phase2 spi-in={} expired, no ISAKMP SA to tell the peer", ikeSaTag, QuickModeRekey.hex(inboundSpi));
            return;
        }
        IkeSa.ChildSa c = childOf(ike, inboundSpi);
        ike.children.remove(c);
        LOG.info("{} peer={} phase2 down esp={} spi-in={} spi-out={} cause=expired", ike.tag, ike.peerText(), c.label(),
                QuickModeRekey.hex(inboundSpi), QuickModeRekey.hex(c.outboundSpi()));
        // a replaced pair's Delete went out when it was replaced
        if (ike.established() && !c.replaced()) informational.send(ike, List.of(espDelete(inboundSpi)));
    }

    /**
     * A Quick Mode (the client's or one we initiated) installed {@code fresh}: every older pair of the same client
     * for the same traffic is replaced by it. IKEv1 has no rekey notion of its own (RFC 2409 section 5.5): a new
     * pair for the traffic of an existing one is its replacement, whoever started it. Each replaced pair is marked
     * (ESP's lifetime events for it start nothing), a rekey we were negotiating for it is abandoned, and it is
     * retired (Delete now, removal after {@link QuickModeRekey#GRACE}), so one client never holds two SA chains.
     *
     * @return the inbound SPIs of the pairs replaced
     */
    List<Integer> replaceOlder(IkeSa ike, IkeSa.ChildSa fresh) {
        List<Integer> replaced = new ArrayList<>();
        for (IkeSa owner : java.util.stream.Stream.concat(java.util.stream.Stream.of(ike), sameClient(ike)).toList()) {
            for (IkeSa.ChildSa c : owner.children) {
                if (c == fresh || c.replaced() || !c.sameTraffic(fresh)) continue;
                c.markReplaced();
                replaced.add(c.inboundSpi());
                for (var r : List.copyOf(owner.rekeys.entrySet())) {
                    if (r.getValue().oldInboundSpi() != c.inboundSpi()) continue;
                    LOG.info("{} phase2 rekey of spi-in={} abandoned: the peer replaced it first", owner.tag,
                            QuickModeRekey.hex(c.inboundSpi()));
                    owner.rekeys.remove(r.getKey());
                    r.getValue().abandon();
                    owner.keymat.endExchange(r.getKey());
                }
            }
        }
        for (int spi : replaced) retireChild(spi, "rekeyed");
        return replaced;
    }

    /**
     * A replaced pair: the peer is told now (Delete), ESP drops it after {@link QuickModeRekey#GRACE} so that packets
     * already sent with it still decrypt.
     */
    private void retireChild(int inboundSpi, String cause) {
        IkeSa ike = ownerOf(inboundSpi);
        if (ike == null) return; // expired or deleted by the peer meanwhile
        if (ike.established()) informational.send(ike, List.of(espDelete(inboundSpi)));
        scheduler.schedule(QuickModeRekey.GRACE, () -> {
            IkeSa owner = ownerOf(inboundSpi);
            if (owner == null) return;
            IkeSa.ChildSa c = childOf(owner, inboundSpi);
            owner.children.remove(c);
            spis.remove(inboundSpi);
            childSas.remove(inboundSpi, cause);
            LOG.info("{} peer={} phase2 down esp={} spi-in={} spi-out={} cause={}", owner.tag, owner.peerText(),
                    c.label(), QuickModeRekey.hex(inboundSpi), QuickModeRekey.hex(c.outboundSpi()), cause);
        });
    }

    private static Payload.Delete espDelete(int inboundSpi) {
        return new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_IPSEC_ESP, 4, List.of(QuickModeRekey.spiBytes(inboundSpi)));
    }

    /** The ISAKMP SA holding the child SA of our inbound SPI {@code inboundSpi}, or null. */
    private IkeSa ownerOf(int inboundSpi) {
        for (IkeSa ike : sas.values()) if (childOf(ike, inboundSpi) != null) return ike;
        return null;
    }

    private static IkeSa.ChildSa childOf(IkeSa ike, int inboundSpi) {
        for (IkeSa.ChildSa c : ike.children) if (c.inboundSpi() == inboundSpi) return c;
        return null;
    }

    /**
     * Maintenance drain: while on, a new phase 1 from an address and port without an established ISAKMP SA is dropped and
     * counted ({@code l2sec.ike.phase1{result=failed,reason=draining}}); established SAs, their Quick Modes and
     * a phase 1 rekey by a client that still holds an SA go on as usual. Call on the event loop.
     */
    public void draining(boolean on) {
        if (on != draining) LOG.info("ike draining={}", on);
        draining = on;
    }

    public boolean draining() {
        return draining;
    }

    /**
     * A client rekeying phase 1 sends from where its SA is (UDP/4500 behind NAT, through the same mapping); a new
     * client, even behind the same NAT, comes from another address or port.
     */
    private boolean hasEstablishedSa(InetSocketAddress peer) {
        for (IkeSa ike : sas.values()) if (ike.established() && ike.peer.equals(peer)) return true;
        return false;
    }

    /**
     * The IPsec state of a client by its outer address and port (as L2TP sessions over ESP report their peer):
     * its newest established ISAKMP SA with the child SAs it installed; a same-address SA when no port matches
     * (the client floated); empty for plain L2TP. Call on the event loop.
     */
    public Optional<IpsecInfo> ipsecOf(InetSocketAddress peer) {
        IkeSa best = null;
        boolean bestPortMatch = false;
        for (IkeSa ike : sas.values()) {
            if (!ike.established() || !ike.peer.getAddress().equals(peer.getAddress())) continue;
            boolean portMatch = ike.peer.getPort() == peer.getPort();
            if (best == null || portMatch && !bestPortMatch
                    || portMatch == bestPortMatch && ike.createdNanos > best.createdNanos) {
                best = ike;
                bestPortMatch = portMatch;
            }
        }
        if (best == null) return Optional.empty();
        List<IpsecInfo.Child> children = new ArrayList<>();
        for (IkeSa.ChildSa c : best.children) children.add(new IpsecInfo.Child(c.inboundSpi(), c.outboundSpi(), c.label()));
        return Optional.of(new IpsecInfo(best.tag.substring("ike=".length()), best.proposal.label(),
                best.aggressive ? "aggressive" : "main", best.natT != IkeSa.NatT.NONE, best.peerIdText,
                java.time.Duration.ofNanos(scheduler.nanoTime() - best.createdNanos), List.copyOf(children)));
    }

    /** Established ISAKMP SAs. */
    public int activeSas() {
        return established;
    }

    /** Sends Delete payloads for every SA and forgets them all. */
    @Override
    public void close() {
        for (IkeSa ike : List.copyOf(sas.values())) deleteSa(ike, "shutdown", true, false);
    }

    static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
