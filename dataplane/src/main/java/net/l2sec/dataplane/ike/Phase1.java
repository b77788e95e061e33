package net.l2sec.dataplane.ike;

import java.io.ByteArrayInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ike.auth.RsaSignature;
import net.l2sec.dataplane.ike.message.CertEncoding;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.keymat.Phase1Keying;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * What Main Mode and Aggressive Mode share (as strongSwan's {@code phase1.c} for its two tasks): the choice of
 * proposal, the new SA with its half-open timeout, key derivation, our identity, checking the peer's
 * authentication and building ours (pre-shared key, RFC 2409 section 5.4; signatures, section 5.1), the SA's
 * establishment, and a failed phase 1: logged by the task this Phase1 serves, counted, told to the peer with an
 * unprotected notification where it helps, the SA deleted.
 */
final class Phase1 {
    /**
     * What we tell a peer whose certificate we refuse (missing, malformed, not chaining to our CAs, expired):
     * INVALID-CERTIFICATE (RFC 2408 section 3.14.1).
     */
    static final NotifyType CERTIFICATE_REFUSED = NotifyType.INVALID_CERTIFICATE;
    /** ID payloads of ours are for UDP port 500 (RFC 2407 section 4.6.2: protocol and port of ISAKMP). */
    private static final int UDP = 17;
    private static final int ISAKMP_PORT = 500;

    private final IkeContext ctx;
    private final Logger log;

    /** @param log the logger of the task this Phase1 serves: a phase 1's lines read as its exchange's */
    Phase1(IkeContext ctx, Logger log) {
        this.ctx = ctx;
        this.log = log;
    }

    // ---- message 1

    /** Message 1 lacks what it needs: counted, logged (within {@link ThrottledLog}'s limits), not answered. */
    void invalidMessage1(InetSocketAddress peer, String why) {
        ctx.throttled().info(log, "phase1 failed reason=invalid_payload (message 1)",
                "peer={} phase1 failed reason=invalid_payload ({})", IkeSa.text(peer), why);
        ctx.metrics().phase1Failed(FailureReason.INVALID_PAYLOAD);
    }

    /**
     * The transform chosen from message 1's SA payload, in the client's order. Aggressive Mode sends KE before the
     * choice, so its offer must be one proposal with one DH group, and pre-shared key transforms only (RFC 2409
     * section 5.4). Null when nothing is acceptable: counted, logged with the offer, NO-PROPOSAL-CHOSEN to the peer.
     */
    Phase1Proposal select(IsakmpHeader h, Payload.Sa sa, InetSocketAddress peer, InetSocketAddress local) {
        IkeSettings s = ctx.settings();
        Phase1Proposal chosen;
        if (h.exchangeType() == ExchangeType.AGGRESSIVE) {
            chosen = sa.proposals().size() == 1 && Phase1Proposal.oneGroup(sa) ? Phase1Proposal.selectPreSharedKey(sa, s) : null;
        } else {
            chosen = Phase1Proposal.select(sa, s);
        }
        if (chosen == null) {
            if (ctx.throttled().admit(log, Level.WARN, "phase1 failed reason=no_proposal_chosen")) {
                log.warn("peer={} phase1 failed reason=no_proposal_chosen{} offered: {}; allowed: {}", IkeSa.text(peer),
                        h.exchangeType() == ExchangeType.AGGRESSIVE ? " (aggressive mode)" : "",
                        Phase1Proposal.describeOffer(sa), Phase1Proposal.describeAllowed(s));
            }
            ctx.metrics().phase1Failed(FailureReason.NO_PROPOSAL_CHOSEN);
            ctx.out().sendUnprotectedNotify(peer, local, h.initiatorCookie(), ctx.sas().newCookie(),
                    NotifyType.NO_PROPOSAL_CHOSEN);
        }
        return chosen;
    }

    /**
     * The new SA of an Aggressive Mode's message 1, half-open in the table: it fails with {@code timeout} unless
     * phase 1 completes within the half-open timeout.
     */
    IkeSa create(IsakmpHeader h, Phase1Proposal chosen, PayloadChain chain, InetSocketAddress peer,
                 InetSocketAddress local) {
        IkeSa ike = new IkeSa(h.initiatorCookie(), ctx.sas().newCookie(), peer, local, ctx.scheduler().nanoTime(),
                h.exchangeType() == ExchangeType.AGGRESSIVE);
        ike.proposal = chosen;
        ike.saiB = chain.body(Payload.Sa.class);
        ctx.sas().add(ike);
        timeOutUnlessEstablished(ike);
        return ike;
    }

    /**
     * The SA of a Main Mode whose message 3 came ({@code entry} leaves the half-open table for it): it holds what
     * message 1 chose and announced, in state MM_SA_SENT for message 3 to move on, and must complete within the
     * half-open timeout counted from message 1. Null when the chosen transform is no longer allowed (the settings
     * were reloaded in between): counted {@code no_proposal_chosen} and told to the peer.
     */
    IkeSa continued(HalfOpenTable.Entry entry) throws IkeDecodeException {
        Phase1Proposal chosen = Phase1Proposal.at(entry.sa(), entry.chosen, ctx.settings());
        ctx.halfOpen().remove(entry);
        if (chosen == null) {
            ctx.throttled().warn(log, "phase1 failed reason=no_proposal_chosen (reloaded)",
                    "peer={} phase1 failed reason=no_proposal_chosen: the transform chosen in message 2 is no longer "
                    + "allowed (settings reloaded)", entry.peerText());
            ctx.metrics().phase1Failed(FailureReason.NO_PROPOSAL_CHOSEN);
            ctx.out().sendUnprotectedNotify(entry.peer, entry.local, entry.initiatorCookie, entry.responderCookie,
                    NotifyType.NO_PROPOSAL_CHOSEN);
            return null;
        }
        IkeSa ike = new IkeSa(entry.initiatorCookie, entry.responderCookie, ctx.sas().tagIdFor(entry.responderCookie),
                entry.peer, entry.local, entry.createdNanos, false);
        ike.proposal = chosen;
        ike.saiB = entry.saiB;
        IsakmpVendor.apply(ike, entry.announced, ctx.settings());
        ctx.sas().add(ike);
        timeOutUnlessEstablished(ike);
        return ike;
    }

    /** Phase 1 of {@code ike} fails with {@code timeout} unless it completes within the half-open timeout. */
    private void timeOutUnlessEstablished(IkeSa ike) {
        Duration timeout = ctx.settings().halfOpenTimeout();
        long left = ike.createdNanos + timeout.toNanos() - ctx.scheduler().nanoTime();
        ike.halfOpenTimer = ctx.scheduler().schedule(Duration.ofNanos(Math.max(0, left)), () -> {
            if (!ike.established()) failed(ike, FailureReason.TIMEOUT, "phase 1 not completed in " + timeout);
        });
    }

    // ---- keys and identities

    /**
     * Our DH half and the phase-1 keys from the peer's KE and nonce and ours (RFC 2409 section 5), with the
     * pre-shared key unless signatures authenticate, computed by a crypto worker; then, back on the event loop,
     * {@code next} with the SA holding them. A result for an SA that is gone by then (deleted, evicted, timed out)
     * is wiped and dropped; a KE that is not one of the group fails phase 1 ({@code invalid_ke}). False when the
     * workers are all busy and their queue full: counted {@code crypto_busy}, the SA unchanged, nothing computed.
     */
    boolean computeKeys(IkeSa ike, Payload.Ke ke, Payload.Nonce ni, Runnable next) {
        Phase1Keying keying = ike.keying(ke.data(), ni.data(), ctx.random(32),
                ike.proposal.signatures() ? null : preSharedKey());
        IkeSa.State waiting = ike.aggressive ? IkeSa.State.AM_KEYING : IkeSa.State.MM_KEYING;
        boolean accepted = ctx.crypto().submit(keying::compute, ctx.continuations(), outcome -> {
            if (ike.state() != waiting) {
                if (outcome.value() != null) outcome.value().keymat().wipe();
                log.debug("{} peer={} keys computed for an SA no longer waiting for them ({}): discarded", ike.tag,
                        ike.peerText(), ike.state());
                return;
            }
            if (outcome.failure() != null) {
                String why = outcome.failure() instanceof GeneralSecurityException e ? e.getMessage()
                        : outcome.failure().getClass().getSimpleName();
                failed(ike, FailureReason.INVALID_KE, "bad KE for " + ike.proposal.group().label() + ": " + why);
                return;
            }
            ike.keyed(keying, outcome.value());
            onLoop(ike, next);
        });
        if (!accepted) busy(ike);
        return accepted;
    }

    /** The configured PSK; without one no initiator can authenticate: a random key makes HASH_I fail as auth_failed. */
    private byte[] preSharedKey() {
        return ctx.settings().psk().orElseGet(() -> ctx.random(32));
    }

    /** Our ID payload: the configured local ID (IPv4 literal or FQDN), else our address as the peer reached it. */
    Payload.Id localId(IkeSa ike) {
        String configured = ctx.settings().localId().orElse(null);
        if (configured != null) {
            if (configured.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                try {
                    return new Payload.Id(IdType.ID_IPV4_ADDR, UDP, ISAKMP_PORT, InetAddress.getByName(configured).getAddress());
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new Payload.Id(IdType.ID_FQDN, UDP, ISAKMP_PORT, configured.getBytes(StandardCharsets.US_ASCII));
        }
        InetAddress a = ike.local.getAddress();
        return new Payload.Id(a instanceof Inet4Address ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR, UDP, ISAKMP_PORT,
                a.getAddress());
    }

    /** An identity as text for logs and INITIAL-CONTACT matching. */
    static String describe(Payload.Id id) {
        try {
            return switch (IdType.of(id.idType())) {
                case ID_IPV4_ADDR, ID_IPV6_ADDR -> InetAddress.getByAddress(id.data()).getHostAddress();
                case ID_FQDN, ID_USER_FQDN -> new String(id.data(), StandardCharsets.US_ASCII);
                case ID_DER_ASN1_DN -> dn(id.data());
                case null, default -> "type" + id.idType() + ":" + HexFormat.of().formatHex(id.data());
            };
        } catch (UnknownHostException e) {
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

    /** A payload's body as the hashes of RFC 2409 section 5 take it: without the generic payload header. */
    static byte[] body(Payload p) {
        byte[] e = IsakmpCodec.encodePayloads(List.of(p));
        return Arrays.copyOfRange(e, 4, e.length);
    }

    // ---- authentication

    /**
     * The peer's HASH_I (pre-shared key, RFC 2409 section 5.4) over the body of its ID payload, compared in constant
     * time; a mismatch fails phase 1 with INVALID-HASH-INFORMATION (RFC 2408 section 5.4).
     */
    boolean hashIValid(IkeSa ike, byte[] idiiB, Payload.Hash hash) {
        byte[] expected = ike.keymat.hashI(ike.gxi, ike.gxr, ike.saiB, idiiB);
        if (MessageDigest.isEqual(expected, hash.data())) return true;
        authFailed(ike, "HASH_I mismatch", NotifyType.INVALID_HASH_INFORMATION);
        return false;
    }

    /** Our HASH_R over the body of our ID payload {@code ours} (RFC 2409 section 5). */
    byte[] hashR(IkeSa ike, Payload.Id ours) {
        return ike.keymat.hashR(ike.gxi, ike.gxr, ike.saiB, body(ours));
    }

    /** Our IDir under signature authentication: our certificate's subject DN. */
    Payload.Id certificateId() {
        return new Payload.Id(IdType.ID_DER_ASN1_DN, UDP, ISAKMP_PORT,
                ctx.settings().ikev1Certificates().orElseThrow().certificate().getSubjectX500Principal().getEncoded());
    }

    /**
     * What a crypto worker needs to check the peer's signature authentication of message 5 and make ours (RFC 2409
     * section 5.1, {@link PeerSignature}): its ID, SIG and certificates, HASH_I, and HASH_R over {@code idr}; the
     * hashes are computed here, the keys never leave the event loop. Null when ID or SIG is missing (phase 1 failed,
     * reported).
     */
    PeerSignature signatureCheck(IkeSa ike, PayloadChain chain, Payload.Id idr) {
        Payload.Id id = chain.first(Payload.Id.class);
        Payload.Sig sig = chain.first(Payload.Sig.class);
        if (id == null || sig == null) {
            authFailed(ike, "message 5 without ID or SIG", NotifyType.AUTHENTICATION_FAILED);
            return null;
        }
        List<byte[]> certs = chain.all(Payload.Cert.class).stream()
                .filter(c -> CertEncoding.of(c.encoding()) == CertEncoding.X509_SIGNATURE)
                .limit(PeerValidation.MAX_CHAIN).map(Payload.Cert::data).toList();
        byte[] hashI = ike.keymat.hashI(ike.gxi, ike.gxr, ike.saiB, chain.body(Payload.Id.class));
        return new PeerSignature(certs, id, sig.data(), hashI, hashR(ike, idr), ctx.peerValidation(),
                ctx.settings().ikev1Certificates().orElseThrow());
    }

    /**
     * The signatures of {@code check} checked and ours made by a crypto worker; then, back on the event loop, {@code
     * next} when the peer is authenticated (logged here), or phase 1 failed with the reason the worker found. A
     * verdict for an SA that is gone by then is dropped. False when the workers are all busy and their queue full:
     * counted {@code crypto_busy}, the SA unchanged (message 5 again finds it as before).
     */
    boolean authenticate(IkeSa ike, PeerSignature check, Consumer<PeerSignature.Authenticated> next) {
        boolean accepted = ctx.crypto().submit(check::check, ctx.continuations(), outcome -> {
            if (ike.state() != IkeSa.State.MM_AUTHENTICATING) {
                log.debug("{} peer={} signatures checked for an SA no longer waiting for them ({}): discarded", ike.tag,
                        ike.peerText(), ike.state());
                return;
            }
            switch (outcome.value()) {
                case PeerSignature.Refused r -> failed(ike, r.reason(), r.why(), r.notification());
                case PeerSignature.Authenticated a -> {
                    log.info("{} peer={} authenticated by certificate {}", ike.tag, ike.peerText(), a.who());
                    onLoop(ike, () -> next.accept(a));
                }
                case null -> {
                    ctx.metrics().dropped(IkeDropReason.INTERNAL_ERROR);
                    ctx.throttled().warn(log, "dropped reason=internal_error", "{} peer={} dropped reason=internal_error: {}",
                            ike.tag, ike.peerText(), String.valueOf(outcome.failure()));
                    ctx.deletion().delete(ike, "internal_error", false, false);
                }
            }
        });
        if (!accepted) busy(ike);
        return accepted;
    }

    /** The rest of an exchange after a worker's result: a bug in it is counted and ends the SA, never the loop's task. */
    private void onLoop(IkeSa ike, Runnable next) {
        try {
            next.run();
        } catch (RuntimeException e) {
            ctx.metrics().dropped(IkeDropReason.INTERNAL_ERROR);
            ctx.throttled().warn(log, "dropped reason=internal_error", "{} peer={} dropped reason=internal_error: {}",
                    ike.tag, ike.peerText(), e.toString());
            ctx.deletion().delete(ike, "internal_error", false, false);
        }
    }

    private void busy(IkeSa ike) {
        ctx.metrics().dropped(IkeDropReason.CRYPTO_BUSY);
        ctx.throttled().warn(log, "dropped reason=crypto_busy", "{} peer={} dropped reason=crypto_busy: every crypto "
                + "worker busy and its queue full ({}); the client resends", ike.tag, ike.peerText(), ctx.crypto());
    }

    /** Our signature authentication (RFC 2409 section 5.1), SIG_R made by a worker: IDir, our chain, SIG_R. */
    List<Payload> signatureReply(Payload.Id idr, byte[] sigR) {
        List<Payload> reply = new ArrayList<>(List.of(idr));
        for (X509Certificate c : ctx.settings().ikev1Certificates().orElseThrow().chain()) {
            try {
                reply.add(new Payload.Cert(CertEncoding.X509_SIGNATURE, c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        reply.add(new Payload.Sig(sigR));
        return reply;
    }

    // ---- the end of phase 1

    /**
     * Phase 1 completed: the SA is established, its lifetime runs, DPD starts; with INITIAL-CONTACT the client's
     * older SAs end, else a second SA of the same client is its phase-1 rekey.
     */
    void established(IkeSa ike, boolean initialContact) {
        ike.establish();
        ctx.sas().established(ike);
        ike.halfOpenTimer.cancel();
        ctx.metrics().phase1Completed();
        log.info("{} peer={} phase1 up {} id={} nat-t={} dpd={} mode={}", ike.tag, ike.peerText(), ike.proposal.label(),
                ike.peerIdText, ike.natT, ike.peerDpd, ike.aggressive ? "aggressive" : "main");
        if (initialContact) {
            ctx.deletion().initialContact(ike);
        } else if (ctx.sas().sameClient(ike).findAny().isPresent()) {
            ctx.metrics().rekey(1);
        }
        ike.lifetimeTimer = ctx.scheduler().schedule(ike.proposal.lifetime(), () -> {
            log.info("{} peer={} phase1 expired after {}", ike.tag, ike.peerText(), ike.proposal.lifetime());
            ctx.deletion().delete(ike, "lifetime", true, true);
        });
        ctx.dpd().start(ike);
    }

    /** Authentication failed: the peer is told with {@code notify}, the SA deleted and counted. */
    void authFailed(IkeSa ike, String why, NotifyType notify) {
        failed(ike, FailureReason.AUTH_FAILED, why + (ike.proposal.signatures() ? "" : " (usually a pre-shared key mismatch)"),
                notify);
    }

    /**
     * Phase 1 failed for {@code reason}; the peer is told with an unprotected {@code notify}. Logged within
     * {@link ThrottledLog}'s limits: the peer is not authenticated.
     */
    void failed(IkeSa ike, FailureReason reason, String why, NotifyType notify) {
        ctx.throttled().warn(log, "phase1 failed reason=" + reason.tag(), "{} peer={} phase1 failed reason={}: {}",
                ike.tag, ike.peerText(), reason.tag(), why);
        ctx.out().sendUnprotectedNotify(ike.peer, ike.local, ike.initiatorCookie, ike.responderCookie, notify);
        end(ike, reason);
    }

    /** Phase 1 failed for {@code reason}, the peer not told; logged as above. */
    void failed(IkeSa ike, FailureReason reason, String why) {
        ctx.throttled().warn(log, "phase1 failed reason=" + reason.tag(), "{} peer={} phase1 failed reason={}: {}",
                ike.tag, ike.peerText(), reason.tag(), why);
        end(ike, reason);
    }

    private void end(IkeSa ike, FailureReason reason) {
        ctx.metrics().phase1Failed(reason);
        ctx.deletion().delete(ike, reason.tag(), false, false);
    }
}
