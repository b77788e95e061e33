package net.l2sec.dataplane.ikev2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtection;
import net.l2sec.dataplane.ikev2.keymat.IkeSaKeys;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Ke;
import net.l2sec.dataplane.ikev2.message.Payload.Nonce;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CREATE_CHILD_SA, responder side (RFC 7296 section 1.3): a child SA rekey (REKEY_SA names the pair, section
 * 1.3.3) or a new child SA, with PFS when the request carries a KE payload; or an IKE SA rekey (section 1.3.2),
 * whose new SA takes over the child SAs and the session under new SPIs and keys (SKEYSEED from the old SK_d,
 * section 2.18). The old pair or SA is deleted by the client with an INFORMATIONAL Delete, as the rekeying
 * initiator does (section 2.8); we keep using the old outbound SA until then and ESP sends through the newest.
 */
final class CreateChildSa {
    private static final Logger log = LoggerFactory.getLogger(Ikev2Responder.class);
    private final Ikev2Responder r;

    CreateChildSa(Ikev2Responder responder) {
        this.r = responder;
    }

    void request(Ikev2Sa sa, Ikev2Header h, List<Payload> in) {
        int mid = h.messageId();
        if (sa.state != Ikev2Sa.State.ESTABLISHED) {
            r.drop(Ikev2DropReason.UNEXPECTED_MESSAGE, sa.peer, sa.tag + " CREATE_CHILD_SA before IKE_AUTH completed");
            r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.INVALID_SYNTAX);
            return;
        }
        Sa proposal = null;
        Nonce ni = null;
        Ke ke = null;
        Integer rekeyed = null;
        TrafficSelectors tsi = null;
        TrafficSelectors tsr = null;
        for (Payload p : in) {
            switch (p) {
                case Sa s -> proposal = s;
                case Nonce n -> ni = n;
                case Ke k -> ke = k;
                case Notify n when n.notifyType() == NotifyType.REKEY_SA && n.spi().length == 4 -> rekeyed = ByteBuffer.wrap(n.spi()).getInt();
                case TrafficSelectors ts when ts.initiator() -> tsi = ts;
                case TrafficSelectors ts -> tsr = ts;
                default -> {
                }
            }
        }
        if (proposal == null || ni == null) {
            r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.INVALID_SYNTAX);
            return;
        }
        boolean ikeRekey = proposal.proposals().stream().anyMatch(p -> p.protocol() == Proposal.IKE);
        if (ikeRekey) {
            rekeyIke(sa, mid, proposal, ni.data(), ke);
        } else {
            child(sa, mid, proposal, ni.data(), ke, rekeyed, tsi, tsr);
        }
    }

    private void child(Ikev2Sa sa, int mid, Sa proposal, byte[] ni, Ke ke, Integer rekeyed, TrafficSelectors tsi,
                       TrafficSelectors tsr) {
        if (tsi == null || tsr == null) {
            r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.INVALID_SYNTAX);
            return;
        }
        if (rekeyed != null && sa.childByOutbound(rekeyed) == null) {
            // section 1.3.3: the pair is gone already (deleted, or rekeyed by us); the client forgets it
            log.info("{} rekey of unknown child sa spi={}", sa.tag, String.format("%08x", rekeyed));
            r.respond(sa, mid, ExchangeType.CREATE_CHILD_SA, List.of(new Notify(Proposal.ESP, ByteBuffer.allocate(4).putInt(rekeyed).array(),
                    NotifyType.CHILD_SA_NOT_FOUND, new byte[0])));
            return;
        }
        Optional<DhGroup> group = ke == null ? Optional.empty() : Optional.ofNullable(r.proposals.groupOf(ke.group()));
        if (ke != null && group.isEmpty()) {
            invalidKe(sa, mid, proposal, ExchangeType.CREATE_CHILD_SA);
            return;
        }
        Optional<Ikev2Proposals.ChildSuite> chosen = r.proposals.chooseChild(proposal, group);
        if (chosen.isEmpty()) {
            r.metrics.failed(Ikev2Metrics.Failure.CHILD_NO_PROPOSAL);
            log.warn("{} child sa rekey failed reason=no_proposal_chosen offered: {}", sa.tag, IkeSaInit.describe(proposal));
            r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.NO_PROPOSAL_CHOSEN);
            return;
        }
        Ikev2Proposals.ChildSuite suite = chosen.get();
        byte[] nr = nonce();
        if (ke == null) {
            finishChild(sa, mid, suite, ni, nr, null, null, rekeyed, tsi, tsr);
            return;
        }
        byte[] peerPublic = ke.data();
        sa.processing = true;
        boolean accepted = r.crypto.submit(() -> DiffieHellman.agree(group.get(), peerPublic), r.continuations, outcome -> {
            if (sa.state == Ikev2Sa.State.DEAD) return;
            if (outcome.failure() != null) {
                r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.INVALID_SYNTAX);
                return;
            }
            finishChild(sa, mid, suite, ni, nr, outcome.value(), group.get(), rekeyed, tsi, tsr);
        });
        if (!accepted) {
            sa.processing = false;
            r.drop(Ikev2DropReason.CRYPTO_BUSY, sa.peer, sa.tag + " CREATE_CHILD_SA");
        }
    }

    private void finishChild(Ikev2Sa sa, int mid, Ikev2Proposals.ChildSuite suite, byte[] ni, byte[] nr,
                             DiffieHellman.Agreement dh, DhGroup group, Integer rekeyed, TrafficSelectors tsi,
                             TrafficSelectors tsr) {
        int ourSpi = IkeAuth.newChildSpi();
        byte[] secret = dh == null ? null : dh.sharedSecret();
        IkeAuth.installChild(r, sa, suite, ourSpi, secret, ni, nr, false);
        if (secret != null) Arrays.fill(secret, (byte) 0);
        List<Payload> out = new ArrayList<>();
        out.add(suite.reply(IkeAuth.spiBytes(ourSpi)));
        out.add(new Nonce(nr));
        if (dh != null) out.add(new Ke(group.code(), dh.publicValue()));
        out.add(tsi);
        out.add(tsr);
        r.respond(sa, mid, ExchangeType.CREATE_CHILD_SA, out);
        r.metrics.rekeyed("child");
        log.info("{} child_sa {} spi-in={} {}", sa.tag, rekeyed != null ? "rekeyed old-spi-out=" + String.format("%08x", rekeyed) : "added",
                String.format("%08x", ourSpi), suite.describe());
    }

    /** Section 1.3.2: a new IKE SA with the client's new SPI and ours; children and session move to it. */
    private void rekeyIke(Ikev2Sa sa, int mid, Sa proposal, byte[] ni, Ke ke) {
        Optional<Ikev2Proposals.IkeSuite> chosen = r.proposals.chooseIke(proposal);
        if (chosen.isEmpty()) {
            r.metrics.failed(Ikev2Metrics.Failure.NO_PROPOSAL_CHOSEN);
            log.warn("{} ike sa rekey failed reason=no_proposal_chosen offered: {}", sa.tag, IkeSaInit.describe(proposal));
            r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.NO_PROPOSAL_CHOSEN);
            return;
        }
        if (ke == null || r.proposals.groupOf(ke.group()) == null) {
            invalidKe(sa, mid, proposal, ExchangeType.CREATE_CHILD_SA);
            return;
        }
        DhGroup group = r.proposals.groupOf(ke.group());
        Ikev2Proposals.IkeSuite base = chosen.get();
        Ikev2Proposals.IkeSuite suite = new Ikev2Proposals.IkeSuite(base.number(), base.cipher(), base.keyBits(), base.prf(),
                base.integrity(), group);
        byte[] peerSpiBytes = proposal.proposals().stream().filter(p -> p.number() == suite.number()).findFirst()
                .map(Proposal::spi).orElse(new byte[0]);
        if (peerSpiBytes.length != 8) {
            r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.INVALID_SYNTAX);
            return;
        }
        long newInitiatorSpi = ByteBuffer.wrap(peerSpiBytes).getLong();
        byte[] peerPublic = ke.data();
        sa.processing = true;
        boolean accepted = r.crypto.submit(() -> DiffieHellman.agree(group, peerPublic), r.continuations, outcome -> {
            if (sa.state == Ikev2Sa.State.DEAD) return;
            if (outcome.failure() != null) {
                r.respondError(sa, mid, ExchangeType.CREATE_CHILD_SA, NotifyType.INVALID_SYNTAX);
                return;
            }
            finishIkeRekey(sa, mid, suite, newInitiatorSpi, ni, outcome.value());
        });
        if (!accepted) {
            sa.processing = false;
            r.drop(Ikev2DropReason.CRYPTO_BUSY, sa.peer, sa.tag + " IKE SA rekey");
        }
    }

    private void finishIkeRekey(Ikev2Sa old, int mid, Ikev2Proposals.IkeSuite suite, long newInitiatorSpi, byte[] ni,
                                DiffieHellman.Agreement dh) {
        Ikev2Sa next = new Ikev2Sa(newInitiatorSpi, r.newSpi(), old.peer, old.local, old.tag, false);
        replace(old, next, suite, ni, nonce(), dh.sharedSecret());
        List<Payload> out = List.of(suite.reply(ByteBuffer.allocate(8).putLong(next.responderSpi).array()), new Nonce(next.nr),
                new Ke(suite.group().code(), dh.publicValue()));
        r.respond(old, mid, ExchangeType.CREATE_CHILD_SA, out);
        r.metrics.rekeyed("ike");
        log.info("{} ike_sa rekeyed spi {} -> {} {}", old.tag, String.format("%016x", old.responderSpi),
                String.format("%016x", next.responderSpi), suite.describe());
        // the client deletes the old SA now; if it does not, it expires on its own
        old.timer = r.scheduler.schedule(Ikev2Responder.RETRANSMIT_INITIAL.multipliedBy(30),
                () -> r.tearDown(old, net.l2sec.spi.session.EndCause.PEER_REQUEST, "replaced by rekey"));
    }

    /**
     * {@code next} replaces {@code old} (section 2.18): keyed from the old SK_d and the new shared secret (wiped
     * here) with the rekey's nonces ({@code ni} the rekey initiator's), protected in the role {@code next} gives
     * us, carrying the old SA's children and session, registered and timed.
     */
    private void replace(Ikev2Sa old, Ikev2Sa next, Ikev2Proposals.IkeSuite suite, byte[] ni, byte[] nr, byte[] secret) {
        next.suite = suite;
        next.ni = ni;
        next.nr = nr;
        byte[] skeyseed = IkeSaKeys.rekeySkeyseed(old.keys.prf(), old.keys.skD(), secret, ni, nr);
        Arrays.fill(secret, (byte) 0);
        next.keys = IkeSaKeys.derive(suite.prf(), suite.integrity(), suite.cipher(), suite.keyBits(), skeyseed, ni, nr,
                next.initiatorSpi, next.responderSpi);
        Arrays.fill(skeyseed, (byte) 0);
        next.protection = next.weInitiated
                ? EncryptedPayloadProtection.Pair.initiator(next.keys, suite.cipher(), suite.keyBits(), suite.integrity(), r.random)
                : EncryptedPayloadProtection.Pair.responder(next.keys, suite.cipher(), suite.keyBits(), suite.integrity(), r.random);
        handOver(old, next);
        r.add(next);
        r.lifetimes(next);
        r.liveness(next);
    }

    /** The new IKE SA takes over what the old one carried (section 2.18); its message IDs start at 0. */
    private void handOver(Ikev2Sa old, Ikev2Sa next) {
        next.state = Ikev2Sa.State.ESTABLISHED;
        next.peerFragmentation = old.peerFragmentation;
        next.peerSignatureHashes = old.peerSignatureHashes;
        next.peerMobike = old.peerMobike;
        next.idi = old.idi;
        next.idr = old.idr;
        next.accepted = old.accepted;
        next.context = old.context;
        next.client = old.client;
        next.authMethod = old.authMethod;
        next.session = old.session;
        next.children.addAll(old.children);
        next.lastInboundNanos = r.scheduler.coarseNanoTime();
        next.expectedRequestId = 0;
        old.handedOver = true;
        old.session = null;
        old.children.clear();
        next.ourSelectors = old.ourSelectors;
        next.clientSelectors = old.clientSelectors;
    }

    // --- rekeys we initiate (section 1.3.2 and 1.3.3, either side may rekey) ------------------------------------

    /**
     * Rekeys {@code sa} before its lifetime ends: CREATE_CHILD_SA with a new IKE proposal (our SPI), our nonce and
     * KE; the response's SPI, nonce and KE give the new SA, which we are the original initiator of. We then delete
     * the old SA.
     */
    void initiateIkeRekey(Ikev2Sa sa) {
        if (sa.state != Ikev2Sa.State.ESTABLISHED || sa.handedOver || sa.rekeying || sa.outstandingOwnRequest >= 0) return;
        sa.rekeying = true;
        Ikev2Proposals.IkeSuite suite = sa.suite;
        long ourNewSpi = r.newSpi();
        byte[] ni = nonce();
        boolean accepted = r.crypto.submit(() -> DiffieHellman.generate(suite.group()), r.continuations, generated -> {
            if (sa.state != Ikev2Sa.State.ESTABLISHED || generated.failure() != null) {
                sa.rekeying = false;
                return;
            }
            DiffieHellman dh = generated.value();
            List<Payload> request = List.of(suite.reply(ByteBuffer.allocate(8).putLong(ourNewSpi).array()), new Nonce(ni),
                    new Ke(suite.group().code(), dh.publicValue()));
            log.info("{} ike_sa rekey initiated", sa.tag);
            r.sendRequest(sa, ExchangeType.CREATE_CHILD_SA, request, response -> ikeRekeyAnswered(sa, suite, ourNewSpi, ni, dh, response),
                    () -> {
                        sa.rekeying = false;
                        log.info("{} ike sa rekey unanswered: peer gone", sa.tag);
                        r.tearDown(sa, net.l2sec.spi.session.EndCause.TRANSPORT_DOWN, "rekey unanswered");
                    });
        });
        if (!accepted) sa.rekeying = false; // tried again at the next liveness round or lifetime check
    }

    private void ikeRekeyAnswered(Ikev2Sa old, Ikev2Proposals.IkeSuite suite, long ourNewSpi, byte[] ni, DiffieHellman dh,
                                  List<Payload> response) {
        old.rekeying = false;
        Sa sa = null;
        Nonce nr = null;
        Ke ke = null;
        for (Payload p : response) {
            switch (p) {
                case Sa s -> sa = s;
                case Nonce n -> nr = n;
                case Ke k -> ke = k;
                default -> {
                }
            }
        }
        if (sa == null || nr == null || ke == null || sa.proposals().size() != 1 || sa.proposals().getFirst().spi().length != 8
                || ke.group() != suite.group().code()) {
            log.warn("{} ike sa rekey refused by peer: {}", old.tag, response);
            return;
        }
        long peerNewSpi = ByteBuffer.wrap(sa.proposals().getFirst().spi()).getLong();
        byte[] secret;
        try {
            secret = dh.sharedSecret(ke.data());
        } catch (java.security.GeneralSecurityException e) {
            log.warn("{} ike sa rekey: peer's KE invalid: {}", old.tag, e.getMessage());
            return;
        }
        Ikev2Sa next = new Ikev2Sa(ourNewSpi, peerNewSpi, old.peer, old.local, old.tag, true);
        replace(old, next, suite, ni, nr.data(), secret);
        r.metrics.rekeyed("ike");
        log.info("{} ike_sa rekeyed by us spi {} -> {}", old.tag, String.format("%016x", old.ourSpi()), String.format("%016x", ourNewSpi));
        // section 2.8: the rekey's initiator deletes the old SA
        r.sendRequest(old, ExchangeType.INFORMATIONAL, List.of(new Payload.Delete(Proposal.IKE, 0, List.of())),
                answer -> r.tearDown(old, net.l2sec.spi.session.EndCause.PEER_REQUEST, "replaced by our rekey"),
                () -> r.tearDown(old, net.l2sec.spi.session.EndCause.PEER_REQUEST, "replaced by our rekey (delete unanswered)"));
    }

    /**
     * Rekeys the child pair {@code inboundSpi} whose soft lifetime passed (section 1.3.3): REKEY_SA with our old
     * inbound SPI, the pair's suite with a new SPI of ours, our nonce and the selectors IKE_AUTH agreed; the new pair
     * goes in when the client answers, the old one goes with a Delete.
     */
    void initiateChildRekey(Ikev2Sa sa, int inboundSpi) {
        Ikev2Sa.Child old = sa.child(inboundSpi);
        if (old == null || sa.state != Ikev2Sa.State.ESTABLISHED || sa.rekeying || sa.outstandingOwnRequest >= 0
                || sa.ourSelectors == null) {
            return;
        }
        sa.rekeying = true;
        int ourSpi = IkeAuth.newChildSpi();
        byte[] ni = nonce();
        Ikev2Proposals.ChildSuite offered = new Ikev2Proposals.ChildSuite(old.suite().number(), IkeAuth.spiBytes(ourSpi),
                old.suite().cipher(), old.suite().keyBits(), old.suite().integrity(), Optional.empty());
        List<Payload> request = List.of(new Notify(Proposal.ESP, IkeAuth.spiBytes(inboundSpi), NotifyType.REKEY_SA, new byte[0]),
                offered.reply(IkeAuth.spiBytes(ourSpi)), new Nonce(ni),
                new TrafficSelectors(true, sa.ourSelectors.selectors()), new TrafficSelectors(false, sa.clientSelectors.selectors()));
        log.info("{} child_sa rekey initiated spi-in={}", sa.tag, String.format("%08x", inboundSpi));
        r.sendRequest(sa, ExchangeType.CREATE_CHILD_SA, request, response -> {
            sa.rekeying = false;
            Sa chosen = null;
            Nonce nr = null;
            for (Payload p : response) {
                if (p instanceof Sa s) chosen = s;
                if (p instanceof Nonce n) nr = n;
            }
            if (chosen == null || nr == null || chosen.proposals().size() != 1 || chosen.proposals().getFirst().spi().length != 4) {
                log.warn("{} child sa rekey refused by peer: {}", sa.tag, response);
                return;
            }
            Ikev2Proposals.ChildSuite suite = new Ikev2Proposals.ChildSuite(old.suite().number(), chosen.proposals().getFirst().spi(),
                    old.suite().cipher(), old.suite().keyBits(), old.suite().integrity(), Optional.empty());
            IkeAuth.installChild(r, sa, suite, ourSpi, null, ni, nr.data(), true);
            r.metrics.rekeyed("child");
            log.info("{} child_sa rekeyed by us spi-in={} old-spi-in={}", sa.tag, String.format("%08x", ourSpi),
                    String.format("%08x", inboundSpi));
            r.sendRequest(sa, ExchangeType.INFORMATIONAL, List.of(new Payload.Delete(Proposal.ESP, 4, List.of(IkeAuth.spiBytes(inboundSpi)))),
                    answer -> {
                        sa.children.remove(old);
                        r.childSas.remove(inboundSpi, "rekeyed");
                    }, () -> r.tearDown(sa, net.l2sec.spi.session.EndCause.TRANSPORT_DOWN, "delete unanswered"));
        }, () -> {
            sa.rekeying = false;
            r.tearDown(sa, net.l2sec.spi.session.EndCause.TRANSPORT_DOWN, "child rekey unanswered");
        });
    }

    private void invalidKe(Ikev2Sa sa, int mid, Sa proposal, ExchangeType exchange) {
        Optional<DhGroup> wanted = r.proposals.preferredGroup(proposal);
        if (wanted.isEmpty()) {
            r.respondError(sa, mid, exchange, NotifyType.NO_PROPOSAL_CHOSEN);
            return;
        }
        int g = wanted.get().code();
        r.respond(sa, mid, exchange, List.of(Notify.of(NotifyType.INVALID_KE_PAYLOAD, new byte[] {(byte) (g >> 8), (byte) g})));
    }

    private byte[] nonce() {
        byte[] n = new byte[IkeSaInit.NONCE_LENGTH];
        r.random.nextBytes(n);
        return n;
    }
}
