package net.l2sec.dataplane.ike.auth;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Certificate authentication policy and credentials: our certificate for IKEv2 (RFC 7296 section 2.15, RSA or
 * ECDSA) and IKEv1 (auth method RSA signatures, RFC 2409 section 5.1), and the CAs client certificates must chain
 * to. IKEv1 can use it only with an RSA key and client CAs ({@link #servesIkev1()}); IKEv2 with EAP needs neither.
 *
 * @param chain          our certificate first, then the intermediates up to (not including) the root; all are sent
 *                       in CERT payloads (IKEv1 message 6, IKEv2 IKE_AUTH)
 * @param privateKey     the RSA or EC key of {@code chain.get(0)}
 * @param trustAnchors   CA certificates a peer's chain must end at (PKIX); their subjects go in our CR payloads;
 *                       empty: client certificates are not accepted (EAP or PSK clients only)
 * @param requiredIssuer if present, the issuer DN the peer's own certificate must carry (e.g. a dedicated client CA
 *                       below a shared root)
 * @param idRule         how the peer's ID payload must relate to its certificate
 * @param revocationChecking PKIX revocation checking (CRL/OCSP as the JDK does it); off by default: no fetcher here
 */
public record CertificateAuth(List<X509Certificate> chain, PrivateKey privateKey, List<X509Certificate> trustAnchors,
                              Optional<X500Principal> requiredIssuer, PeerIdRule idRule, boolean revocationChecking) {

    /** Which peer IDs a certificate vouches for. */
    public enum PeerIdRule {
        /** ID_DER_ASN1_DN equal to the subject DN, or ID_FQDN / ID_USER_FQDN / ID_IPV4_ADDR / ID_IPV6_ADDR in subjectAltName. */
        SUBJECT_OR_ALT_NAME,
        /** Only ID_DER_ASN1_DN equal to the subject DN. */
        SUBJECT_ONLY
    }

    public CertificateAuth {
        chain = List.copyOf(chain);
        trustAnchors = List.copyOf(trustAnchors);
        if (chain.isEmpty()) throw new IllegalArgumentException("certificate chain is empty");
        if (!(privateKey instanceof RSAPrivateKey) && !(privateKey instanceof ECPrivateKey)) {
            throw new IllegalArgumentException("only RSA and EC (ECDSA) keys are supported, not " + privateKey.getAlgorithm());
        }
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException("certificate " + chain.get(0).getSubjectX500Principal() + " has no "
                    + privateKey.getAlgorithm() + " key");
        }
    }

    /** Our key is RSA (else EC: ECDSA signatures, IKEv2 only). */
    public boolean rsa() {
        return privateKey instanceof RSAPrivateKey;
    }

    /**
     * Whether IKEv1 can authenticate with it: RSA signatures (auth method 3) need our RSA key and the CAs of the
     * clients' certificates. Otherwise IKEv1 offers the PSK only and the certificate serves IKEv2.
     */
    public boolean servesIkev1() {
        return rsa() && !trustAnchors.isEmpty();
    }

    /** The usual policy: subject or subjectAltName identities, any issuer below the trust anchors, no revocation. */
    public static CertificateAuth of(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trustAnchors) {
        return new CertificateAuth(chain, key, trustAnchors, Optional.empty(), PeerIdRule.SUBJECT_OR_ALT_NAME, false);
    }

    public CertificateAuth withRequiredIssuer(X500Principal issuer) {
        return new CertificateAuth(chain, privateKey, trustAnchors, Optional.of(issuer), idRule, revocationChecking);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        return "certs[subject=" + certificate().getSubjectX500Principal() + " key=" + (rsa() ? "rsa" : "ecdsa") + " cas=" + trustAnchors.stream()
                .map(c -> c.getSubjectX500Principal().getName()).toList() + requiredIssuer.map(i -> " issuer=" + i).orElse("")
                + " id=" + idRule + " revocation=" + revocationChecking + "]";
    }
}
