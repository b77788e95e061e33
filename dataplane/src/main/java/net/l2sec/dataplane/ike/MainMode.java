package net.l2sec.dataplane.ike;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ike.auth.RsaSignature;
import net.l2sec.dataplane.ike.message.CertEncoding;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Main Mode, responder side, with pre-shared key (RFC 2409 sections 5 and 5.4) or RSA signature authentication
 * (section 5.1):
 * <pre>
 *  HDR, SA                     -->
 *                              <--  HDR, SA                  (+ VIDs: isakmp_vendor)
 *  HDR, KE, Ni [, NAT-D, NAT-D] -->
 *                              <--  HDR, KE, Nr, NAT-D, NAT-D (isakmp_natd) [, CR for each CA: signatures]
 *  HDR*, IDii, HASH_I          -->                           (pre-shared key)
 *                              <--  HDR*, IDir, HASH_R
 *  HDR*, IDii, [CERT,] SIG_I   -->                           (signatures)
 *                              <--  HDR*, IDir, CERT..., SIG_R
 * </pre>
 * With signatures SKEYID = prf(Ni_b | Nr_b, g^xy) and SIG_I / SIG_R sign HASH_I / HASH_R; the peer's certificate
 * must validate to our trust anchors and vouch for its ID payload. Messages 5 and 6 may travel fragmented
 * ({@link IsakmpFragmentation}).
 */
