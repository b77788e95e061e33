package net.l2sec.dataplane.ike.auth;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.Payload;

/**
 * Checks a peer's certificates and identity against a {@link CertificateAuth} policy: PKIX path validation to the
 * trust anchors at the time of an injected clock, the required issuer, and the ID payload against the certificate.
 */
public final class PeerValidation {
    /** Certificates a peer may send: its own plus intermediates. */
    public static final int MAX_CHAIN = 8;

    private final CertificateAuth policy;
    private final Clock clock;
    private final Set<TrustAnchor> anchors = new HashSet<>();

    public PeerValidation(CertificateAuth policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
        for (X509Certificate ca : policy.trustAnchors()) anchors.add(new TrustAnchor(ca, null));
    }

    /** Why a chain was refused; the message names subjects and issuers only. */
    public static final class InvalidCertificate extends Exception {
        InvalidCertificate(String message) {
            super(message);
        }
    }

    /**
     * Validates {@code certs} (the peer's certificate first, intermediates in any order) and returns the peer's
     * certificate.
     */
    public X509Certificate validate(List<X509Certificate> certs) throws InvalidCertificate {
        if (certs.isEmpty()) throw new InvalidCertificate("no certificate");
        if (certs.size() > MAX_CHAIN) throw new InvalidCertificate(certs.size() + " certificates");
        X509Certificate leaf = certs.get(0);
        String who = "subject=\"" + leaf.getSubjectX500Principal() + "\" issuer=\"" + leaf.getIssuerX500Principal() + "\"";
        if (policy.requiredIssuer().isPresent() && !policy.requiredIssuer().get().equals(leaf.getIssuerX500Principal())) {
            throw new InvalidCertificate(who + ": issuer is not the required \"" + policy.requiredIssuer().get() + "\"");
        }
        try {
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(ordered(certs));
            PKIXParameters p = new PKIXParameters(anchors);
            p.setRevocationEnabled(policy.revocationChecking());
            p.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(path, p);
            return leaf;
        } catch (CertPathValidatorException e) {
            throw new InvalidCertificate(who + ": " + e.getMessage()
                    + (e.getReason() != null ? " (" + e.getReason() + ")" : ""));
        } catch (GeneralSecurityException e) {
            throw new InvalidCertificate(who + ": " + e.getMessage());
        }
    }

    /** The leaf, then each certificate's issuer among the rest (peers send intermediates in any order). */
    private static List<X509Certificate> ordered(List<X509Certificate> certs) {
        List<X509Certificate> rest = new ArrayList<>(certs.subList(1, certs.size()));
        List<X509Certificate> path = new ArrayList<>(List.of(certs.get(0)));
        while (!rest.isEmpty()) {
            X500Principal issuer = path.getLast().getIssuerX500Principal();
            X509Certificate next = rest.stream().filter(c -> c.getSubjectX500Principal().equals(issuer)
                    && !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).findFirst().orElse(null);
            if (next == null) break; // self-signed roots and unrelated extras stay out of the path
            path.add(next);
            rest.remove(next);
        }
        return path;
    }

    /** Whether {@code id} is an identity {@code cert} vouches for under the policy's {@link CertificateAuth.PeerIdRule}. */
    public boolean idMatches(Payload.Id id, X509Certificate cert) {
        if (IdType.of(id.idType()) == IdType.ID_DER_ASN1_DN) {
            try {
                return new X500Principal(id.data()).equals(cert.getSubjectX500Principal());
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (policy.idRule() == CertificateAuth.PeerIdRule.SUBJECT_ONLY) return false;
        int wanted = switch (IdType.of(id.idType())) {
            case ID_FQDN -> 2; // GeneralName dNSName
            case ID_USER_FQDN -> 1; // rfc822Name
            case ID_IPV4_ADDR, ID_IPV6_ADDR -> 7; // iPAddress
            case null, default -> -1;
        };
        if (wanted < 0) return false;
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) return false;
        for (List<?> n : names) {
            if (!(n.get(0) instanceof Integer type) || type != wanted || !(n.get(1) instanceof String value)) continue;
            if (wanted == 7) {
                try {
                    if (InetAddress.getByName(value).equals(InetAddress.getByAddress(id.data()))) return true;
                } catch (java.net.UnknownHostException e) {
                    // a malformed ID address never matches
                }
            } else if (value.equalsIgnoreCase(new String(id.data(), StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }
}
