package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.util.List;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange layer (strongSwan's IKEv1 task manager): hands each message to the task of its exchange and state
 * ({@link MainMode}, {@link AggressiveMode}, {@link QuickMode}, {@link QuickModeRekey}, {@link Informational}),
 * answers a repeated request with our earlier response ({@link ResponseCache}), resends our last message while the
 * peer's next one is awaited ({@link Retransmission}), and ends exchanges. {@link #end} is the one place an
 * exchange's IV is forgotten: every exchange after phase 1 chains IVs of its own, from its message ID (RFC 2409
 * Appendix B). Event loop only.
 */
final class Exchanges {
    private static final Logger LOG = LoggerFactory.getLogger(Exchanges.class);
    /** Quick Modes of the peer's in progress on one ISAKMP SA, at most. */
    static final int MAX_QUICK_MODES_PER_SA = 16;

    private final IkeContext ctx;

    Exchanges(IkeContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A message without responder cookie: message 1 of a phase 1. A repeat of one we answered gets our answer again;
     * a new one opens a phase 1 if {@link Admission} lets it: a Main Mode a {@link HalfOpenTable} entry until its
     * message 3, an Aggressive Mode an SA at once.
     */
    void begin(IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local) throws IkeDecodeException {
        boolean aggressive = h.exchangeType() == ExchangeType.AGGRESSIVE;
        if (aggressive && !ctx.settings().aggressiveMode()) {
            ctx.throttled().warn(LOG, "phase1 failed reason=aggressive_mode_refused",
                    "peer={} phase1 failed reason=aggressive_mode_refused", IkeSa.text(peer));
            ctx.metrics().phase1Failed(FailureReason.AGGRESSIVE_MODE_REFUSED);
            return;
        }
        if (!aggressive && h.exchangeType() != ExchangeType.IDENTITY_PROTECTION || h.encrypted()) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, h.exchangeType() + " without responder cookie");
        }
        if (aggressive) {
            IkeSa existing = ctx.sas().halfOpen(h.initiatorCookie(), peer);
            if (existing != null) {
                if (existing.keyingInProgress()) {
                    throw new IkeDecodeException(IkeDropReason.KEYING_IN_PROGRESS, "message 1 again while its keys are computed");
                }
                byte[] earlier = existing.responses.responseTo(msg);
                if (earlier == null) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "another message 1 for a half-open SA");
                ctx.metrics().retransmit();
                ctx.out().send(existing, earlier);
                return;
            }
        } else {
            HalfOpenTable.Entry existing = ctx.halfOpen().find(h.initiatorCookie(), peer, local);
            if (existing != null) {
                ctx.mainMode().repeated(existing, msg);
                return;
            }
        }
        if (ctx.admission().refusedWhileDraining(peer)) return;
        if (!ctx.admission().withinRate(peer)) return;
        PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
        ctx.metrics().phase1Started();
        if (aggressive) ctx.aggressiveMode().message1(h, chain, msg, peer, local);
        else ctx.mainMode().message1(h, chain, msg, peer, local);
    }

    /**
     * A message with both cookies of a Main Mode that is still a {@link HalfOpenTable} entry: message 3, which makes
     * it an SA and goes on to it like to any; anything else for it is dropped.
     */
    void continueMainMode(HalfOpenTable.Entry entry, IsakmpHeader h, byte[] msg, InetSocketAddress peer,
                          InetSocketAddress local) throws IkeDecodeException {
        if (h.exchangeType() != ExchangeType.IDENTITY_PROTECTION || h.encrypted() || h.messageId() != 0) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, h.exchangeType()
                    + (h.encrypted() ? " (encrypted)" : "") + " before Main Mode message 3");
        }
        IkeSa ike = ctx.mainMode().continued(entry);
        if (ike != null) dispatch(ike, h, msg, peer, local);
    }

    /** A message of the known SA {@code ike}: a repeated request, or the next message of one of its exchanges. */
    void dispatch(IkeSa ike, IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        byte[] earlier = ike.responses.responseTo(msg);
        if (earlier != null) {
            ctx.metrics().retransmit();
            LOG.debug("{} peer={} repeated request, resending our response", ike.tag, IkeSa.text(peer));
            ctx.out().send(ike, earlier);
            return;
        }
        switch (h.exchangeType()) {
            case IDENTITY_PROTECTION -> {
                if (h.messageId() != 0) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Main Mode with M-ID");
                if (ike.state() == IkeSa.State.MM_SA_SENT && !h.encrypted()) {
                    PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
                    arrived(ike);
                    ctx.mainMode().message3(ike, chain, msg);
                } else if (ike.state() == IkeSa.State.MM_KEYING && !h.encrypted()) {
                    throw new IkeDecodeException(IkeDropReason.KEYING_IN_PROGRESS, "message 3 again while its keys are computed");
                } else if (ike.state() == IkeSa.State.MM_AUTHENTICATING && h.encrypted()) {
                    throw new IkeDecodeException(IkeDropReason.KEYING_IN_PROGRESS, "message 5 again while its signatures are checked");
                } else if (ike.state() == IkeSa.State.MM_KE_SENT && h.encrypted()) {
                    arrived(ike);
                    ctx.mainMode().message5(ike, h, msg, peer, local);
                } else {
                    throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Main Mode message in state " + ike.state());
                }
            }
            case AGGRESSIVE -> {
                if (h.messageId() != 0) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Aggressive Mode with M-ID");
                if (ike.state() != IkeSa.State.AM_SENT || !h.encrypted()) {
                    throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Aggressive Mode message in state "
                            + ike.state() + (h.encrypted() ? "" : " (message 3 must be encrypted)"));
                }
                arrived(ike);
                ctx.aggressiveMode().message3(ike, h, msg, peer, local);
            }
            case QUICK_MODE -> quickMode(ike, h, msg, peer, local);
            case INFORMATIONAL -> informational(ike, h, msg, peer, local);
            default -> throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "exchange " + h.exchangeType());
        }
    }

    /** A phase-1 message of the peer's: it answered ours, which is no longer resent. */
    private void arrived(IkeSa ike) {
        ike.lastInboundNanos = ctx.scheduler().nanoTime();
        if (ike.retransmission != null) ike.retransmission.cancel();
    }

    /**
     * A Quick Mode message: message 2 of one we initiated, message 3 of one of the peer's, or message 1 of a new one
     * (HASH(1) checked here, RFC 2409 section 5.5). A message that does not decrypt or verify is dropped and changes
     * nothing: the exchange it belongs to keeps its IV and waits for the genuine message; a new exchange under a
     * message ID this SA has carried already is a replay ({@link MessageIds}).
     */
    private void quickMode(IkeSa ike, IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        if (!ike.established() || h.messageId() == 0) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "Quick Mode before phase 1 completed");
        }
        int mid = h.messageId();
        QuickModeRekey rekey = ike.rekeys.get(mid);
        if (rekey != null) {
            // message 2 of a Quick Mode we initiated; one that does not verify leaves it waiting (and resending)
            PayloadChain chain = ike.unprotect(h, msg);
            if (!rekey.hash2Valid(chain)) throw new IkeDecodeException(IkeDropReason.BAD_HASH, "Quick Mode HASH(2)");
            ike.authentic(h, msg);
            ike.rekeys.remove(mid);
            ike.lastInboundNanos = ctx.scheduler().nanoTime();
            floatPeer(ike, peer, local);
            rekey.message2(chain, msg); // ends the exchange, at once or once its PFS is computed
            return;
        }
        QuickMode qm = ike.quickModes.get(mid);
        if (qm != null && qm.computing()) {
            throw new IkeDecodeException(IkeDropReason.KEYING_IN_PROGRESS, "Quick Mode message 1 again while its PFS is computed");
        }
        if (qm != null) {
            // message 3; one that does not verify leaves the exchange waiting for the genuine one (resending message 2)
            PayloadChain chain = ike.unprotect(h, msg);
            if (!qm.hash3Valid(chain)) throw new IkeDecodeException(IkeDropReason.BAD_HASH, "Quick Mode HASH(3)");
            ike.authentic(h, msg);
            ike.lastInboundNanos = ctx.scheduler().nanoTime();
            ike.quickModes.remove(mid);
            qm.message3();
            // the exchange is over; a repeated message 3 gets no answer: its M-ID is used, it is dropped
            end(ike, mid);
            return;
        }
        if (ike.messageIds.used(mid)) {
            throw new IkeDecodeException(IkeDropReason.REUSED_MESSAGE_ID, "Quick Mode message 1 under a message ID already used");
        }
        if (ike.quickModes.size() >= MAX_QUICK_MODES_PER_SA) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "too many Quick Modes in progress");
        }
        PayloadChain chain = ike.unprotect(h, msg);
        if (!ike.hash1Valid(mid, chain)) throw new IkeDecodeException(IkeDropReason.BAD_HASH, "Quick Mode HASH(1)");
        ike.authentic(h, msg);
        ike.messageIds.use(mid);
        ike.lastInboundNanos = ctx.scheduler().nanoTime();
        floatPeer(ike, peer, local);
        qm = new QuickMode(ctx, ike, mid);
        ike.quickModes.put(mid, qm);
        if (!qm.message1(chain, msg)) {
            ike.quickModes.remove(mid);
            end(ike, mid);
        }
    }

    /**
     * An Informational (RFC 2409 section 5.7): one message, HASH(1) checked here, its exchange over at once. Its
     * message ID must be new on this SA (section 5.7: never that of another exchange): an old one is a replay.
     */
    private void informational(IkeSa ike, IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        if (!ike.established() || h.messageId() == 0) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "informational before phase 1 completed");
        }
        int mid = h.messageId();
        if (ike.messageIds.used(mid)) {
            throw new IkeDecodeException(IkeDropReason.REUSED_MESSAGE_ID, "informational under a message ID already used");
        }
        PayloadChain chain = ike.unprotect(h, msg);
        if (!ike.hash1Valid(mid, chain)) throw new IkeDecodeException(IkeDropReason.BAD_HASH, "informational HASH(1)");
        // one message: no IV of it is kept (unprotect stored none), its ID is used from now on
        ike.messageIds.use(mid);
        ike.lastInboundNanos = ctx.scheduler().nanoTime();
        floatPeer(ike, peer, local);
        ctx.informational().process(ike, chain);
    }

    /** Port floating (RFC 3947 section 4): an authenticated message from a new address moves the SA there. */
    void floatPeer(IkeSa ike, InetSocketAddress peer, InetSocketAddress local) {
        if (!peer.equals(ike.peer) || !local.equals(ike.local)) {
            LOG.info("{} peer={} moved to {} (local {})", ike.tag, ike.peerText(), IkeSa.text(peer), IkeSa.text(local));
            InetSocketAddress from = ike.peer;
            ike.peer = peer;
            ike.local = local;
            ctx.sas().moved(ike, from);
        }
    }

    // ---- our messages

    /**
     * Phase 1: our response to {@code request}, remembered for a repeated request, and resent while the peer's next
     * message is awaited ({@code awaitMore}).
     */
    void respond(IkeSa ike, byte[] request, byte[] response, boolean awaitMore) {
        ike.responses.remember(request, response);
        ctx.out().send(ike, response);
        if (ike.retransmission != null) ike.retransmission.cancel();
        ike.retransmission = awaitMore ? retransmit(ike, response, () -> {
        }) : null;
    }

    /**
     * Message 2 of the peer's Quick Mode {@code qm}: remembered for a repeated message 1, resent until message 3;
     * after the last retransmission the exchange ends and {@code qm} times out.
     */
    Retransmission respond(IkeSa ike, QuickMode qm, byte[] request, byte[] response) {
        ike.responses.remember(request, response);
        ctx.out().send(ike, response);
        return retransmit(ike, response, () -> {
            if (ike.quickModes.remove(qm.messageId) == qm) {
                end(ike, qm.messageId);
                qm.timedOut();
            }
        });
    }

    /** The last message of an exchange, ours: remembered for a repeat of the request it answers, sent once. */
    void respondLast(IkeSa ike, byte[] request, byte[] response) {
        ike.responses.remember(request, response);
        ctx.out().send(ike, response);
    }

    /**
     * Message 1 of our Quick Mode {@code qm}: resent until message 2; after the last retransmission the exchange
     * ends and {@code qm} times out.
     */
    Retransmission initiate(IkeSa ike, QuickModeRekey qm, byte[] message1) {
        ctx.out().send(ike, message1);
        return retransmit(ike, message1, () -> {
            if (ike.rekeys.remove(qm.messageId) == qm) {
                end(ike, qm.messageId);
                qm.timedOut();
            }
        });
    }

    /** An Informational of ours (RFC 2409 section 5.7): {@code payloads} under HASH(1), a fresh M-ID, one message. */
    void sendInformational(IkeSa ike, List<Payload> payloads) {
        int mid = newMessageId(ike);
        byte[] msg = ike.protectWithHash1(ExchangeType.INFORMATIONAL, mid, payloads);
        end(ike, mid);
        ctx.out().send(ike, msg);
    }

    /**
     * A message ID for an exchange we start on {@code ike}: random, never 0 (phase 1's), never one the SA has
     * carried (a reflected message of ours is then a replay too); used from now on.
     */
    private int newMessageId(IkeSa ike) {
        int mid;
        do {
            mid = ctx.newMessageId();
        } while (ike.messageIds.used(mid));
        ike.messageIds.use(mid);
        return mid;
    }

    private Retransmission retransmit(IkeSa ike, byte[] msg, Runnable giveUp) {
        return new Retransmission(ctx.scheduler(), () -> {
            ctx.metrics().retransmit();
            ctx.out().send(ike, msg);
        }, giveUp);
    }

    // ---- rekeys we initiate

    /**
     * ESP reached the soft limit of the pair with inbound SPI {@code inboundSpi} (time, octets or sequence numbers):
     * a Quick Mode for the same traffic and transform, through the ISAKMP SA that now holds the pair (found by SPI:
     * after a phase-1 rekey the pair has moved to a newer ISAKMP SA than {@code ikeSaTag}). Without an established
     * ISAKMP SA the pair is left to expire (counted {@code no_ike_sa}); the client renegotiates.
     */
    void rekey(String ikeSaTag, int inboundSpi, String why) {
        IkeSa ike = ctx.childSas().ownerOf(inboundSpi);
        if (ike == null || !ike.established()) {
            LOG.info("{} phase2 rekey of spi-in={} ({}) not initiated: no ISAKMP SA; the pair expires, the client "
                    + "renegotiates", ikeSaTag, ChildSa.hex(inboundSpi), why);
            ctx.metrics().phase2Failed(FailureReason.NO_IKE_SA);
            return;
        }
        ChildSa old = ctx.childSas().find(ike, inboundSpi);
        if (old.replaced()) {
            LOG.debug("{} phase2 spi-in={} ({}) already replaced by a newer pair: not rekeyed", ike.tag,
                    ChildSa.hex(inboundSpi), why);
            return;
        }
        if (ike.rekeys.values().stream().anyMatch(r -> r.oldInboundSpi() == inboundSpi)) {
            LOG.debug("{} phase2 rekey of spi-in={} already in progress", ike.tag, ChildSa.hex(inboundSpi));
            return;
        }
        int mid = newMessageId(ike);
        QuickModeRekey qm = new QuickModeRekey(ctx, ike, old, why, mid);
        ike.rekeys.put(mid, qm);
        if (!qm.start()) {
            ike.rekeys.remove(mid);
            end(ike, mid);
        }
    }

    /** The peer replaced the pair of inbound SPI {@code oldInboundSpi} first: our rekey of it is abandoned. */
    void abandonRekeys(IkeSa owner, int oldInboundSpi) {
        for (var r : List.copyOf(owner.rekeys.entrySet())) {
            if (r.getValue().oldInboundSpi() != oldInboundSpi) continue;
            LOG.info("{} phase2 rekey of spi-in={} abandoned: the peer replaced it first", owner.tag,
                    ChildSa.hex(oldInboundSpi));
            owner.rekeys.remove(r.getKey());
            r.getValue().abandon();
            end(owner, r.getKey());
        }
    }

    /** The ISAKMP SA ends: nothing of it is resent any more, and every exchange in progress is given up. */
    void abandonAll(IkeSa ike) {
        if (ike.retransmission != null) ike.retransmission.cancel();
        ike.quickModes.values().forEach(QuickMode::abandon);
        ike.rekeys.values().forEach(QuickModeRekey::abandon);
    }

    /** The exchange of {@code messageId} is over: its IV is forgotten, and a late message of it decrypts to garbage. */
    void end(IkeSa ike, int messageId) {
        ike.keymat.endExchange(messageId);
    }
}
