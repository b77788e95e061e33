package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.ipsec.IkeDatagramSink;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The IKEv1 responder as the concentrator sees it. Each datagram is decoded far enough to find its ISAKMP SA by
 * cookies ({@link IkeSaTable}); fragments are reassembled first ({@link IsakmpFragmentation}), unencrypted
 * Informationals only logged; the message then goes to the exchange layer ({@link Exchanges}), which hands it to
 * the task of its exchange. ESP's lifetime events and the admin queries come in here too. Runs on the dataplane
 * event loop only.
 */
public final class IkeResponder implements IkeDatagramSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IkeResponder.class);
    /** The kind of each drop's log line, for {@link ThrottledLog}. */
    private static final Map<IkeDropReason, String> DROPPED = new EnumMap<>(IkeDropReason.class);

    static {
        for (IkeDropReason r : IkeDropReason.values()) DROPPED.put(r, "dropped reason=" + r.tag());
    }

    private final IkeContext context;

    public IkeResponder(IkeSettings settings, ChildSaTable childSas, DatagramSender sender, Scheduler scheduler,
                        MeterRegistry registry) {
        this(settings, childSas, sender, scheduler, registry, Clock.systemUTC(), CryptoWorkers.inline());
    }

    /** Diffie-Hellman on {@code crypto}'s workers (closed by the caller, after this responder). */
    public IkeResponder(IkeSettings settings, ChildSaTable childSas, DatagramSender sender, Scheduler scheduler,
                        MeterRegistry registry, CryptoWorkers crypto) {
        this(settings, childSas, sender, scheduler, registry, Clock.systemUTC(), crypto);
    }

    /** @param clock wall-clock time for certificate validity; Diffie-Hellman on the calling thread */
    public IkeResponder(IkeSettings settings, ChildSaTable childSas, DatagramSender sender, Scheduler scheduler,
                        MeterRegistry registry, Clock clock) {
        this(settings, childSas, sender, scheduler, registry, clock, CryptoWorkers.inline());
    }

    /**
     * @param clock  wall-clock time for certificate validity
     * @param crypto where Diffie-Hellman runs; its results come back on {@code scheduler}'s event loop
     */
    private IkeDatagramSink otherVersions;

    public IkeResponder(IkeSettings settings, ChildSaTable childSas, DatagramSender sender, Scheduler scheduler,
                        MeterRegistry registry, Clock clock, CryptoWorkers crypto) {
        this.context = new IkeContext(settings, childSas, sender, scheduler, registry, clock, crypto);
        LOG.debug("IKEv1 responder {} crypto={}", settings, crypto);
    }

    /** Takes {@code message} over (released here) and handles a copy of its octets. */
    @Override
    public void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf message) {
        byte[] msg;
        try {
            msg = ByteBufUtil.getBytes(message);
        } finally {
            message.release();
        }
        process(peer, local, msg);
    }

    /**
     * From now on this responder's messages and its handshakes' continuations wait their turn on the event loop
     * behind established clients' packets ({@link IkeBacklog}); returns the sink to give the sockets instead of this.
     * Call once, on the loop or before it carries traffic.
     */
    public IkeBacklog yielding(IkeBacklog.Turns turns) {
        return yielding(turns, IkeBacklog.Budget.DEFAULT, IkeBacklog.CAPACITY, System::nanoTime);
    }

    IkeBacklog yielding(IkeBacklog.Turns turns, IkeBacklog.Budget budget, int capacity, LongSupplier nanoTime) {
        IkeBacklog backlog = new IkeBacklog(this, context, turns, budget, capacity, nanoTime);
        context.continueOn(backlog);
        context.metrics().backlog(backlog::waiting);
        return backlog;
    }

    /**
     * Where IKE messages of another major version go (RFC 7296 section 3.1: the IKEv2 responder beside this one,
     * on the same ports and behind the same backlog); by default they are dropped as {@code bad_version}. Set before
     * traffic.
     */
    public void otherVersions(IkeDatagramSink sink) {
        this.otherVersions = sink;
    }

    /** One IKE message's octets, now. */
    void process(InetSocketAddress peer, InetSocketAddress local, byte[] msg) {
        if (otherVersions != null && msg.length > 17 && (msg[17] & 0xf0) != 0x10) {
            otherVersions.receive(peer, local, io.netty.buffer.Unpooled.wrappedBuffer(msg));
            return;
        }
        try {
            handle(peer, local, msg);
        } catch (IkeDecodeException e) {
            context.metrics().dropped(e.reason());
            if (context.throttled().admit(LOG, Level.DEBUG, DROPPED.get(e.reason()))) {
                LOG.debug("peer={} dropped reason={}: {}", IkeSa.text(peer), e.reason().tag(), e.getMessage());
            }
        } catch (RuntimeException e) {
            context.metrics().dropped(IkeDropReason.INTERNAL_ERROR);
            if (context.throttled().admit(LOG, Level.WARN, DROPPED.get(IkeDropReason.INTERNAL_ERROR))) {
                LOG.warn("peer={} dropped reason=internal_error", IkeSa.text(peer), e);
            }
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
            context.exchanges().begin(h, msg, peer, local);
            return;
        }
        IkeSa ike = context.sas().find(h.initiatorCookie(), h.responderCookie());
        if (ike != null) {
            context.exchanges().dispatch(ike, h, msg, peer, local);
            return;
        }
        HalfOpenTable.Entry halfOpen = context.halfOpen().get(h.initiatorCookie(), h.responderCookie());
        if (halfOpen == null) throw new IkeDecodeException(IkeDropReason.UNKNOWN_SA, "no SA for these cookies");
        context.exchanges().continueMainMode(halfOpen, h, msg, peer, local);
    }

    /**
     * A fragment of a larger message: only for an SA we know, one message reassembled per SA at a time; the whole
     * message is then handled like any other (a repeated one gets our earlier response).
     */
    private void fragment(IsakmpHeader h, byte[] msg, InetSocketAddress peer, InetSocketAddress local)
            throws IkeDecodeException {
        IkeSettings.Fragmentation limits = context.settings().fragmentation();
        if (!limits.enabled()) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "fragment, fragmentation disabled");
        IkeSa ike = context.sas().find(h.initiatorCookie(), h.responderCookie());
        if (ike == null) throw new IkeDecodeException(IkeDropReason.UNKNOWN_SA, "fragment for no SA");
        PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
        if (h.encrypted() || chain.payloads().size() != 1 || !(chain.payloads().get(0) instanceof Payload.Fragment f)) {
            throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "a fragment must be the only payload, unencrypted");
        }
        IsakmpFragmentation.Reassembly r = ike.reassembly;
        if (r == null || r.fragmentId != f.fragmentId()) {
            if (r != null) {
                r.cancel();
                LOG.debug("{} peer={} fragments of id {} superseded by id {}", ike.tag, IkeSa.text(peer), r.fragmentId,
                        f.fragmentId());
            }
            IsakmpFragmentation.Reassembly fresh = new IsakmpFragmentation.Reassembly(f.fragmentId());
            fresh.timer = context.scheduler().schedule(limits.reassemblyTimeout(), () -> {
                if (ike.reassembly != fresh) return;
                ike.reassembly = null;
                context.metrics().dropped(IkeDropReason.FRAGMENT_TIMEOUT);
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
        context.metrics().dropped(IkeDropReason.UNAUTHENTICATED);
        List<Payload.Notify> notifies = chain.all(Payload.Notify.class);
        if (notifies.isEmpty() || !context.throttled().admit(LOG, Level.INFO, "unauthenticated notify")) return;
        IkeSa ike = context.sas().find(h.initiatorCookie(), h.responderCookie());
        // one line for the datagram, however many notifications it carries
        LOG.info("{} peer={} unauthenticated notify type={} from peer (ignored)", ike == null ? "ike=?" : ike.tag,
                IkeSa.text(peer), String.join(",", notifies.stream().limit(8).map(n -> Integer.toString(n.notifyType()))
                        .toList()) + (notifies.size() > 8 ? ",..." : ""));
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
        context.exchanges().rekey(ikeSaTag, inboundSpi, why);
    }

    /**
     * ESP deleted the pair with inbound SPI {@code inboundSpi} at its hard limit: the peer is told with a Delete
     * payload if the ISAKMP SA that holds the pair is still there, and the SPI is forgotten. Runs on the dataplane
     * event loop.
     */
    public void childSaExpired(String ikeSaTag, int inboundSpi) {
        context.childSas().expired(ikeSaTag, inboundSpi);
    }

    /**
     * Reload: proposals, limits, PSK, certificates, DPD and Aggressive Mode for negotiations from now on; established
     * SAs keep what they negotiated. Call on the event loop.
     */
    public void updateSettings(IkeSettings next) {
        context.update(next);
        LOG.debug("IKEv1 responder reconfigured {}", next);
    }

    /**
     * Maintenance drain: while on, a new phase 1 from an address and port without an established ISAKMP SA is dropped
     * and counted ({@code l2sec.ike.phase1{result=failed,reason=draining}}); established SAs, their Quick Modes and
     * a phase 1 rekey by a client that still holds an SA go on as usual. Call on the event loop.
     */
    public void draining(boolean on) {
        context.admission().draining(on);
    }

    public boolean draining() {
        return context.admission().draining();
    }

    /**
     * The IPsec state of a client by its outer address and port (as L2TP sessions over ESP report their peer):
     * its newest established ISAKMP SA with the child SAs it holds; a same-address SA when no port matches
     * (the client floated); empty for plain L2TP. Call on the event loop.
     */
    public Optional<IpsecInfo> ipsecOf(InetSocketAddress peer) {
        return context.sas().ipsecOf(peer, context.childSas(), context.scheduler().nanoTime());
    }

    /** Established ISAKMP SAs. */
    public int activeSas() {
        return context.sas().established();
    }

    /** Sends Delete payloads for every SA and forgets them all, and the half-open Main Modes. */
    @Override
    public void close() {
        for (IkeSa ike : context.sas().all()) context.deletion().delete(ike, "shutdown", true, false);
        context.halfOpen().close();
        context.underAttack().close();
    }

    /** The parts behind this responder: for tests of the package. */
    IkeContext context() {
        return context;
    }
}
