package net.l2sec.dataplane.ike;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.Keymat;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Main Mode, responder side, pre-shared key authentication (RFC 2409 section 5 and 5.4):
 * <pre>
 *  HDR, SA                     -->
 *                              <--  HDR, SA                  (+ VIDs: isakmp_vendor)
 *  HDR, KE, Ni [, NAT-D, NAT-D] -->
 *                              <--  HDR, KE, Nr, NAT-D, NAT-D (isakmp_natd)
 *  HDR*, IDii, HASH_I          -->
 *                              <--  HDR*, IDir, HASH_R
 * </pre>
 */
final class MainMode {
    private static final Logger LOG = LoggerFactory.getLogger(MainMode.class);
    private final IkeResponder responder;

    MainMode(IkeResponder responder) {
        this.responder = responder;
    }

    /** Message 1 of a new exchange; returns the new SA, or null when no proposal was acceptable. */
    IkeSa message1(IsakmpHeader h, PayloadChain chain, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        IkeSettings s = responder.settings();
        Payload.Sa sa = chain.first(Payload.Sa.class);
        if (sa == null || h.messageId() != 0) {
            LOG.info("peer={} phase1 failed reason=invalid_payload (message 1 without SA)", IkeResponder.text(peer));
            responder.metrics().phase1Failed(FailureReason.INVALID_PAYLOAD);
            return null;
        }
        Phase1Proposal chosen = Phase1Proposal.select(sa, s);
        long responderCookie = responder.newCookie();
        if (chosen == null) {
            LOG.warn("peer={} phase1 failed reason=no_proposal_chosen offered: {}; allowed: {}", IkeResponder.text(peer),
                    Phase1Proposal.describeOffer(sa), Phase1Proposal.describeAllowed(s));
            responder.metrics().phase1Failed(FailureReason.NO_PROPOSAL_CHOSEN);
            responder.sendUnprotectedNotify(peer, local, h.initiatorCookie(), responderCookie,
                    Payload.Notify.NO_PROPOSAL_CHOSEN);
            return null;
        }
        IkeSa ike = new IkeSa(h.initiatorCookie(), responderCookie, peer, local, responder.scheduler().nanoTime());
        ike.proposal = chosen;
        ike.saiB = chain.body(Payload.Sa.class);
        IsakmpVendor.Announced vids = IsakmpVendor.process(chain.all(Payload.VendorId.class));
        ike.natT = vids.natT();
        ike.peerDpd = vids.dpd();
        List<Payload> reply = new ArrayList<>();
        reply.add(new Payload.Sa(sa.doi(), sa.situation(), List.of(new Payload.Proposal(chosen.proposalNumber(),
                Payload.Proposal.PROTO_ISAKMP, new byte[0], List.of(chosen.transform())))));
        reply.addAll(IsakmpVendor.build(vids));
        byte[] response = IsakmpCodec.encode(header(ike, 0), reply);
        responder.register(ike);
        LOG.debug("{} peer={} phase1 started {} nat-t={} dpd={} windows={}", ike.tag, ike.peerText(), chosen.label(),
                ike.natT, vids.dpd(), vids.windows());
        responder.respond(ike, request, response, true);
        return ike;
    }

