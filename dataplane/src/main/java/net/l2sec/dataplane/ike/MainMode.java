package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.message.CertEncoding;
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
import org.slf4j.event.Level;

/**
 * Main Mode, responder side, with pre-shared key (RFC 2409 sections 5 and 5.4) or RSA signature authentication
 * (section 5.1):
 * <pre>
 *  HDR, SA                     -->                           (HalfOpenTable: no SA yet)
 *                              <--  HDR, SA                  (+ VIDs: isakmp_vendor)
 *  HDR, KE, Ni [, NAT-D, NAT-D] -->                          (MM_KEYING: DH on a crypto worker)
 *                              <--  HDR, KE, Nr, NAT-D, NAT-D (isakmp_natd) [, CR for each CA: signatures]
 *  HDR*, IDii, HASH_I          -->                           (pre-shared key)
 *                              <--  HDR*, IDir, HASH_R
 *  HDR*, IDii, [CERT,] SIG_I   -->                           (signatures; MM_AUTHENTICATING: on a worker)
 *                              <--  HDR*, IDir, CERT..., SIG_R
 * </pre>
 * With signatures SKEYID = prf(Ni_b | Nr_b, g^xy) and SIG_I / SIG_R sign HASH_I / HASH_R; the peer's certificate
 * must validate to our trust anchors and vouch for its ID payload ({@link PeerSignature}). Diffie-Hellman and the
 * signatures run on {@link CryptoWorkers}, off the event loop; the exchange waits in a state of its own meanwhile
 * ({@link IkeSa.State}) and goes on, on the loop, when the result comes back. Messages 5 and 6 may travel
 * fragmented ({@link IsakmpFragmentation}).
 */
final class MainMode {
    private static final Logger LOG = LoggerFactory.getLogger(MainMode.class);
    private final IkeContext ctx;
    private final Phase1 phase1;

    MainMode(IkeContext ctx) {
        this.ctx = ctx;
        this.phase1 = new Phase1(ctx, LOG);
    }

    /**
     * Message 1: choose a transform and answer with it. Until message 3 proves that the peer receives at its address
     * (a forged source never does) nothing is computed and no SA made: the answer is a {@link HalfOpenTable} entry,
     * not resent by us (resending to forged addresses would make us a reflector); the initiator resends message 1
     * and gets the same answer again ({@link #repeated}).
     */
    void message1(IsakmpHeader h, PayloadChain chain, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        Payload.Sa sa = chain.first(Payload.Sa.class);
        if (sa == null || h.messageId() != 0) {
            phase1.invalidMessage1(peer, "message 1 without SA");
            return;
        }
        byte[] saiB = chain.body(Payload.Sa.class);
        if (saiB.length > HalfOpenTable.MAX_SA_OCTETS) {
            phase1.invalidMessage1(peer, "an SA payload of " + saiB.length + " octets, more than "
                    + HalfOpenTable.MAX_SA_OCTETS);
            return;
        }
        Phase1Proposal chosen = phase1.select(h, sa, peer, local);
        if (chosen == null) return;
        HalfOpenTable table = ctx.halfOpen();
        HalfOpenTable.Entry entry = new HalfOpenTable.Entry(h.initiatorCookie(),
                table.newCookie(h.initiatorCookie(), peer, local), peer, local, ctx.scheduler().nanoTime(),
                table.digest(request), saiB, chosen.position(), IsakmpVendor.process(chain.all(Payload.VendorId.class)));
        table.add(entry);
        if (ctx.throttled().admit(LOG, Level.DEBUG, "phase1 started")) {
            LOG.debug("ike={} peer={} phase1 started {} nat-t={} dpd={} windows={} fragmentation={}",
                    String.format("%08x", entry.responderCookie >>> 32), IkeSa.text(peer), chosen.label(),
                    entry.announced.natT(), entry.announced.dpd(), entry.announced.windows(),
                    entry.announced.fragmentation());
        }
        ctx.out().send(local, peer, message2(entry, sa, chosen));
    }

