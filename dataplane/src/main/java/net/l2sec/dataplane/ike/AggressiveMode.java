package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
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
 * NO-PROPOSAL-CHOSEN ({@link Phase1#select}). NAT-D payloads of the peer are read from message 1 or 3, only for
 * the log: our own NAT-D is built as in Main Mode, the peer's deliberately wrong ({@link IsakmpNatd}). Message 3
 * must be encrypted. The phase-1 IV chains through message 3, so Quick Mode and Informational IVs follow from its
 * last block as after Main Mode message 6; the resulting SA is otherwise a Main Mode SA.
 */
final class AggressiveMode {
    private static final Logger LOG = LoggerFactory.getLogger(AggressiveMode.class);
    private final IkeContext ctx;
    private final Phase1 phase1;

    AggressiveMode(IkeContext ctx) {
        this.ctx = ctx;
        this.phase1 = new Phase1(ctx, LOG);
    }

    /** Message 1: choose, derive the keys, and answer with everything including HASH_R. */
    void message1(IsakmpHeader h, PayloadChain chain, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        IkeSettings s = ctx.settings();
        Payload.Sa sa = chain.first(Payload.Sa.class);
        Payload.Ke ke = chain.first(Payload.Ke.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        Payload.Id id = chain.first(Payload.Id.class);
        if (sa == null || ke == null || !IkeSa.nonceValid(nonce) || id == null || h.messageId() != 0) {
            phase1.invalidMessage1(peer, "aggressive mode message 1 needs SA, KE, Ni, IDii");
            return;
        }
        Phase1Proposal chosen = phase1.select(h, sa, peer, local);
        if (chosen == null) return;
        // Diffie-Hellman and keys before the peer proved its address: bounded by ipsec.limits.half-open
        if (!ctx.admission().roomForKeyed(true, peer)) return;
        IkeSa ike = phase1.create(h, chosen, chain, peer, local);
        ike.peerId = id;
        ike.idiiB = chain.body(Payload.Id.class);
        IsakmpVendor.Announced vids = IsakmpVendor.process(ike, chain.all(Payload.VendorId.class), s);
        List<Payload.NatD> natd = chain.all(Payload.NatD.class); // usually in message 3; some send them here
        if (!phase1.computeKeys(ike, ke, nonce, () -> message2(ike, sa, vids, natd, request))) {
            // the workers cannot take it: as if message 1 never came; the client resends it
            ctx.deletion().delete(ike, IkeDropReason.CRYPTO_BUSY.tag(), false, false);
        }
    }

    /** Message 2, the keys computed: everything including HASH_R. */
    private void message2(IkeSa ike, Payload.Sa sa, IsakmpVendor.Announced vids, List<Payload.NatD> natd, byte[] request) {
        Payload.Id ours = phase1.localId(ike);
        List<Payload> reply = new ArrayList<>(List.of(ike.proposal.response(sa), new Payload.Ke(ike.gxr),
                new Payload.Nonce(ike.nr), ours));
        reply.addAll(IsakmpVendor.build(vids, ctx.settings().fragmentation().enabled()));
        if (ike.natT != IkeSa.NatT.NONE) {
            if (!natd.isEmpty()) IsakmpNatd.logPeerBehindNat(ike, natd);
            reply.addAll(IsakmpNatd.build(ike));
        }
        reply.add(new Payload.Hash(phase1.hashR(ike, ours)));
        LOG.debug("{} peer={} phase1 started {} mode=aggressive nat-t={} dpd={} windows={} fragmentation={}", ike.tag,
                ike.peerText(), ike.proposal.label(), ike.natT, vids.dpd(), vids.windows(), vids.fragmentation());
        ike.aggressiveSent();
        ctx.exchanges().respond(ike, request, IsakmpCodec.encode(ike.header(ExchangeType.AGGRESSIVE), reply), true);
    }

    /** Message 3: HASH_I, encrypted, checked in constant time; the SA is then established where message 3 came from. */
    void message3(IkeSa ike, IsakmpHeader h, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        PayloadChain chain;
        try {
            chain = ike.unprotect(h, request);
        } catch (IkeDecodeException e) {
            phase1.authFailed(ike, "message 3 does not decrypt to valid payloads (" + e.getMessage() + ")",
                    NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        Payload.Hash hash = chain.first(Payload.Hash.class);
        if (hash == null) {
            phase1.authFailed(ike, "message 3 without HASH_I", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        if (!phase1.hashIValid(ike, ike.idiiB, hash)) return;
        ike.authentic(h, request);
        List<Payload.NatD> natd = chain.all(Payload.NatD.class);
        if (ike.natT != IkeSa.NatT.NONE && !natd.isEmpty()) IsakmpNatd.logPeerBehindNat(ike, natd);
        ctx.exchanges().floatPeer(ike, peer, local);
        ike.peerIdText = Phase1.describe(ike.peerId);
        ike.keymat.completePhase1();
        phase1.established(ike, Informational.initialContact(chain));
    }
}
