package net.l2sec.dataplane.ike;

import java.io.ByteArrayInputStream;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ike.auth.RsaSignature;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;

/**
 * Signature authentication of Main Mode message 5 (RFC 2409 section 5.1), the part a crypto worker does: the
 * peer's certificate from its CERT payloads must validate to our trust anchors, vouch for its ID payload and verify
 * SIG_I over HASH_I; then our SIG_R over HASH_R. HASH_I and HASH_R are computed on the event loop beforehand (the
 * keys stay there); the worker sees hashes, certificates, the policy and our private key, never the SA.
 *
 * @param certs the bodies of the peer's X.509 CERT payloads (at most {@link PeerValidation#MAX_CHAIN})
 * @param hashI what the peer's SIG_I must sign
 * @param hashR what our SIG_R signs
 */
record PeerSignature(List<byte[]> certs, Payload.Id id, byte[] sigI, byte[] hashI, byte[] hashR,
                     PeerValidation validation, CertificateAuth ours) {

    /** The outcome: authenticated with our SIG_R, or refused and why. */
    sealed interface Verdict {
    }

    /** @param who the peer's certificate, as logged */
    record Authenticated(String who, byte[] sigR) implements Verdict {
    }

    record Refused(FailureReason reason, String why, NotifyType notification) implements Verdict {
    }

    /** Runs on a crypto worker: nothing but this record's values. */
    Verdict check() {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (byte[] der : certs) chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        } catch (CertificateException e) {
            return new Refused(FailureReason.CERT_INVALID, "malformed CERT payload: " + e.getMessage(), Phase1.CERTIFICATE_REFUSED);
        }
        if (chain.isEmpty()) {
            return new Refused(FailureReason.CERT_INVALID, "no X.509 CERT payload (we know no peer certificates otherwise)",
                    Phase1.CERTIFICATE_REFUSED);
        }
        X509Certificate cert;
        try {
            cert = validation.validate(chain);
        } catch (PeerValidation.InvalidCertificate e) {
            return new Refused(FailureReason.CERT_INVALID, e.getMessage(), Phase1.CERTIFICATE_REFUSED);
        }
        String who = "subject=\"" + cert.getSubjectX500Principal() + "\" issuer=\"" + cert.getIssuerX500Principal() + "\"";
        if (!validation.idMatches(id, cert)) {
            return new Refused(FailureReason.ID_MISMATCH, "ID " + Phase1.describe(id) + " is not an identity of " + who
                    + " (rule " + ours.idRule() + ")", NotifyType.AUTHENTICATION_FAILED);
        }
        if (!RsaSignature.verify(cert.getPublicKey(), hashI, sigI)) {
            return new Refused(FailureReason.AUTH_FAILED, "SIG_I does not verify with the key of " + who,
                    NotifyType.INVALID_SIGNATURE);
        }
        PrivateKey key = ours.privateKey();
        return new Authenticated(who, RsaSignature.sign(key, hashR));
    }

    /** Never the hashes or the key: this may reach a log line. */
    @Override
    public String toString() {
        return "PeerSignature[" + certs.size() + " certificates]";
    }
}