    /** Message 3: KE and Ni; reply with KE, Nr and the NAT-D payloads. */
    void message3(IkeSa ike, IsakmpHeader h, PayloadChain chain, byte[] request) {
        Payload.Ke ke = chain.first(Payload.Ke.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        if (ke == null || nonce == null || nonce.data().length < 8 || nonce.data().length > 256) {
            responder.phase1Failed(ike, FailureReason.INVALID_PAYLOAD, "message 3 without KE or a valid nonce");
            return;
        }
        ike.dh = DiffieHellman.generate(ike.proposal.group());
        byte[] gxy;
        try {
            gxy = ike.dh.sharedSecret(ke.data());
        } catch (GeneralSecurityException e) {
            responder.phase1Failed(ike, FailureReason.INVALID_KE, "bad KE: " + e.getMessage());
            return;
        }
        ike.gxi = ke.data();
        ike.gxr = ike.dh.publicValue();
        ike.ni = nonce.data();
        ike.nr = responder.random(32);
        Keymat k = new Keymat(ike.proposal.hash(), ike.proposal.cipher(), ike.proposal.keyBits(), ike.initiatorCookie,
                ike.responderCookie);
        byte[] psk = responder.settings().psk().orElse(null);
        // without a PSK configured no initiator can authenticate: a random key makes message 5 fail as auth_failed
        k.derivePreSharedKey(psk != null ? psk : responder.random(32), ike.ni, ike.nr, gxy);
        Arrays.fill(gxy, (byte) 0);
        k.initPhase1Iv(ike.gxi, ike.gxr);
        ike.keymat = k;
        ike.dh = null;
        List<Payload> reply = new ArrayList<>(List.of(new Payload.Ke(ike.gxr), new Payload.Nonce(ike.nr)));
        if (ike.natT != IkeSa.NatT.NONE) {
            List<Payload.NatD> theirs = chain.all(Payload.NatD.class);
            LOG.debug("{} peer={} nat-t peer-behind-nat={}", ike.tag, ike.peerText(), IsakmpNatd.peerBehindNat(ike, theirs));
            reply.addAll(IsakmpNatd.build(ike));
        }
        ike.state = IkeSa.State.MM_KE_SENT;
        responder.respond(ike, request, IsakmpCodec.encode(header(ike, 0), reply), true);
    }

    /** Message 5: IDii and HASH_I, encrypted; reply IDir and HASH_R. */
    void message5(IkeSa ike, IsakmpHeader h, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        PayloadChain chain;
        try {
            chain = ike.unprotect(h, request);
        } catch (IkeDecodeException e) {
            authFailed(ike, "message 5 does not decrypt to valid payloads (" + e.getMessage() + ")",
                    Payload.Notify.AUTHENTICATION_FAILED);
            return;
        }
        Payload.Id id = chain.first(Payload.Id.class);
        Payload.Hash hash = chain.first(Payload.Hash.class);
        if (id == null || hash == null) {
            authFailed(ike, "message 5 without ID or HASH", Payload.Notify.AUTHENTICATION_FAILED);
            return;
        }
        byte[] expected = ike.keymat.hashI(ike.gxi, ike.gxr, ike.saiB, chain.body(Payload.Id.class));
        if (!MessageDigest.isEqual(expected, hash.data())) {
            authFailed(ike, "HASH_I mismatch", Payload.Notify.INVALID_HASH_INFORMATION); // RFC 2408 section 5.4
            return;
        }
        responder.floatPeer(ike, peer, local);
        ike.peerId = id;
        ike.peerIdText = describe(id);
        Payload.Id ours = localId(ike);
        byte[] idirB = Arrays.copyOfRange(IsakmpCodec.encodePayloads(List.of(ours)), 4,
                IsakmpCodec.encodePayloads(List.of(ours)).length);
        byte[] hashR = ike.keymat.hashR(ike.gxi, ike.gxr, ike.saiB, idirB);
        byte[] response = ike.protect(ExchangeType.IDENTITY_PROTECTION, 0, List.of(ours, new Payload.Hash(hashR)));
        ike.keymat.completePhase1();
        responder.respond(ike, request, response, false);
        boolean initialContact = chain.all(Payload.Notify.class).stream()
                .anyMatch(n -> n.notifyType() == Payload.Notify.INITIAL_CONTACT);
        responder.phase1Established(ike, initialContact);
    }

    private void authFailed(IkeSa ike, String why, int notifyType) {
        LOG.warn("{} peer={} phase1 failed reason=auth_failed: {} (usually a pre-shared key mismatch)", ike.tag,
                ike.peerText(), why);
        responder.sendUnprotectedNotify(ike.peer, ike.local, ike.initiatorCookie, ike.responderCookie,
                notifyType);
        responder.phase1Failed(ike, FailureReason.AUTH_FAILED, null);
    }

    private Payload.Id localId(IkeSa ike) {
        String configured = responder.settings().localId().orElse(null);
        if (configured != null) {
            if (configured.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                try {
                    return new Payload.Id(Payload.Id.ID_IPV4_ADDR, 17, 500, InetAddress.getByName(configured).getAddress());
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new Payload.Id(Payload.Id.ID_FQDN, 17, 500, configured.getBytes(StandardCharsets.US_ASCII));
        }
        InetAddress a = ike.local.getAddress();
        return new Payload.Id(a instanceof Inet4Address ? Payload.Id.ID_IPV4_ADDR : Payload.Id.ID_IPV6_ADDR, 17, 500,
                a.getAddress());
    }

    /** An identity as text for logs and INITIAL-CONTACT matching. */
    static String describe(Payload.Id id) {
        try {
            return switch (id.idType()) {
                case Payload.Id.ID_IPV4_ADDR, Payload.Id.ID_IPV6_ADDR -> InetAddress.getByAddress(id.data()).getHostAddress();
                case Payload.Id.ID_FQDN, Payload.Id.ID_USER_FQDN -> new String(id.data(), StandardCharsets.US_ASCII);
                default -> "type" + id.idType() + ":" + java.util.HexFormat.of().formatHex(id.data());
            };
        } catch (java.net.UnknownHostException e) {
            return "type" + id.idType() + ":?";
        }
    }

    static IsakmpHeader header(IkeSa ike, int messageId) {
        return new IsakmpHeader(ike.initiatorCookie, ike.responderCookie, 0, IsakmpHeader.VERSION_1_0,
                ExchangeType.IDENTITY_PROTECTION, 0, messageId, 0);
    }
}