final class MainMode {
    private static final Logger LOG = LoggerFactory.getLogger(MainMode.class);
    /**
     * What we tell a peer whose certificate we refuse: code 18, which RFC 2408 section 3.14.1 names
     * INVALID-ID-INFORMATION (INVALID-CERTIFICATE is 20). The code peers have always received from us; kept as is.
     */
    static final NotifyType CERTIFICATE_REFUSED = NotifyType.INVALID_ID_INFORMATION;
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
        if (chosen == null) {
            responder.noProposalChosen(LOG, h, peer, local, sa);
            return null;
        }
        IkeSa ike = new IkeSa(h.initiatorCookie(), responder.newCookie(), peer, local, responder.scheduler().nanoTime(), false);
        ike.proposal = chosen;
        ike.saiB = chain.body(Payload.Sa.class);
        IsakmpVendor.Announced vids = IsakmpVendor.process(ike, chain.all(Payload.VendorId.class), s);
        List<Payload> reply = new ArrayList<>();
        reply.add(chosen.response(sa));
        reply.addAll(IsakmpVendor.build(vids, s.fragmentation().enabled()));
        byte[] response = IsakmpCodec.encode(ike.header(ExchangeType.IDENTITY_PROTECTION), reply);
        responder.register(ike);
        LOG.debug("{} peer={} phase1 started {} nat-t={} dpd={} windows={} fragmentation={}", ike.tag, ike.peerText(),
                chosen.label(), ike.natT, vids.dpd(), vids.windows(), vids.fragmentation());
        responder.respond(ike, request, response, true);
        return ike;
    }

    /** Message 3: KE and Ni; reply with KE, Nr and the NAT-D payloads. */
    void message3(IkeSa ike, IsakmpHeader h, PayloadChain chain, byte[] request) {
        Payload.Ke ke = chain.first(Payload.Ke.class);
        Payload.Nonce nonce = chain.first(Payload.Nonce.class);
        if (ke == null || !IkeSa.nonceValid(nonce)) {
            responder.phase1Failed(ike, FailureReason.INVALID_PAYLOAD, "message 3 without KE or a valid nonce");
            return;
        }
        try {
            ike.deriveKeys(ke.data(), nonce.data(), responder.random(32),
                    ike.proposal.signatures() ? null : responder.preSharedKey());
        } catch (GeneralSecurityException e) {
            responder.phase1Failed(ike, FailureReason.INVALID_KE, "bad KE: " + e.getMessage());
            return;
        }
        List<Payload> reply = new ArrayList<>(List.of(new Payload.Ke(ike.gxr), new Payload.Nonce(ike.nr)));
        if (ike.natT != IkeSa.NatT.NONE) {
            IsakmpNatd.logPeerBehindNat(ike, chain.all(Payload.NatD.class));
            reply.addAll(IsakmpNatd.build(ike));
        }
        if (ike.proposal.signatures()) {
            // RFC 2408 section 3.10: the CAs we accept, each as its DER-encoded subject name
            for (X509Certificate ca : responder.settings().certificates().orElseThrow().trustAnchors()) {
                reply.add(new Payload.CertRequest(CertEncoding.X509_SIGNATURE, ca.getSubjectX500Principal().getEncoded()));
            }
        }
        ike.keSent();
        responder.respond(ike, request, IsakmpCodec.encode(ike.header(ExchangeType.IDENTITY_PROTECTION), reply), true);
    }

    /** Message 5: IDii and HASH_I, encrypted; reply IDir and HASH_R. */
    void message5(IkeSa ike, IsakmpHeader h, byte[] request, InetSocketAddress peer, InetSocketAddress local) {
        PayloadChain chain;
        try {
            chain = ike.unprotect(h, request);
        } catch (IkeDecodeException e) {
            responder.authFailed(LOG, ike, "message 5 does not decrypt to valid payloads (" + e.getMessage() + ")",
                    NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        if (ike.proposal.signatures()) {
            message5Signature(ike, chain, request, peer, local);
            return;
        }
        Payload.Id id = chain.first(Payload.Id.class);
        Payload.Hash hash = chain.first(Payload.Hash.class);
        if (id == null || hash == null) {
            responder.authFailed(LOG, ike, "message 5 without ID or HASH", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        byte[] expected = ike.keymat.hashI(ike.gxi, ike.gxr, ike.saiB, chain.body(Payload.Id.class));
        if (!MessageDigest.isEqual(expected, hash.data())) {
            responder.authFailed(LOG, ike, "HASH_I mismatch", NotifyType.INVALID_HASH_INFORMATION); // RFC 2408 section 5.4
            return;
        }
        responder.floatPeer(ike, peer, local); // before localId: our address may be the one of 4500
        Payload.Id ours = localId(ike);
        byte[] hashR = ike.keymat.hashR(ike.gxi, ike.gxr, ike.saiB, body(ours));
        established(ike, chain, id, request, peer, local, List.of(ours, new Payload.Hash(hashR)));
    }

    /** Message 5 with signatures: IDii, CERT(s), SIG_I; reply IDir, our CERT(s), SIG_R (RFC 2409 section 5.1). */
    private void message5Signature(IkeSa ike, PayloadChain chain, byte[] request, InetSocketAddress peer,
                                   InetSocketAddress local) {
        CertificateAuth ours = responder.settings().certificates().orElseThrow();
        PeerValidation validation = responder.peerValidation();
        Payload.Id id = chain.first(Payload.Id.class);
        Payload.Sig sig = chain.first(Payload.Sig.class);
        if (id == null || sig == null) {
            responder.authFailed(LOG, ike, "message 5 without ID or SIG", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Payload.Cert c : chain.all(Payload.Cert.class)) {
                if (CertEncoding.of(c.encoding()) != CertEncoding.X509_SIGNATURE || certs.size() >= PeerValidation.MAX_CHAIN) continue;
                certs.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(c.data())));
            }
        } catch (CertificateException e) {
            responder.phase1Failed(LOG, ike, FailureReason.CERT_INVALID, "malformed CERT payload: " + e.getMessage(),
                    CERTIFICATE_REFUSED);
            return;
        }
        if (certs.isEmpty()) {
            responder.phase1Failed(LOG, ike, FailureReason.CERT_INVALID, "no X.509 CERT payload (we know no peer certificates otherwise)",
                    CERTIFICATE_REFUSED);
            return;
        }
        X509Certificate cert;
        try {
            cert = validation.validate(certs);
        } catch (PeerValidation.InvalidCertificate e) {
            responder.phase1Failed(LOG, ike, FailureReason.CERT_INVALID, e.getMessage(), CERTIFICATE_REFUSED);
            return;
        }
        String who = "subject=\"" + cert.getSubjectX500Principal() + "\" issuer=\"" + cert.getIssuerX500Principal() + "\"";
        if (!validation.idMatches(id, cert)) {
            responder.phase1Failed(LOG, ike, FailureReason.ID_MISMATCH, "ID " + describe(id) + " is not an identity of " + who + " (rule "
                    + ours.idRule() + ")", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        byte[] hashI = ike.keymat.hashI(ike.gxi, ike.gxr, ike.saiB, chain.body(Payload.Id.class));
        if (!RsaSignature.verify(cert.getPublicKey(), hashI, sig.data())) {
            responder.authFailed(LOG, ike, "SIG_I does not verify with the key of " + who, NotifyType.INVALID_SIGNATURE);
            return;
        }
        LOG.info("{} peer={} authenticated by certificate {}", ike.tag, ike.peerText(), who);
        Payload.Id idr = new Payload.Id(IdType.ID_DER_ASN1_DN, 17, 500,
                ours.certificate().getSubjectX500Principal().getEncoded());
        byte[] hashR = ike.keymat.hashR(ike.gxi, ike.gxr, ike.saiB, body(idr));
        List<Payload> reply = new ArrayList<>(List.of(idr));
        for (X509Certificate c : ours.chain()) {
            try {
                reply.add(new Payload.Cert(CertEncoding.X509_SIGNATURE, c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        reply.add(new Payload.Sig(RsaSignature.sign(ours.privateKey(), hashR)));
        established(ike, chain, id, request, peer, local, reply);
    }

    /** Message 6 out and the SA established. */
    private void established(IkeSa ike, PayloadChain chain, Payload.Id id, byte[] request, InetSocketAddress peer,
                             InetSocketAddress local, List<Payload> reply) {
        responder.floatPeer(ike, peer, local);
        ike.peerId = id;
        ike.peerIdText = describe(id);
        byte[] response = ike.protect(ExchangeType.IDENTITY_PROTECTION, 0, reply);
        ike.keymat.completePhase1();
        responder.respond(ike, request, response, false);
        responder.phase1Established(ike, Informational.initialContact(chain));
    }

    static byte[] body(Payload p) {
        byte[] e = IsakmpCodec.encodePayloads(List.of(p));
        return Arrays.copyOfRange(e, 4, e.length);
    }

    private Payload.Id localId(IkeSa ike) {
        return localId(responder.settings(), ike);
    }

    /** Our ID payload: the configured local ID (IPv4 literal or FQDN), else our address as the peer reached it. */
    static Payload.Id localId(IkeSettings settings, IkeSa ike) {
        String configured = settings.localId().orElse(null);
        if (configured != null) {
            if (configured.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                try {
                    return new Payload.Id(IdType.ID_IPV4_ADDR, 17, 500, InetAddress.getByName(configured).getAddress());
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new Payload.Id(IdType.ID_FQDN, 17, 500, configured.getBytes(StandardCharsets.US_ASCII));
        }
        InetAddress a = ike.local.getAddress();
        return new Payload.Id(a instanceof Inet4Address ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR, 17, 500,
                a.getAddress());
    }

    /** An identity as text for logs and INITIAL-CONTACT matching. */
    static String describe(Payload.Id id) {
        try {
            return switch (IdType.of(id.idType())) {
                case ID_IPV4_ADDR, ID_IPV6_ADDR -> InetAddress.getByAddress(id.data()).getHostAddress();
                case ID_FQDN, ID_USER_FQDN -> new String(id.data(), StandardCharsets.US_ASCII);
                case ID_DER_ASN1_DN -> dn(id.data());
                case null, default -> "type" + id.idType() + ":" + java.util.HexFormat.of().formatHex(id.data());
            };
        } catch (java.net.UnknownHostException e) {
            return "type" + id.idType() + ":?";
        }
    }

    private static String dn(byte[] der) {
        try {
            return new X500Principal(der).getName();
        } catch (IllegalArgumentException e) {
            return "dn:?";
        }
    }
}
