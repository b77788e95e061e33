package net.l2sec.dataplane.ikev2;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.l2sec.dataplane.ike.CryptoWorkers;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2DecodeException;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Encrypted;
import net.l2sec.dataplane.ikev2.message.Payload.EncryptedFragment;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.PayloadType;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IKEv2 responder of one event loop (RFC 7296): takes IKE messages whose header says version 2, finds their
 * IKE SA by our SPI, answers retransmitted requests from its cache (section 2.1), opens the Encrypted payload and
 * reassembles fragments (RFC 7383), and hands each request to its exchange: {@link IkeSaInit}, {@link IkeAuth},
 * {@link CreateChildSa}, {@link Informational}. It sends the responses and our own few requests (Delete, liveness
 * checks), retransmitting those. Malformed or unexpected datagrams are dropped and counted, never thrown.
 */
public final class Ikev2Responder {
    private static final Logger log = LoggerFactory.getLogger(Ikev2Responder.class);
    static final int NAT_T_PORT = 4500;
    private static final int NON_ESP_MARKER = 4;
    /** IP and UDP headers and the non-ESP marker in front of an IKE message on UDP/4500. */
    static final int DATAGRAM_OVERHEAD = 20 + 8 + NON_ESP_MARKER;
    static final Duration RETRANSMIT_INITIAL = Duration.ofSeconds(2);
    static final int RETRANSMIT_TRIES = 5;

    final Scheduler scheduler;
    final ChildSaTable childSas;
    final CryptoWorkers crypto;
    final RemoteAccess remoteAccess;
    final Authenticator authenticator;
    final SecureRandom random;
    final Ikev2Metrics metrics;
    private final DatagramSender sender;
    volatile IkeSettings settings;
    volatile Ikev2Settings v2;
    Ikev2Proposals proposals;
    final Cookies cookies;
    /** Where crypto results continue: the loop itself, or the IKE backlog that serves it behind ESP. */
    java.util.concurrent.Executor continuations;
    /** IKE SAs by our (responder) SPI. */
    /** The time client certificates are validated at (tests set it). */
    java.time.Clock clock = java.time.Clock.systemUTC();
    final Map<Long, Ikev2Sa> bySpi = new HashMap<>();
    /** The same by the initiator's address and SPI, for retransmitted IKE_SA_INIT requests (section 2.1). */
    final Map<InitKey, Ikev2Sa> byInitiator = new HashMap<>();
    int halfOpen;
    int established;
    private final IkeSaInit init;
    private final IkeAuth auth;
    final CreateChildSa createChild;
    private final Informational informational;

    record InitKey(InetSocketAddress peer, long initiatorSpi) {}

    public Ikev2Responder(IkeSettings settings, Ikev2Settings v2, ChildSaTable childSas, DatagramSender sender,
                          Scheduler scheduler, MeterRegistry registry, CryptoWorkers crypto, RemoteAccess remoteAccess,
                          Authenticator authenticator) {
        this.settings = settings;
        this.v2 = v2;
        this.childSas = childSas;
        this.sender = sender;
        this.scheduler = scheduler;
        this.crypto = crypto;
        this.remoteAccess = remoteAccess;
        this.authenticator = authenticator;
        this.random = new SecureRandom();
        this.metrics = new Ikev2Metrics(registry, () -> halfOpen, () -> established);
        this.proposals = new Ikev2Proposals(settings);
        this.cookies = new Cookies(random, scheduler.nanoTime());
        this.continuations = scheduler;
        this.init = new IkeSaInit(this);
        this.auth = new IkeAuth(this);
        this.createChild = new CreateChildSa(this);
        this.informational = new Informational(this);
    }

    /** True when the datagram is an IKEv2 message (major version 2, RFC 7296 section 3.1): route it here. */
    public static boolean isIkev2(ByteBuf message) {
        return message.readableBytes() >= Ikev2Header.LENGTH
                && (message.getUnsignedByte(message.readerIndex() + 17) >> 4) == 2;
    }

