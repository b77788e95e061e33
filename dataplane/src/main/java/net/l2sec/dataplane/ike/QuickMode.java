package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
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
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Quick Mode, responder side (RFC 2409 section 5.5), transport-mode ESP with UDP encapsulation:
 * <pre>
 *  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OA...] -->
 *                                     <--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *  HDR*, HASH(3)                       -->
 * </pre>
 * Message 1 arrives with HASH(1) checked, message 3 with HASH(3) checked ({@link Exchanges}, by {@link #hash3Valid}):
 * one that does not verify is dropped and the exchange waits on. A Quick Mode whose IDs equal
 * those of a child SA the client already holds is a rekey: the new pair replaces the old one, which is deleted
 * after a grace period ({@link ChildSas#replaceOlder}) and never rekeyed by us. Quick Modes we initiate ourselves
 * are {@link QuickModeRekey}. With PFS the responder's Diffie-Hellman runs on a crypto worker ({@link CryptoWorkers});
 * message 1 again meanwhile is dropped ({@code keying_in_progress}), and with every worker busy and the queue full
 * the Quick Mode fails ({@code crypto_busy}: its message ID is used, so the client starts another).
 */
final class QuickMode {
    private static final Logger LOG = LoggerFactory.getLogger(QuickMode.class);
    /** IDs of UDP traffic (L2TP) or of any protocol: the only ones served (IANA protocol numbers). */
    private static final int ANY_PROTOCOL = 0, UDP = 17;
    private final IkeContext ctx;
    private final IkeSa ike;
    final int messageId;
    private ChildProposal chosen;
    private byte[] ni, nr, gqmxy;
    private int inboundSpi;
    private Payload.Id idci, idcr;
    private Retransmission retransmission;
    /** PFS: g^qm xy being computed by a crypto worker (message 2 not yet sent). */
    private boolean computing;

    QuickMode(IkeContext ctx, IkeSa ike, int messageId) {
        this.ctx = ctx;
        this.ike = ike;
        this.messageId = messageId;
    }

    /**
     * Message 1, decrypted and HASH(1) checked: choose, answer with message 2 (with PFS once a crypto worker has
     * computed g^qm xy). False when the exchange failed.
     */
    boolean message1(PayloadChain chain, byte[] request) {
        ctx.metrics().phase2Started();
        Payload.Sa sa = chain.first(Payload.Sa.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        Payload.Ke ke = chain.first(Payload.Ke.class);
        List<Payload.Id> ids = chain.all(Payload.Id.class);
        if (sa == null || nonce == null || nonce.data().length < 8 || (ids.size() != 0 && ids.size() != 2)) {
            return fail(FailureReason.INVALID_PAYLOAD, "message 1 lacks SA, nonce or a pair of IDs");
        }
        DhGroup keGroup = null;
        if (ke != null) {
            // the public value lengths of our groups differ (128, 192, 256, 64, 96): the KE tells its group, which
            // must equal the transform's Group Description
            for (DhGroup g : DhGroup.values()) if (g.publicValueLength() == ke.data().length) keGroup = g;
            if (keGroup == null) return fail(FailureReason.INVALID_KE, "KE of " + ke.data().length + " octets");
        }
        if (ike.local.getPort() != IsakmpSender.NAT_T_PORT) {
            // ESP here is UDP-encapsulated only; our NAT-D always makes a NAT-T peer float to 4500
            return fail(FailureReason.NO_PROPOSAL_CHOSEN, "peer did not move to UDP/4500 (NAT-T "
                    + (ike.natT == IkeSa.NatT.NONE ? "not negotiated" : "negotiated, no float") + ")");
        }
        IkeSettings s = ctx.settings();
        chosen = ChildProposal.select(sa, keGroup, s);
        if (chosen == null) {
            LOG.warn("{} peer={} phase2 failed reason=no_proposal_chosen offered: {}; allowed: {} x {} x {}{}", ike.tag,
                    ike.peerText(), ChildProposal.describeOffer(sa), s.allowedEspCiphers(), s.espAesKeyBits(),
                    s.espIntegrity(), ike.natT == IkeSa.NatT.NONE ? " (peer did not negotiate NAT-T: UDP encapsulation required)" : "");
            ctx.metrics().phase2Failed(FailureReason.NO_PROPOSAL_CHOSEN);
            ctx.exchanges().sendInformational(ike, List.of(new Payload.Notify(Doi.IPSEC, ProtocolId.PROTO_IPSEC_ESP,
                    NotifyType.NO_PROPOSAL_CHOSEN, sa.proposals().isEmpty() ? new byte[0] : sa.proposals().get(0).spi(),
                    new byte[0])));
            return false;
        }
        ni = nonce.data();
        nr = ctx.random(32);
        List<Payload> reply = new ArrayList<>();
        inboundSpi = ctx.childSas().allocateSpi();
        reply.add(new Payload.Sa(sa.doi(), sa.situation(), List.of(new Payload.Proposal(chosen.proposalNumber(),
                ProtocolId.PROTO_IPSEC_ESP, ChildSa.spiBytes(inboundSpi), List.of(chosen.responseTransform())))));
        reply.add(new Payload.Nonce(nr));
        if (ids.size() == 2) {
            idci = ids.get(0);
            idcr = ids.get(1);
            if (!served(idci) || !served(idcr)) {
                return fail(FailureReason.INVALID_PAYLOAD, "IDs for protocol " + idci.protocol() + "/" + idcr.protocol()
                        + ", only UDP (L2TP) is served");
            }
        }
        chain.all(Payload.NatOa.class).forEach(oa -> LOG.debug("{} nat-oa type={} len={}", ike.tag, oa.idType(), oa.address().length));
        if (chosen.pfs() == null) {
            message2(reply, request);
            return true;
        }
        // PFS: g^qm xy on a crypto worker, message 2 when it is back on the event loop
        DhGroup group = chosen.pfs();
        byte[] peerKe = ke.data();
        computing = true;
        boolean accepted = ctx.crypto().submit(() -> DiffieHellman.agree(group, peerKe), ctx.continuations(), outcome -> {
            computing = false;
            if (ike.deleted() || ike.quickModes.get(messageId) != this) {
                // the exchange or its ISAKMP SA ended meanwhile (abandoned: SPI released)
                if (outcome.value() != null) Arrays.fill(outcome.value().sharedSecret(), (byte) 0);
                return;
            }
            if (outcome.value() == null) {
                ike.quickModes.remove(messageId);
                ctx.exchanges().end(ike, messageId);
                fail(FailureReason.INVALID_KE, "bad PFS KE: " + (outcome.failure() instanceof GeneralSecurityException e
                        ? e.getMessage() : String.valueOf(outcome.failure())));
                return;
            }
            gqmxy = outcome.value().sharedSecret();
            reply.add(new Payload.Ke(outcome.value().publicValue()));
            try {
                message2(reply, request);
            } catch (RuntimeException e) {
                // a bug: counted as IkeResponder counts one in a datagram's handling, and the exchange ends
                ctx.metrics().dropped(IkeDropReason.INTERNAL_ERROR);
                LOG.warn("{} peer={} dropped reason=internal_error", ike.tag, ike.peerText(), e);
                ike.quickModes.remove(messageId);
                ctx.exchanges().end(ike, messageId);
                fail(FailureReason.INVALID_PAYLOAD, "internal error building message 2");
            }
        });
        if (!accepted) {
            computing = false;
            ctx.metrics().dropped(IkeDropReason.CRYPTO_BUSY);
            return fail(FailureReason.CRYPTO_BUSY, "PFS: every crypto worker busy and its queue full ("
                    + ctx.crypto() + "); the client starts another Quick Mode");
        }
        return true;
    }

    /** Message 2: [KE,] [IDci, IDcr,] NAT-OA, under HASH(2); resent until message 3. */
    private void message2(List<Payload> reply, byte[] request) {
        if (idci != null) {
            reply.add(idci);
            reply.add(idcr);
        }
        if (ike.natT != IkeSa.NatT.NONE) {
            // RFC 3947 section 5.2: the responder that selects UDP-Encapsulated-Transport sends NAT-OAi (the
            // initiator's address as we see it) and NAT-OAr (our own)
            reply.add(natOa(ike.peer.getAddress()));
            reply.add(natOa(ike.local.getAddress()));
        }
        byte[] rest = IsakmpCodec.encodePayloads(reply);
        List<Payload> all = new ArrayList<>();
        all.add(new Payload.Hash(ike.keymat.hash2(messageId, ni, rest)));
        all.addAll(reply);
        byte[] response = ike.protect(ExchangeType.QUICK_MODE, messageId, all);
        retransmission = ctx.exchanges().respond(ike, this, request, response);
    }

    /** PFS: message 1 taken, its Diffie-Hellman on a crypto worker; message 1 again is dropped meanwhile. */
    boolean computing() {
        return computing;
    }

    /** Whether message 3 is HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b), compared in constant time. */
    boolean hash3Valid(PayloadChain chain) {
        return chosen != null && !chain.payloads().isEmpty() && chain.payloads().get(0) instanceof Payload.Hash h
                && MessageDigest.isEqual(h.data(), ike.keymat.hash3(messageId, ni, nr));
    }

    /** Message 3, its HASH(3) verified ({@link #hash3Valid}): derive KEYMAT for both directions and install the pair. */
    void message3() {
        cancel();
        int len = chosen.keymatLength();
        byte[] in = ike.keymat.childKeymat(gqmxy, ProtocolId.PROTO_IPSEC_ESP.code(), inboundSpi, ni, nr, len);
        byte[] out = ike.keymat.childKeymat(gqmxy, ProtocolId.PROTO_IPSEC_ESP.code(), chosen.peerSpi(), ni, nr, len);
        wipe();
        int peerL2tpPort = idci == null ? 0 : idci.port();
        InetSocketAddress local = ike.local;
        ChildSa child = new ChildSa(inboundSpi, chosen.peerSpi(), idci, idcr, chosen);
        ctx.childSas().install(ike, new ChildSaSpec(ike.tag, ike.peer, local, inboundSpi, chosen.peerSpi(),
                chosen.cipher(), chosen.keyBits(), chosen.integrity(), in, out, chosen.lifetime(),
                chosen.lifetimeBytes(), peerL2tpPort), child);
        List<Integer> replaced = ctx.childSas().replaceOlder(ike, child);
        ctx.metrics().phase2Completed();
        if (!replaced.isEmpty()) ctx.metrics().rekey(2);
        LOG.info("{} peer={} phase2 up esp={} spi-in={} spi-out={} lifetime={}s{}", ike.tag, ike.peerText(),
                chosen.label(), ChildSa.hex(inboundSpi), ChildSa.hex(chosen.peerSpi()),
                chosen.lifetimeSeconds(), replaced.isEmpty() ? "" : " rekey replaces="
                        + String.join(",", replaced.stream().map(ChildSa::hex).toList()));
    }

    /** No message 3 after the last retransmission of message 2 (the exchange layer ended the exchange). */
    void timedOut() {
        fail(FailureReason.TIMEOUT, "no message 3");
    }

    private boolean fail(FailureReason reason, String why) {
        LOG.warn("{} peer={} phase2 failed reason={}: {}", ike.tag, ike.peerText(), reason.tag(), why);
        ctx.metrics().phase2Failed(reason);
        if (inboundSpi != 0) ctx.childSas().releaseSpi(inboundSpi);
        wipe();
        return false;
    }

    private static boolean served(Payload.Id id) {
        return id.protocol() == ANY_PROTOCOL || id.protocol() == UDP;
    }

    private Payload.NatOa natOa(java.net.InetAddress a) {
        return new Payload.NatOa(ike.natT == IkeSa.NatT.DRAFT,
                a instanceof java.net.Inet4Address ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR, a.getAddress());
    }

    void cancel() {
        if (retransmission != null) retransmission.cancel();
    }

    /** Its ISAKMP SA ends before message 3: nothing is resent, our inbound SPI is free again, the nonces wiped. */
    void abandon() {
        cancel();
        if (inboundSpi != 0) ctx.childSas().releaseSpi(inboundSpi);
        wipe();
    }

    private void wipe() {
        for (byte[] b : new byte[][] {ni, nr, gqmxy}) if (b != null) Arrays.fill(b, (byte) 0);
    }
}
