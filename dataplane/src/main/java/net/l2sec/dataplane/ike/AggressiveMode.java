package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggressive Mode, responder side, with pre-shared key authentication only (RFC 2409 section 5.4), NAT-T as in
 * RFC 3947 section 3:
 * <pre>
 *  HDR, SA, KE, Ni, IDii [, VIDs]  -->
 *                                  <--  HDR, SA, KE, Nr, IDir [, VIDs], NAT-D, NAT-D, HASH_R
 *  HDR*, HASH_I [, NAT-D, NAT-D]   -->  (on UDP/4500 when NAT-T is in use: the SA floats)
 * </pre>
 * Off unless {@link IkeSettings#aggressiveMode()}: message 2 hands any unauthenticated initiator HASH_R, a keyed
 * hash of the PSK that can be guessed offline. The offer must be one proposal whose transforms all name the same
 * DH group (KE is sent before the choice); an offer with several groups or only signature transforms gets
 * NO-PROPOSAL-CHOSEN. NAT-D payloads of the peer are read from message 1 or 3, only for the log: our own NAT-D is
 * built as in Main Mode, the peer's deliberately wrong ({@link IsakmpNatd}). Message 3 must be encrypted. The
 * phase-1 IV chains through message 3, so Quick Mode and Informational IVs follow from its last block as after
 * Main Mode message 6; the resulting SA is otherwise a Main Mode SA.
 */
final class AggressiveMode {
    private static final Logger LOG = LoggerFactory.getLogger(AggressiveMode.class);
    private final IkeResponder responder;

    AggressiveMode(IkeResponder responder) {
        this.responder = responder;
    }

    /** Message 1: choose, derive the keys, and answer with everything including HASH_R; null when refused. */
    IkeSa message1(IsakmpHeader h, PayloadChain chain, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        IkeSettings s = responder.settings();
        Payload.Sa sa = chain.first(Payload.Sa.class);
        Payload.Ke ke = chain.first(Payload.Ke.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        Payload.Id id = chain.first(Payload.Id.class);
        if (sa == null || ke == null || !IkeSa.nonceValid(nonce) || id == null || h.messageId() != 0) {
            LOG.info("peer={} phase1 failed reason=invalid_payload (aggressive mode message 1 needs SA, KE, Ni, IDii)",
                    IkeResponder.text(peer));
            responder.metrics().phase1Failed(FailureReason.INVALID_PAYLOAD);
            return null;
        }
        Phase1Proposal chosen = sa.proposals().size() == 1 && Phase1Proposal.oneGroup(sa)
                ? Phase1Proposal.selectPreSharedKey(sa, s) : null;
        if (chosen == null) {
            responder.noProposalChosen(LOG, h, peer, local, sa);
            return null;
        }
        IkeSa ike = new IkeSa(h.initiatorCookie(), responder.newCookie(), peer, local, responder.scheduler().nanoTime(), true);
        ike.proposal = chosen;
        ike.saiB = chain.body(Payload.Sa.class);
        ike.peerId = id;
        ike.idiiB = chain.body(Payload.Id.class);
        IsakmpVendor.Announced vids = IsakmpVendor.process(ike, chain.all(Payload.VendorId.class), s);
        responder.register(ike);
        try {
            ike.deriveKeys(ke.data(), nonce.data(), responder.random(32), responder.preSharedKey());
        } catch (GeneralSecurityException e) {
            responder.phase1Failed(ike, FailureReason.INVALID_KE, "bad KE for " + chosen.group().label() + ": " + e.getMessage());
            return null;
        }
        Payload.Id ours = MainMode.localId(s, ike);
        List<Payload> reply = new ArrayList<>(List.of(chosen.response(sa), new Payload.Ke(ike.gxr),
                new Payload.Nonce(ike.nr), ours));
        reply.addAll(IsakmpVendor.build(vids, s.fragmentation().enabled()));
        if (ike.natT != IkeSa.NatT.NONE) {
            List<Payload.NatD> natd = chain.all(Payload.NatD.class); // usually in message 3; some send them here
            if (!natd.isEmpty()) IsakmpNatd.logPeerBehindNat(ike, natd);
            reply.addAll(IsakmpNatd.build(ike));
        }
        reply.add(new Payload.Hash(ike.keymat.hashR(ike.gxi, ike.gxr, ike.saiB, MainMode.body(ours))));
        LOG.debug("{} peer={} phase1 started {} mode=aggressive nat-t={} dpd={} windows={} fragmentation={}", ike.tag,
                ike.peerText(), chosen.label(), ike.natT, vids.dpd(), vids.windows(), vids.fragmentation());
        responder.respond(ike, request, IsakmpCodec.encode(ike.header(ExchangeType.AGGRESSIVE), reply), true);
        return ike;
    }

    /** Message 3: HASH_I, encrypted, checked in constant time; the SA is then established where message 3 came from. */
    void message3(IkeSa ike, IsakmpHeader h, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        PayloadChain chain;
        try {
            chain = ike.unprotect(h, request);
        } catch (IkeDecodeException e) {
            responder.authFailed(LOG, ike, "message 3 does not decrypt to valid payloads (" + e.getMessage() + ")",
                    NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        Payload.Hash hash = chain.first(Payload.Hash.class);
        if (hash == null) {
            responder.authFailed(LOG, ike, "message 3 without HASH_I", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        byte[] expected = ike.keymat.hashI(ike.gxi, ike.gxr, ike.saiB, ike.idiiB);
        if (!MessageDigest.isEqual(expected, hash.data())) {
            responder.authFailed(LOG, ike, "HASH_I mismatch", NotifyType.INVALID_HASH_INFORMATION); // RFC 2408 section 5.4
            return;
        }
        List<Payload.NatD> natd = chain.all(Payload.NatD.class);
        if (ike.natT != IkeSa.NatT.NONE && !natd.isEmpty()) IsakmpNatd.logPeerBehindNat(ike, natd);
        responder.floatPeer(ike, peer, local);
        ike.peerIdText = MainMode.describe(ike.peerId);
        ike.keymat.completePhase1();
        responder.phase1Established(ike, Informational.initialContact(chain));
    }
}