    /**
     * Crypto results continue through {@code executor} (the IKEv1 responder's backlog, which serves the loop behind
     * established clients' packets) instead of straight on the loop. Set before traffic.
     */
    public void continueOn(java.util.concurrent.Executor executor) {
        this.continuations = executor;
    }

    /** Applies new policy to SAs negotiated from now on. On the loop. */
    public void updateSettings(IkeSettings next, Ikev2Settings nextV2) {
        settings = next;
        v2 = nextV2;
        proposals = new Ikev2Proposals(next);
    }

    /** One IKEv2 message from {@code peer} to our {@code local} (non-ESP marker removed); ownership passes. */
    public void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf message) {
        byte[] m;
        try {
            m = ByteBufUtil.getBytes(message);
        } finally {
            message.release();
        }
        try {
            Ikev2Header h = Ikev2Codec.header(m);
            if (!v2.enabled()) {
                drop(Ikev2DropReason.UNSUPPORTED_EXCHANGE, peer, "IKEv2 is turned off (ipsec.ikev2.enabled)");
                return;
            }
            ExchangeType exchange = ExchangeType.of(h.exchange()).orElse(null);
            if (exchange == null) {
                drop(Ikev2DropReason.UNSUPPORTED_EXCHANGE, peer, "exchange " + h.exchange());
                return;
            }
            if (h.response()) {
                ownResponse(peer, local, h, m);
                return;
            }
            if (exchange == ExchangeType.IKE_SA_INIT) {
                if (h.responderSpi() != 0 || h.messageId() != 0) {
                    drop(Ikev2DropReason.UNEXPECTED_MESSAGE, peer, "IKE_SA_INIT request with responder SPI or message ID");
                    return;
                }
                init.request(peer, local, h, m);
                return;
            }
            Ikev2Sa sa = find(h);
            if (sa == null) {
                drop(Ikev2DropReason.UNKNOWN_SA, peer, String.format("spi %016x/%016x", h.initiatorSpi(), h.responderSpi()));
                return;
            }
            request(sa, peer, local, h, exchange, m);
        } catch (Ikev2DecodeException e) {
            drop(e.reason(), peer, e.getMessage());
        } catch (RuntimeException e) {
            metrics.dropped(Ikev2DropReason.INTERNAL_ERROR);
            log.error("peer={} ikev2 message failed: {}", address(peer), e.toString(), e);
        }
    }

    /**
     * The IKE SA a message belongs to: by our SPI, which is the responder's when the client is the original
     * initiator (I flag set) and the initiator's in an SA we created by rekeying (section 2.18); both SPIs must match.
     */
    private Ikev2Sa find(Ikev2Header h) {
        Ikev2Sa sa = bySpi.get(h.fromInitiator() ? h.responderSpi() : h.initiatorSpi());
        if (sa == null || sa.initiatorSpi != h.initiatorSpi() || sa.responderSpi != h.responderSpi()) return null;
        if (sa.weInitiated == h.fromInitiator()) return null; // our own role reflected back
        return sa;
    }

    /** A request on an existing IKE SA: retransmission check, decryption, reassembly, then its exchange. */
    private void request(Ikev2Sa sa, InetSocketAddress peer, InetSocketAddress local, Ikev2Header h, ExchangeType exchange,
                         byte[] m) throws Ikev2DecodeException {
        int mid = h.messageId();
        if (mid == sa.lastResponseId && !sa.lastResponse.isEmpty()) {
            // section 2.1: a retransmitted request gets the same response again; for fragments only once, on the first
            if (h.nextPayload() != PayloadType.SKF.code() || fragmentNumber(m) == 1) {
                for (byte[] d : sa.lastResponse) send(sa.local, sa.peer, d);
            }
            return;
        }
        if (mid != sa.expectedRequestId || sa.processing) {
            drop(sa.processing ? Ikev2DropReason.UNEXPECTED_MESSAGE : Ikev2DropReason.INVALID_MESSAGE_ID, peer,
                    sa.tag + " message id " + Integer.toUnsignedString(mid) + ", expected " + Integer.toUnsignedString(sa.expectedRequestId));
            return;
        }
        if (sa.protection == null) {
            drop(Ikev2DropReason.UNEXPECTED_MESSAGE, peer, sa.tag + " keys not ready");
            return;
        }
        List<Payload> outer = Ikev2Codec.payloads(h.nextPayload(), m, Ikev2Header.LENGTH, m.length);
        if (outer.isEmpty()) throw new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, "no Encrypted payload");
        List<Payload> inner;
        switch (outer.getLast()) {
            case Encrypted sk -> {
                byte[] plain = sa.protection.inbound().open(m, m.length - sk.body().length);
                inner = Ikev2Codec.payloads(sk.firstInner(), plain, 0, plain.length);
            }
            case EncryptedFragment f -> {
                byte[] plain = sa.protection.inbound().open(m, m.length - f.body().length);
                inner = reassemble(sa, mid, f, plain);
                if (inner == null) return;
            }
            default -> throw new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, exchange + " without Encrypted payload");
        }
        // authenticated from here on
        sa.lastInboundNanos = scheduler.coarseNanoTime();
        if (!peer.equals(sa.peer) && !(exchange == ExchangeType.INFORMATIONAL && sa.peerMobike)) natRebinding(sa, peer, local);
        switch (exchange) {
            case IKE_AUTH -> auth.request(sa, peer, local, h, inner);
            case CREATE_CHILD_SA -> createChild.request(sa, h, inner);
            case INFORMATIONAL -> informational.request(sa, peer, local, h, inner);
            case IKE_SA_INIT -> drop(Ikev2DropReason.UNEXPECTED_MESSAGE, peer, "IKE_SA_INIT on an established SA");
        }
    }

    /** RFC 7383 section 2.6: fragments of one message collected by number; the payloads when all are in. */
    private List<Payload> reassemble(Ikev2Sa sa, int mid, EncryptedFragment f, byte[] plain) throws Ikev2DecodeException {
        IkeSettings.Fragmentation limits = settings.fragmentation();
        if (f.total() > limits.maxFragments()) {
            throw new Ikev2DecodeException(Ikev2DropReason.FRAGMENT_LIMIT, f.total() + " fragments");
        }
        if (sa.fragments == null || sa.fragmentsMessageId != mid || sa.fragments.length != f.total()) {
            sa.fragments = new byte[f.total()][];
            sa.fragmentsMessageId = mid;
            sa.fragmentOctets = 0;
        }
        if (sa.fragments[f.number() - 1] != null) return null; // a duplicate
        sa.fragmentOctets += plain.length;
        if (sa.fragmentOctets > limits.maxMessageSize()) {
            sa.fragments = null;
            throw new Ikev2DecodeException(Ikev2DropReason.FRAGMENT_LIMIT, "reassembled message beyond " + limits.maxMessageSize());
        }
        sa.fragments[f.number() - 1] = plain;
        if (f.number() == 1) sa.fragmentsFirstInner = f.firstInner();
        for (byte[] part : sa.fragments) if (part == null) return null;
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(sa.fragmentOctets);
        for (byte[] part : sa.fragments) all.writeBytes(part);
        sa.fragments = null;
        byte[] whole = all.toByteArray();
        return Ikev2Codec.payloads(sa.fragmentsFirstInner, whole, 0, whole.length);
    }

    private static int fragmentNumber(byte[] m) {
        return m.length >= Ikev2Header.LENGTH + 6 ? (m[Ikev2Header.LENGTH + 4] & 0xff) << 8 | m[Ikev2Header.LENGTH + 5] & 0xff : 0;
    }

    /**
     * Section 2.23: behind a NAT the peer's mapping may change; an authenticated request from a new port (same
     * address) moves the IKE SA and its child SAs there. A new address needs MOBIKE.
     */
    private void natRebinding(Ikev2Sa sa, InetSocketAddress peer, InetSocketAddress local) {
        if (!peer.getAddress().equals(sa.peer.getAddress())) return;
        log.info("{} peer moved {} -> {} (NAT rebinding)", sa.tag, address(sa.peer), address(peer));
        moveSa(sa, peer, local);
    }

    void moveSa(Ikev2Sa sa, InetSocketAddress peer, InetSocketAddress local) {
        sa.peer = peer;
        sa.local = local;
        if (!sa.children.isEmpty()) childSas.movePeer(sa.tag, peer, local);
        if (sa.session != null) sa.session.peerMoved(peer);
    }

    // --- sending ---------------------------------------------------------------------------------------------------

    /**
     * Our response to request {@code mid} on {@code sa}, encrypted (fragmented when the peer supports it and it is
     * too large); kept for the request's retransmissions, and the next request ID is expected.
     */
    void respond(Ikev2Sa sa, int mid, ExchangeType exchange, List<Payload> payloads) {
        Ikev2Header h = new Ikev2Header(sa.initiatorSpi, sa.responderSpi, 0, exchange.code(), sa.ourFlags() | Ikev2Header.RESPONSE, mid, 0);
        List<byte[]> datagrams = seal(sa, h, payloads);
        sa.lastResponse = datagrams;
        sa.lastResponseId = mid;
        sa.expectedRequestId = mid + 1;
        sa.processing = false;
        for (byte[] d : datagrams) send(sa.local, sa.peer, d);
    }

    private List<byte[]> seal(Ikev2Sa sa, Ikev2Header h, List<Payload> payloads) {
        byte[] whole = sa.protection.outbound().seal(h, payloads);
        IkeSettings.Fragmentation f = settings.fragmentation();
        // RFC 7383 section 2.5: fragments only for a message that does not fit one datagram
        if (sa.peerFragmentation && f.enabled() && whole.length + DATAGRAM_OVERHEAD > f.maxDatagram()) {
            return sa.protection.outbound().sealFragments(h, payloads, f.maxDatagram(), DATAGRAM_OVERHEAD);
        }
        return List.of(whole);
    }

    /**
     * Our own request on {@code sa} (we are never the original initiator: the I flag stays clear), retransmitted
     * until answered or {@link #RETRANSMIT_TRIES} times; then {@code onTimeout}.
     */
    void sendRequest(Ikev2Sa sa, ExchangeType exchange, List<Payload> payloads, Consumer<List<Payload>> onResponse,
                     Runnable onTimeout) {
        if (sa.outstandingOwnRequest >= 0) {
            log.debug("{} own request pending, {} not sent", sa.tag, exchange);
            return;
        }
        int mid = sa.nextOwnRequestId++;
        Ikev2Header h = new Ikev2Header(sa.initiatorSpi, sa.responderSpi, 0, exchange.code(), sa.ourFlags(), mid, 0);
        sa.outstandingOwnRequest = mid;
        sa.outstandingRequest = seal(sa, h, payloads);
        sa.onOwnResponse = onResponse;
        sa.ownRetransmissions = 0;
        transmitOwn(sa, onTimeout);
    }

    private void transmitOwn(Ikev2Sa sa, Runnable onTimeout) {
        for (byte[] d : sa.outstandingRequest) send(sa.local, sa.peer, d);
        Duration wait = RETRANSMIT_INITIAL.multipliedBy(1L << Math.min(sa.ownRetransmissions, 4));
        sa.ownRetransmitTimer = scheduler.schedule(wait, () -> {
            if (sa.outstandingOwnRequest < 0 || sa.state == Ikev2Sa.State.DEAD) return;
            if (++sa.ownRetransmissions >= RETRANSMIT_TRIES) {
                sa.outstandingOwnRequest = -1;
                onTimeout.run();
            } else {
                transmitOwn(sa, onTimeout);
            }
        });
    }

    /** A response to one of our requests. */
    private void ownResponse(InetSocketAddress peer, InetSocketAddress local, Ikev2Header h, byte[] m) throws Ikev2DecodeException {
        Ikev2Sa sa = find(h);
        if (sa == null || sa.protection == null || h.messageId() != sa.outstandingOwnRequest) {
            drop(Ikev2DropReason.UNEXPECTED_RESPONSE, peer, "response " + Integer.toUnsignedString(h.messageId()));
            return;
        }
        List<Payload> outer = Ikev2Codec.payloads(h.nextPayload(), m, Ikev2Header.LENGTH, m.length);
        if (outer.isEmpty() || !(outer.getLast() instanceof Encrypted sk)) {
            throw new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, "response without Encrypted payload");
        }
        byte[] plain = sa.protection.inbound().open(m, m.length - sk.body().length);
        List<Payload> payloads = Ikev2Codec.payloads(sk.firstInner(), plain, 0, plain.length);
        sa.lastInboundNanos = scheduler.coarseNanoTime();
        sa.outstandingOwnRequest = -1;
        if (sa.ownRetransmitTimer != null) sa.ownRetransmitTimer.cancel();
        Consumer<List<Payload>> done = sa.onOwnResponse;
        sa.onOwnResponse = null;
        if (done != null) done.accept(payloads);
    }

    /** An unencrypted message (IKE_SA_INIT responses) to {@code peer}. */
    void sendPlain(InetSocketAddress local, InetSocketAddress peer, byte[] m) {
        send(local, peer, m);
    }

    private void send(InetSocketAddress local, InetSocketAddress peer, byte[] m) {
        ByteBuf b;
        if (local.getPort() == NAT_T_PORT) {
            b = Unpooled.buffer(NON_ESP_MARKER + m.length);
            b.writeInt(0);
            b.writeBytes(m);
        } else {
            b = Unpooled.wrappedBuffer(m);
        }
        sender.send(local, peer, b);
    }

    // --- the IKE SA's life ----------------------------------------------------------------------------------------

    /** Registers a new IKE SA (IKE_SA_INIT answered, or a rekey). */
    void add(Ikev2Sa sa) {
        bySpi.put(sa.ourSpi(), sa);
        if (sa.halfOpen()) halfOpen++;
        else established++;
    }

    /** The SA became established: counted so. */
    void establishedNow(Ikev2Sa sa) {
        if (sa.state != Ikev2Sa.State.ESTABLISHED) {
            halfOpen--;
            established++;
            sa.state = Ikev2Sa.State.ESTABLISHED;
        }
    }

    /** A fresh responder SPI: random, non-zero, unused here. */
    long newSpi() {
        long spi;
        do {
            spi = random.nextLong();
        } while (spi == 0 || bySpi.containsKey(spi));
        return spi;
    }

    /**
     * Ends {@code sa}: its child SAs deleted, its session closed with {@code cause}, its keys wiped. {@code reason}
     * for the log. When the SA was replaced by a rekey ({@code handedOver}), its children and session live on.
     */
    void tearDown(Ikev2Sa sa, EndCause cause, String reason) {
        if (sa.state == Ikev2Sa.State.DEAD) return;
        if (sa.halfOpen()) halfOpen--;
        else established--;
        sa.state = Ikev2Sa.State.DEAD;
        if (sa.timer != null) sa.timer.cancel();
        if (sa.lifetimeTimer != null) sa.lifetimeTimer.cancel();
        if (sa.handedOver && sa.timer != null) sa.timer.cancel();
        if (sa.ownRetransmitTimer != null) sa.ownRetransmitTimer.cancel();
        if (sa.livenessTimer != null) sa.livenessTimer.cancel();
        if (sa.rekeyTimer != null) sa.rekeyTimer.cancel();
        if (!sa.handedOver) {
            if (!sa.children.isEmpty()) childSas.removeAll(sa.tag, reason);
            sa.children.clear();
            if (sa.session != null) {
                RemoteAccess.Session s = sa.session;
                sa.session = null;
                s.close(cause);
            }
        }
        bySpi.remove(sa.ourSpi(), sa);
        byInitiator.remove(new InitKey(sa.initialPeer, sa.initiatorSpi), sa);
        if (sa.keys != null) sa.keys.wipe();
        log.info("{} ike_sa down peer={} cause={}", sa.tag, address(sa.peer), reason);
    }

    /** Deletes {@code sa} from our side: an INFORMATIONAL Delete to the client, then the SA is gone. */
    void delete(Ikev2Sa sa, EndCause cause, String reason) {
        if (sa.state == Ikev2Sa.State.DEAD) return;
        if (sa.protection != null && sa.state == Ikev2Sa.State.ESTABLISHED) {
            int mid = sa.nextOwnRequestId++;
            Ikev2Header h = new Ikev2Header(sa.initiatorSpi, sa.responderSpi, 0, ExchangeType.INFORMATIONAL.code(), sa.ourFlags(), mid, 0);
            for (byte[] d : seal(sa, h, List.of(new Payload.Delete(Payload.Proposal.IKE, 0, List.of())))) send(sa.local, sa.peer, d);
        }
        tearDown(sa, cause, reason);
    }

    /**
     * Liveness checks (RFC 7296 section 2.4, DPD): after {@code ipsec.dpd.delay} without anything from the client
     * (IKE or ESP on any of its child SAs), an empty INFORMATIONAL request; unanswered after the retransmissions,
     * the client is gone and its SA deleted. A delay of zero turns the checks off.
     */
    void liveness(Ikev2Sa sa) {
        Duration delay = settings.dpdDelay();
        if (delay.isZero() || delay.isNegative() || sa.state == Ikev2Sa.State.DEAD) return;
        sa.livenessTimer = scheduler.schedule(delay, () -> {
            if (sa.state != Ikev2Sa.State.ESTABLISHED || sa.handedOver) return;
            long since = scheduler.coarseNanoTime() - delay.toNanos();
            boolean heard = sa.lastInboundNanos - since >= 0;
            for (Ikev2Sa.Child c : sa.children) heard |= childSas.inboundSince(c.inboundSpi(), since);
            if (!heard) {
                sendRequest(sa, ExchangeType.INFORMATIONAL, List.of(), response -> { }, () -> {
                    log.info("{} peer {} dead: liveness check unanswered", sa.tag, address(sa.peer));
                    tearDown(sa, EndCause.TRANSPORT_DOWN, "liveness check unanswered");
                });
            }
            liveness(sa);
        });
    }

    /**
     * The IKE SA's lifetime ({@code ipsec.ike.lifetime-max}): at nine tenths we rekey it (CREATE_CHILD_SA), at the
     * end it is deleted if it is still there (the rekey failed and the client did not renew it either).
     */
    void lifetimes(Ikev2Sa sa) {
        Duration lifetime = settings.ikeLifetimeMax();
        sa.rekeyTimer = scheduler.schedule(Duration.ofNanos(lifetime.toNanos() / 10 * 9), () -> createChild.initiateIkeRekey(sa));
        sa.lifetimeTimer = scheduler.schedule(lifetime, () -> delete(sa, EndCause.SESSION_TIMEOUT, "ike sa lifetime"));
    }

    /** True when {@code ikeSaTag} names an IKEv2 SA (ESP's events for its child SAs come here). */
    public static boolean owns(String ikeSaTag) {
        return ikeSaTag.startsWith("ike2=");
    }

    /** ESP deleted the pair {@code inboundSpi} at its hard lifetime (our rekey did not happen in time): forgotten. */
    public void childSaExpired(String ikeSaTag, int inboundSpi) {
        for (Ikev2Sa sa : bySpi.values()) {
            Ikev2Sa.Child c = sa.child(inboundSpi);
            if (sa.tag.equals(ikeSaTag) && c != null) {
                sa.children.remove(c);
                log.info("{} child sa spi-in={} expired", sa.tag, String.format("%08x", inboundSpi));
            }
        }
    }

    /**
     * ESP reports that the child pair {@code inboundSpi} of IKE SA {@code ikeSaTag} reached its soft lifetime: we
     * rekey it. On the loop.
     */
    public void rekeyChildSa(String ikeSaTag, int inboundSpi) {
        for (Ikev2Sa sa : bySpi.values()) {
            if (sa.tag.equals(ikeSaTag) && sa.child(inboundSpi) != null && !sa.handedOver) {
                createChild.initiateChildRekey(sa, inboundSpi);
                return;
            }
        }
    }

    /**
     * An operator, RADIUS or a session limit ends the session of IKE SA {@code tag}: the SA that carries it now
     * (rekeys keep the tag) is deleted.
     */
    void deleteCurrent(String tag, EndCause cause) {
        for (Ikev2Sa sa : new ArrayList<>(bySpi.values())) {
            if (sa.tag.equals(tag) && !sa.handedOver) delete(sa, cause, cause.toString().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** A notify-only error response to request {@code mid} (encrypted). */
    void respondError(Ikev2Sa sa, int mid, ExchangeType exchange, int notifyType) {
        respond(sa, mid, exchange, List.of(Notify.of(notifyType)));
    }

    /** Every SA of this loop deleted, with a Delete to each established client (shutdown). On the loop. */
    public void close() {
        for (Ikev2Sa sa : new ArrayList<>(bySpi.values())) delete(sa, EndCause.SHUTDOWN, "shutdown");
    }

    /** IKE SAs established now. */
    public int establishedSas() {
        return established;
    }

    // --- drops and logs --------------------------------------------------------------------------------------------

    void drop(Ikev2DropReason reason, InetSocketAddress peer, String what) {
        metrics.dropped(reason);
        if (log.isDebugEnabled()) log.debug("peer={} ikev2 message dropped reason={} {}", address(peer), reason.tag(), what);
    }

    void scheduleOn(Consumer<Scheduler> work) {
        work.accept(scheduler);
    }

    static String address(InetSocketAddress a) {
        return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
    }

    // --- the admin view ---------------------------------------------------------------------------------------------

    /**
     * The IPsec state of the client at {@code peer} (its outer address and port, as its session knows it: NAT
     * rebinding and MOBIKE moves reach the session) for the admin interface: the established IKE SA that carries its
     * session now (after a rekey, the new one) with its child SAs; empty when no IKE SA is established there.
     * {@code now} is read against the session's start for the age. On the loop.
     */
    public java.util.Optional<net.l2sec.dataplane.ike.IpsecInfo> ipsecOf(InetSocketAddress peer, java.time.Instant now) {
        Ikev2Sa best = null;
        for (Ikev2Sa sa : bySpi.values()) {
            if (sa.state == Ikev2Sa.State.ESTABLISHED && !sa.handedOver && sa.peer.equals(peer)) best = sa;
        }
        if (best == null) return java.util.Optional.empty();
        List<net.l2sec.dataplane.ike.IpsecInfo.Child> esp = new ArrayList<>();
        for (Ikev2Sa.Child c : best.children) {
            esp.add(new net.l2sec.dataplane.ike.IpsecInfo.Child(c.inboundSpi(), c.outboundSpi(), c.suite().describe()));
        }
        Duration age = best.context != null ? Duration.between(best.context.started(), now) : Duration.ZERO;
        return java.util.Optional.of(new net.l2sec.dataplane.ike.IpsecInfo(best.tag.substring(best.tag.indexOf('=') + 1),
                best.suite.describe(), null, best.local.getPort() == NAT_T_PORT,
                best.idi != null ? IkeAuth.describe(best.idi) : "", age.isNegative() ? Duration.ZERO : age, esp,
                best.suite.group().label(), best.client.ikeVendorIds(), 2));
    }
}