    /**
     * Message 1 again, for a Main Mode still waiting for message 3 (our message 2 was lost): the same answer again,
     * built anew from the entry. Another message 1 with the same cookie is dropped.
     */
    void repeated(HalfOpenTable.Entry entry, byte[] request) throws IkeDecodeException {
        if (entry.requestDigest != ctx.halfOpen().digest(request)) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "another message 1 for a half-open SA");
        }
        Payload.Sa sa = entry.sa();
        Phase1Proposal chosen = Phase1Proposal.at(sa, entry.chosen, ctx.settings());
        if (chosen == null) {
            throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "message 1 again, its choice no longer allowed");
        }
        ctx.metrics().retransmit();
        ctx.out().send(entry.local, entry.peer, message2(entry, sa, chosen));
    }

    /** Message 2: our choice, unchanged (RFC 2408 section 4.2), and our vendor IDs ({@link IsakmpVendor}). */
    private byte[] message2(HalfOpenTable.Entry entry, Payload.Sa offered, Phase1Proposal chosen) {
        List<Payload> reply = new ArrayList<>();
        reply.add(chosen.response(offered));
        reply.addAll(IsakmpVendor.build(entry.announced, ctx.settings().fragmentation().enabled()));
        return IsakmpCodec.encode(new IsakmpHeader(entry.initiatorCookie, entry.responderCookie, 0,
                IsakmpHeader.VERSION_1_0, ExchangeType.IDENTITY_PROTECTION, 0, 0, 0), reply);
    }

    /**
     * Message 3 came for {@code entry}: the Main Mode becomes an SA holding keying material ({@link
     * Admission#roomForKeyed}, {@link Phase1#continued}), which then takes message 3 like any other; null when there
     * is no room or no longer an allowed transform (counted there).
     */
    IkeSa continued(HalfOpenTable.Entry entry) throws IkeDecodeException {
        if (!ctx.admission().roomForKeyed(false, entry.peer)) return null;
        return phase1.continued(entry);
    }

    /**
     * Message 3: KE and Ni. Our KE and g^xy are computed by a crypto worker ({@link Phase1#computeKeys}) while the SA
     * waits in {@link IkeSa.State#MM_KEYING}; then {@link #message4}. When the workers cannot take it the message is
     * dropped and the SA stays as it was, for the client's retransmission.
     */
    void message3(IkeSa ike, PayloadChain chain, byte[] request) {
        Payload.Ke ke = chain.first(Payload.Ke.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        if (ke == null || !IkeSa.nonceValid(nonce)) {
            phase1.failed(ike, FailureReason.INVALID_PAYLOAD, "message 3 without KE or a valid nonce");
            return;
        }
        List<Payload.NatD> natd = chain.all(Payload.NatD.class);
        if (phase1.computeKeys(ike, ke, nonce, () -> message4(ike, natd, request))) ike.keying();
    }

    /** Message 4, the keys computed: KE, Nr and the NAT-D payloads [, CR for each CA]. */
    private void message4(IkeSa ike, List<Payload.NatD> natd, byte[] request) {
        List<Payload> reply = new ArrayList<>(List.of(new Payload.Ke(ike.gxr), new Payload.Nonce(ike.nr)));
        if (ike.natT != IkeSa.NatT.NONE) {
            IsakmpNatd.logPeerBehindNat(ike, natd);
            reply.addAll(IsakmpNatd.build(ike));
        }
        if (ike.proposal.signatures()) {
            // RFC 2408 section 3.10: the CAs we accept, each as its DER-encoded subject name
            for (X509Certificate ca : ctx.settings().ikev1Certificates().orElseThrow().trustAnchors()) {
                reply.add(new Payload.CertRequest(CertEncoding.X509_SIGNATURE, ca.getSubjectX500Principal().getEncoded()));
            }
        }
        ike.keSent();
        ctx.exchanges().respond(ike, request, IsakmpCodec.encode(ike.header(ExchangeType.IDENTITY_PROTECTION), reply), true);
    }

    /** Message 5: IDii and HASH_I (or CERT and SIG_I), encrypted; reply IDir and HASH_R (or CERT and SIG_R). */
    void message5(IkeSa ike, IsakmpHeader h, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        PayloadChain chain;
        try {
            chain = ike.unprotect(h, request);
        } catch (IkeDecodeException e) {
            phase1.authFailed(ike, "message 5 does not decrypt to valid payloads (" + e.getMessage() + ")",
                    NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        if (ike.proposal.signatures()) {
            // certificate validation, SIG_I and our SIG_R on a crypto worker; message 6 when it is done
            Payload.Id idr = phase1.certificateId();
            PeerSignature check = phase1.signatureCheck(ike, chain, idr);
            if (check == null) return;
            if (phase1.authenticate(ike, check, authenticated -> {
                ike.authentic(h, request);
                established(ike, chain, request, peer, local, phase1.signatureReply(idr, authenticated.sigR()));
            })) {
                ike.authenticating();
            }
            return;
        }
        Payload.Id id = chain.first(Payload.Id.class);
        Payload.Hash hash = chain.first(Payload.Hash.class);
        if (id == null || hash == null) {
            phase1.authFailed(ike, "message 5 without ID or HASH", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        if (!phase1.hashIValid(ike, chain.body(Payload.Id.class), hash)) return;
        ike.authentic(h, request);
        ctx.exchanges().floatPeer(ike, peer, local); // before localId: our address may be the one of 4500
        Payload.Id ours = phase1.localId(ike);
        established(ike, chain, request, peer, local, List.of(ours, new Payload.Hash(phase1.hashR(ike, ours))));
    }

    /** Message 6 out and the SA established. */
    private void established(IkeSa ike, PayloadChain chain, byte[] request, InetSocketAddress peer,
                             InetSocketAddress local, List<Payload> reply) {
        ctx.exchanges().floatPeer(ike, peer, local);
        ike.peerId = chain.first(Payload.Id.class);
        ike.peerIdText = Phase1.describe(ike.peerId);
        byte[] response = ike.protect(ExchangeType.IDENTITY_PROTECTION, 0, reply);
        ike.keymat.completePhase1();
        ctx.exchanges().respond(ike, request, response, false);
        phase1.established(ike, Informational.initialContact(chain));
    }
}
