package net.l2sec.dataplane.ike;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Quick Mode we initiate to replace a child SA pair near the end of its life on our side (ESP's soft limit:
 * time, octets or sequence numbers), RFC 2409 section 5.5 with us as initiator:
 * <pre>
 *  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OAi, NAT-OAr] -->
 *                                     <--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *  HDR*, HASH(3)                       -->
 * </pre>
 * The offer is the old pair's transform (its PFS group included) for the same traffic: as initiator our ID is
 * IDci and the client's IDcr, the mirror of the Quick Mode that made the old pair. Once the new pair is installed
 * the old one is replaced ({@link ChildSas#replaceOlder}: Delete payload to the peer, removal from ESP after
 * {@link ChildSas#GRACE} so packets already in flight still decrypt). When the peer never answers, the old pair is
 * left to expire. Started and resent by {@link Exchanges}; ended here once message 3 is out or the exchange failed.
 *
 * <p>With PFS both Diffie-Hellman steps run on the {@link CryptoWorkers}, as the client's own Quick Modes do: our
 * key pair before message 1, g^qm xy after message 2; the exchange goes on when the result is back on the event loop.
 */
final class QuickModeRekey {
    private static final Logger LOG = LoggerFactory.getLogger(QuickModeRekey.class);
    private final IkeContext ctx;
    private final IkeSa ike;
    private final ChildSa old;
    private final String why;
    final int messageId;
    private final int inboundSpi;
    private final Payload.Id idci, idcr;
    /** Our PFS key pair, once a crypto worker made it; null without PFS. */
    private DiffieHellman pfs;
    private byte[] ni;
    private Retransmission retransmission;
    /** Given up (failed, or its ISAKMP SA or old pair gone): a crypto result arriving after that is discarded. */
    private boolean abandoned;

    QuickModeRekey(IkeContext ctx, IkeSa ike, ChildSa old, String why, int messageId) {
        this.ctx = ctx;
        this.ike = ike;
        this.old = old;
        this.why = why;
        this.messageId = messageId;
        this.inboundSpi = ctx.childSas().allocateSpi();
        this.idci = old.idcr();
        this.idcr = old.idci();
    }

    /**
     * Sends message 1 now, or with PFS once a crypto worker has made our key pair. False, the exchange failed
     * (counted {@code crypto_busy}), when the workers are all busy and their queue full: the pair is left to expire
     * or the client rekeys it.
     */
    boolean start() {
        DhGroup group = old.proposal().pfs();
        if (group == null) {
            message1();
            return true;
        }
        boolean accepted = ctx.crypto().submit(() -> DiffieHellman.generate(group), ctx.continuations(), outcome -> {
            if (stale()) return;
            if (outcome.value() == null) {
                // a bug: counted as IkeResponder counts one in a datagram's handling; the pair is left to expire
                ctx.metrics().dropped(IkeDropReason.INTERNAL_ERROR);
                LOG.warn("{} phase2 rekey of spi-in={} given up reason=internal_error: no PFS key pair", ike.tag,
                        ChildSa.hex(old.inboundSpi()), outcome.failure());
                ike.rekeys.remove(messageId);
                abandon();
                ctx.exchanges().end(ike, messageId);
                return;
            }
            pfs = outcome.value();
            message1();
        });
        if (!accepted) {
            fail(FailureReason.CRYPTO_BUSY, "PFS: every crypto worker busy and its queue full (" + ctx.crypto() + ")");
            return false;
        }
        return true;
    }

    /**
     * Whether a crypto result came back to an exchange that no longer wants it: given up, its ISAKMP SA deleted
     * (then our SPI is released here), or the old pair replaced by the peer meanwhile.
     */
    private boolean stale() {
        if (abandoned) return true;
        if (ike.deleted()) {
            abandon();
            return true;
        }
        if (old.replaced()) {
            LOG.info("{} phase2 rekey of spi-in={} abandoned: the peer replaced it first", ike.tag,
                    ChildSa.hex(old.inboundSpi()));
            ike.rekeys.remove(messageId);
            abandon();
            ctx.exchanges().end(ike, messageId);
            return true;
        }
        return false;
    }

    int oldInboundSpi() {
        return old.inboundSpi();
    }

    /** Message 1, sent and resent by the exchange layer until message 2 or the last retransmission's interval is over. */
    void message1() {
        ctx.metrics().phase2Started();
        ni = ctx.random(32);
        ChildProposal p = old.proposal();
        List<Payload> rest = new ArrayList<>();
        rest.add(new Payload.Sa(Doi.IPSEC, Payload.SIT_IDENTITY_ONLY, List.of(new Payload.Proposal(1, ProtocolId.PROTO_IPSEC_ESP,
                ChildSa.spiBytes(inboundSpi), List.of(p.responseTransform())))));
        rest.add(new Payload.Nonce(ni));
        if (pfs != null) rest.add(new Payload.Ke(pfs.publicValue()));
        if (idci != null) {
            rest.add(idci);
            rest.add(idcr);
        }
        if (ike.natT != IkeSa.NatT.NONE) {
            // RFC 3947 section 5.2: in transport mode the initiator sends NAT-OAi (its own address) and NAT-OAr
            // (the responder's address as it sees it)
            rest.add(natOa(ike.local.getAddress()));
            rest.add(natOa(ike.peer.getAddress()));
        }
        retransmission = ctx.exchanges().initiate(ike, this, ike.protectWithHash1(ExchangeType.QUICK_MODE, messageId, rest));
    }

    /** Whether message 2 starts with HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest), compared in constant time. */
    boolean hash2Valid(PayloadChain chain) {
        return !chain.payloads().isEmpty() && chain.payloads().get(0) instanceof Payload.Hash h
                && MessageDigest.isEqual(h.data(), ike.keymat.hash2(messageId, ni, chain.afterFirst()));
    }

    /**
     * Message 2, decrypted and its HASH(2) verified ({@link #hash2Valid}; one that does not verify is dropped and we
     * keep resending message 1), no longer among the SA's rekeys: the peer's choice checked against our offer; then
     * (with PFS once a crypto worker has computed g^qm xy) HASH(3) goes out (and is resent for a repeated message 2),
     * the new pair is installed and the old one retired, and the exchange ends.
     */
    void message2(PayloadChain chain, byte[] request) {
        cancel();
        Payload.Sa sa = chain.first(Payload.Sa.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        Payload.Ke ke = chain.first(Payload.Ke.class);
        List<Payload.Id> ids = chain.all(Payload.Id.class);
        if (sa == null || !IkeSa.nonceValid(nonce) || sa.proposals().size() != 1
                || sa.proposals().get(0).transforms().size() != 1) {
            failAndEnd(FailureReason.INVALID_PAYLOAD, "message 2 lacks SA or nonce, or has more than one transform");
            return;
        }
        if (!ids.isEmpty() && (idci == null || ids.size() != 2 || !idci.equals(ids.get(0)) || !idcr.equals(ids.get(1)))) {
            failAndEnd(FailureReason.INVALID_PAYLOAD, "message 2 IDs differ from ours");
            return;
        }
        ChildProposal ours = old.proposal();
        ChildProposal chosen = ChildProposal.select(sa, ke == null ? null : ours.pfs(), ctx.settings());
        if (chosen == null || chosen.cipher() != ours.cipher() || chosen.keyBits() != ours.keyBits()
                || chosen.integrity() != ours.integrity() || chosen.pfs() != ours.pfs()) {
            failAndEnd(FailureReason.NO_PROPOSAL_CHOSEN, "message 2 chose " + ChildProposal.describeOffer(sa) + ", not our offer");
            return;
        }
        byte[] nr = nonce.data();
        if (pfs == null) {
            complete(chosen, nr, null, request);
            return;
        }
        byte[] peerKe = ke.data();
        DiffieHellman ours2 = pfs;
        boolean accepted = ctx.crypto().submit(() -> ours2.sharedSecret(peerKe), ctx.continuations(), outcome -> {
            if (stale()) {
                if (outcome.value() != null) Arrays.fill(outcome.value(), (byte) 0);
                return;
            }
            if (outcome.value() == null) {
                failAndEnd(FailureReason.INVALID_KE, "bad PFS KE: " + (outcome.failure() instanceof GeneralSecurityException e
                        ? e.getMessage() : String.valueOf(outcome.failure())));
                return;
            }
            complete(chosen, nr, outcome.value(), request);
        });
        if (!accepted) {
            failAndEnd(FailureReason.CRYPTO_BUSY, "PFS: every crypto worker busy and its queue full (" + ctx.crypto() + ")");
        }
    }

    /** HASH(3) out, KEYMAT for both directions, the new pair installed and the old one retired; the exchange ends. */
    private void complete(ChildProposal chosen, byte[] nr, byte[] gqmxy, byte[] request) {
        byte[] message3 = ike.protect(ExchangeType.QUICK_MODE, messageId,
                List.of(new Payload.Hash(ike.keymat.hash3(messageId, ni, nr))));
        ctx.exchanges().respondLast(ike, request, message3);
        int len = chosen.keymatLength();
        // KEYMAT with Ni_b ours and Nr_b the peer's: we are the initiator of this exchange
        byte[] in = ike.keymat.childKeymat(gqmxy, ProtocolId.PROTO_IPSEC_ESP.code(), inboundSpi, ni, nr, len);
        byte[] out = ike.keymat.childKeymat(gqmxy, ProtocolId.PROTO_IPSEC_ESP.code(), chosen.peerSpi(), ni, nr, len);
        ctx.exchanges().end(ike, messageId);
        if (gqmxy != null) Arrays.fill(gqmxy, (byte) 0);
        Arrays.fill(ni, (byte) 0);
        // stored as the client would have sent them (IDci the client's), like every other child SA
        ChildSa fresh = new ChildSa(inboundSpi, chosen.peerSpi(), old.idci(), old.idcr(), chosen);
        ctx.childSas().install(ike, new ChildSaSpec(ike.tag, ike.peer, ike.local, inboundSpi, chosen.peerSpi(),
                chosen.cipher(), chosen.keyBits(), chosen.integrity(), in, out, chosen.lifetime(),
                chosen.lifetimeBytes(), old.idci() == null ? 0 : old.idci().port()), fresh);
        ctx.metrics().phase2Completed();
        ctx.metrics().rekey(2);
        LOG.info("{} phase2 rekeyed (initiated: {}) spi-in={} replaces {}", ike.tag, why, ChildSa.hex(inboundSpi),
                ChildSa.hex(old.inboundSpi()));
        LOG.debug("{} peer={} phase2 up esp={} spi-in={} spi-out={} lifetime={}s", ike.tag, ike.peerText(),
                chosen.label(), ChildSa.hex(inboundSpi), ChildSa.hex(chosen.peerSpi()), chosen.lifetimeSeconds());
        ctx.childSas().replaceOlder(ike, fresh);
    }

    /** No message 2 after the last retransmission of message 1 (the exchange layer ended the exchange). */
    void timedOut() {
        fail(FailureReason.TIMEOUT, "no message 2; the old pair is left to expire");
    }

    private void failAndEnd(FailureReason reason, String detail) {
        fail(reason, detail);
        ctx.exchanges().end(ike, messageId);
    }

    private void fail(FailureReason reason, String detail) {
        LOG.warn("{} peer={} phase2 rekey of spi-in={} failed reason={}: {}", ike.tag, ike.peerText(),
                ChildSa.hex(old.inboundSpi()), reason.tag(), detail);
        ctx.metrics().phase2Failed(reason);
        abandon();
    }

    /** Stops retransmitting and forgets our new SPI and nonce (the exchange failed or its ISAKMP SA is gone). */
    void abandon() {
        abandoned = true;
        cancel();
        ctx.childSas().releaseSpi(inboundSpi);
        if (ni != null) Arrays.fill(ni, (byte) 0);
    }

    void cancel() {
        if (retransmission != null) retransmission.cancel();
    }

    private Payload.NatOa natOa(java.net.InetAddress a) {
        return new Payload.NatOa(ike.natT == IkeSa.NatT.DRAFT,
                a instanceof java.net.Inet4Address ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR, a.getAddress());
    }
}
