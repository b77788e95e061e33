package net.l2sec.dataplane.ikev2;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtection;
import net.l2sec.dataplane.ikev2.keymat.IkeSaKeys;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2DecodeException;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Ke;
import net.l2sec.dataplane.ikev2.message.Payload.Nonce;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.spi.session.EndCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKE_SA_INIT, responder side (RFC 7296 section 1.2): proposal choice, the COOKIE under load (section 2.6),
 * INVALID_KE_PAYLOAD when the client guessed another group, Diffie-Hellman on the crypto workers, SKEYSEED and
 * the IKE SA's keys, NAT detection (section 2.23; our destination hash never matches, so every client encapsulates
 * ESP in UDP as IKEv1 clients do), and the announcements of fragmentation (RFC 7383) and signature hash
 * algorithms (RFC 7427).
 */
final class IkeSaInit {
    private static final Logger log = LoggerFactory.getLogger(Ikev2Responder.class);
    static final int NONCE_LENGTH = 32;
    private final Ikev2Responder r;
    /** Requests whose Diffie-Hellman is being computed: their retransmissions are not computed twice. */
    private final Set<Ikev2Responder.InitKey> computing = new HashSet<>();

    IkeSaInit(Ikev2Responder responder) {
        this.r = responder;
    }

    void request(InetSocketAddress peer, InetSocketAddress local, Ikev2Header h, byte[] m) throws Ikev2DecodeException {
        Ikev2Responder.InitKey key = new Ikev2Responder.InitKey(peer, h.initiatorSpi());
        Ikev2Sa known = r.byInitiator.get(key);
        if (known != null) {
            if (Arrays.equals(known.initRequest, m)) r.sendPlain(local, peer, known.initResponse); // section 2.1
            else r.drop(Ikev2DropReason.UNEXPECTED_MESSAGE, peer, "second IKE_SA_INIT for " + known.tag);
            return;
        }
        if (computing.contains(key)) {
            r.drop(Ikev2DropReason.CRYPTO_BUSY, peer, "IKE_SA_INIT again while its keys are computed");
            return;
        }
        List<Payload> payloads = Ikev2Codec.payloads(h.nextPayload(), m, Ikev2Header.LENGTH, m.length);
        Sa sa = null;
        Ke ke = null;
        Nonce ni = null;
        byte[] cookie = null;
        boolean fragmentation = false;
        boolean signatureHashes = false;
        for (Payload p : payloads) {
            switch (p) {
                case Sa s -> sa = sa == null ? s : sa;
                case Ke k -> ke = ke == null ? k : ke;
                case Nonce n -> ni = ni == null ? n : ni;
                case Notify n when n.notifyType() == NotifyType.COOKIE -> cookie = n.data();
                case Notify n when n.notifyType() == NotifyType.IKEV2_FRAGMENTATION_SUPPORTED -> fragmentation = true;
                case Notify n when n.notifyType() == NotifyType.SIGNATURE_HASH_ALGORITHMS -> signatureHashes = true;
                default -> {
                }
            }
        }
        if (sa == null || ke == null || ni == null) {
            throw new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, "IKE_SA_INIT without SA, KE or Ni");
        }
        long now = r.scheduler.nanoTime();
        // half-open: the SAs waiting for IKE_AUTH and those whose Diffie-Hellman is being computed
        if (r.halfOpen + computing.size() >= r.v2.cookieThreshold()) {
            if (cookie == null || !r.cookies.valid(cookie, ni.data(), peer.getAddress(), h.initiatorSpi(), now)) {
                // stateless: nothing is kept for a source that may be spoofed (section 2.6)
                r.metrics.cookieSent();
                r.drop(Ikev2DropReason.COOKIE_REQUIRED, peer, "half-open " + r.halfOpen);
                reply(local, peer, h, 0, List.of(Notify.of(NotifyType.COOKIE, r.cookies.make(ni.data(), peer.getAddress(), h.initiatorSpi(), now))));
                return;
            }
        }
        if (r.halfOpen + computing.size() >= r.settings.halfOpenLimit()) {
            r.drop(Ikev2DropReason.HALF_OPEN_LIMIT, peer, "half-open " + r.halfOpen);
            return;
        }
        Optional<Ikev2Proposals.IkeSuite> chosen = r.proposals.chooseIke(sa);
        if (chosen.isEmpty()) {
            r.metrics.failed(Ikev2Metrics.Failure.NO_PROPOSAL_CHOSEN);
            log.warn("peer={} ike_sa_init failed reason=no_proposal_chosen offered: {}", Ikev2Responder.address(peer), describe(sa));
            reply(local, peer, h, 0, List.of(Notify.of(NotifyType.NO_PROPOSAL_CHOSEN)));
            return;
        }
        Ikev2Proposals.IkeSuite suite = withPeersGroup(chosen.get(), sa, ke.group());
        if (ke.group() != suite.group().code()) {
            // section 1.2: the group we want, the client retries with it
            r.metrics.failed(Ikev2Metrics.Failure.INVALID_KE);
            log.info("peer={} ike_sa_init: KE of group {} , asking for {}", Ikev2Responder.address(peer), ke.group(), suite.group().label());
            reply(local, peer, h, 0, List.of(Notify.of(NotifyType.INVALID_KE_PAYLOAD,
                    new byte[] {(byte) (suite.group().code() >> 8), (byte) suite.group().code()})));
            return;
        }
        byte[] peerPublic = ke.data();
        DhGroup group = suite.group();
        byte[] nonceI = ni.data();
        boolean frag = fragmentation;
        boolean sigHashes = signatureHashes;
        computing.add(key);
        boolean accepted = r.crypto.submit(() -> DiffieHellman.agree(group, peerPublic), r.continuations, outcome -> {
            computing.remove(key);
            if (outcome.failure() != null) {
                r.metrics.failed(Ikev2Metrics.Failure.DH_FAILED);
                log.info("peer={} ike_sa_init failed reason=dh_failed {}", Ikev2Responder.address(peer), outcome.failure().getMessage());
                return;
            }
            DiffieHellman.Agreement agreement = outcome.value();
            establishKeys(peer, local, h, m, suite, nonceI, agreement, frag, sigHashes, key);
        });
        if (!accepted) {
            computing.remove(key);
            r.drop(Ikev2DropReason.CRYPTO_BUSY, peer, "crypto workers busy");
        }
    }

    /** DH done (on the loop again): the SA, its keys and our response. */
    private void establishKeys(InetSocketAddress peer, InetSocketAddress local, Ikev2Header h, byte[] request,
                               Ikev2Proposals.IkeSuite suite, byte[] ni, DiffieHellman.Agreement agreement,
                               boolean fragmentation, boolean signatureHashes, Ikev2Responder.InitKey key) {
        if (r.byInitiator.containsKey(key)) return;
        Ikev2Sa sa = new Ikev2Sa(h.initiatorSpi(), r.newSpi(), peer, local);
        sa.suite = suite;
        sa.ni = ni;
        sa.nr = new byte[NONCE_LENGTH];
        r.random.nextBytes(sa.nr);
        byte[] secret = agreement.sharedSecret();
        byte[] skeyseed = IkeSaKeys.skeyseed(suite.prf(), sa.ni, sa.nr, secret);
        Arrays.fill(secret, (byte) 0);
        sa.keys = IkeSaKeys.derive(suite.prf(), suite.integrity(), suite.cipher(), suite.keyBits(), skeyseed, sa.ni, sa.nr,
                sa.initiatorSpi, sa.responderSpi);
        Arrays.fill(skeyseed, (byte) 0);
        sa.protection = EncryptedPayloadProtection.Pair.responder(sa.keys, suite.cipher(), suite.keyBits(), suite.integrity(), r.random);
        sa.peerFragmentation = fragmentation && r.settings.fragmentation().enabled();
        sa.peerSignatureHashes = signatureHashes;
        List<Payload> out = new ArrayList<>();
        out.add(suite.reply(new byte[0]));
        out.add(new Ke(suite.group().code(), agreement.publicValue()));
        out.add(new Nonce(sa.nr));
        out.add(Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, natHash(sa.initiatorSpi, sa.responderSpi, local)));
        // never the hash of the client's address: it then believes itself behind a NAT and uses UDP/4500 (RFC 3948)
        byte[] decoy = new byte[20];
        r.random.nextBytes(decoy);
        out.add(Notify.of(NotifyType.NAT_DETECTION_DESTINATION_IP, decoy));
        if (r.settings.certificates().isPresent()) {
            out.add(Notify.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, AuthPayloads.supportedHashes()));
        }
        certificateRequest().ifPresent(out::add);
        if (sa.peerFragmentation) out.add(Notify.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
        Ikev2Header rh = new Ikev2Header(sa.initiatorSpi, sa.responderSpi, 0, ExchangeType.IKE_SA_INIT.code(),
                Ikev2Header.RESPONSE, 0, 0);
        sa.initRequest = request;
        sa.initResponse = Ikev2Codec.encode(rh, out);
        sa.expectedRequestId = 1;
        sa.lastResponseId = 0;
        r.add(sa);
        r.byInitiator.put(key, sa);
        sa.timer = r.scheduler.schedule(r.v2.authTimeout(), () -> {
            if (sa.halfOpen()) {
                r.metrics.failed(Ikev2Metrics.Failure.AUTH_TIMEOUT);
                log.info("{} ike sa not authenticated within {} peer={}", sa.tag, r.v2.authTimeout(), Ikev2Responder.address(sa.peer));
                r.tearDown(sa, EndCause.AUTH_TIMEOUT, "auth timeout");
            }
        });
        log.info("{} ike_sa_init peer={} {} fragmentation={}", sa.tag, Ikev2Responder.address(peer), suite.describe(),
                sa.peerFragmentation);
        r.sendPlain(local, peer, sa.initResponse);
    }

    /**
     * CERTREQ (RFC 7296 section 3.7) when clients may authenticate with certificates: the SHA-1 hashes of our trusted
     * CAs' public keys. Clients such as strongSwan's send their certificate only when asked.
     */
    private java.util.Optional<Payload.CertReq> certificateRequest() {
        if (!r.v2.clientAuth().contains(Ikev2Settings.ClientAuth.CERTIFICATE)) return java.util.Optional.empty();
        var anchors = r.settings.certificates().map(c -> c.trustAnchors()).orElse(List.of());
        if (anchors.isEmpty()) return java.util.Optional.empty();
        try {
            java.io.ByteArrayOutputStream hashes = new java.io.ByteArrayOutputStream();
            for (java.security.cert.X509Certificate ca : anchors) {
                hashes.writeBytes(MessageDigest.getInstance("SHA-1").digest(ca.getPublicKey().getEncoded()));
            }
            return java.util.Optional.of(new Payload.CertReq(Payload.Cert.X509_SIGNATURE, hashes.toByteArray()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chosen proposal with the KE payload's group when that proposal offers it and we accept it. */
    private Ikev2Proposals.IkeSuite withPeersGroup(Ikev2Proposals.IkeSuite suite, Sa sa, int keGroup) {
        DhGroup g = r.proposals.groupOf(keGroup);
        if (g == null) return suite;
        for (Payload.Proposal p : sa.proposals()) {
            if (p.number() != suite.number()) continue;
            for (Payload.Transform t : p.transforms()) {
                if (t.type() == Payload.Transform.DH && t.id() == keGroup) {
                    return new Ikev2Proposals.IkeSuite(suite.number(), suite.cipher(), suite.keyBits(), suite.prf(),
                            suite.integrity(), g);
                }
            }
        }
        return suite;
    }

    private void reply(InetSocketAddress local, InetSocketAddress peer, Ikev2Header h, long responderSpi, List<Payload> payloads) {
        Ikev2Header rh = new Ikev2Header(h.initiatorSpi(), responderSpi, 0, ExchangeType.IKE_SA_INIT.code(),
                Ikev2Header.RESPONSE, 0, 0);
        r.sendPlain(local, peer, Ikev2Codec.encode(rh, payloads));
    }

    /** NAT detection hash (section 2.23): SHA-1(SPIi | SPIr | IP | Port). */
    static byte[] natHash(long spii, long spir, InetSocketAddress a) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(ByteBuffer.allocate(16).putLong(spii).putLong(spir).array());
            sha1.update(a.getAddress().getAddress());
            sha1.update(new byte[] {(byte) (a.getPort() >> 8), (byte) a.getPort()});
            return sha1.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client's offer in strongSwan's notation, for the log of a failed choice. */
    static String describe(Sa sa) {
        StringBuilder b = new StringBuilder();
        for (Payload.Proposal p : sa.proposals()) {
            if (!b.isEmpty()) b.append(", ");
            b.append('#').append(p.number()).append(' ');
            for (Payload.Transform t : p.transforms()) {
                b.append(switch (t.type()) {
                    case Payload.Transform.ENCR -> "encr";
                    case Payload.Transform.PRF -> "prf";
                    case Payload.Transform.INTEG -> "integ";
                    case Payload.Transform.DH -> "dh";
                    default -> "t" + t.type();
                }).append(t.id()).append(t.keyBits() > 0 ? "/" + t.keyBits() : "").append(' ');
            }
        }
        return b.toString().trim();
    }
}
