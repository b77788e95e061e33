package net.l2sec.concentrator.config;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PemFiles;

/**
 * Reads {@code ipsec.certificate}: our chain and key (RSA or EC), the CAs clients' certificates must chain to (optional:
 * without them no client certificate is accepted, which suits IKEv2 with EAP or PSK), the ID rule. IKEv1 uses the
 * certificate only with an RSA key and client CAs ({@code CertificateAuth.servesIkev1}).
 */
final class CertificateConfigReader {
    private CertificateConfigReader() {}

    /** Empty when the section is absent or one of its files cannot be used (a problem is recorded then). */
    static Optional<CertificateAuth> read(ConfigNode ipsec) {
        if (!ipsec.has("certificate")) {
            ipsec.section("certificate");
            return Optional.empty();
        }
        ConfigNode c = ipsec.section("certificate");
        Optional<Path> chainFile = c.path("chain-file");
        Optional<Path> keyFile = c.path("key-file");
        Optional<Path> caFile = c.path("ca-file");
        String idRule = c.string("peer-id", "subject-or-alt-name");
        Optional<String> issuer = c.optionalString("required-issuer");
        if (chainFile.isEmpty()) c.problem("chain-file", "is required: our certificate (PEM), then any intermediates");
        if (keyFile.isEmpty()) {
            c.problem("key-file", "is required: our unencrypted RSA or EC private key (PEM: PKCS#8, PKCS#1 or SEC1)");
        }
        CertificateAuth.PeerIdRule rule = switch (idRule) {
            case "subject-or-alt-name" -> CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME;
            case "subject-only" -> CertificateAuth.PeerIdRule.SUBJECT_ONLY;
            default -> {
                c.problem("peer-id", "must be subject-or-alt-name or subject-only");
                yield CertificateAuth.PeerIdRule.SUBJECT_OR_ALT_NAME;
            }
        };
        if (chainFile.isEmpty() || keyFile.isEmpty()) return Optional.empty();
        List<X509Certificate> chain = certificates(c, "chain-file", chainFile.get());
        PrivateKey key = null;
        try {
            key = PemFiles.privateKey(keyFile.get());
        } catch (IOException | RuntimeException e) {
            c.problem("key-file", e.getMessage());
        }
        List<X509Certificate> cas = caFile.isPresent() ? certificates(c, "ca-file", caFile.get()) : List.of();
        if (chain == null || key == null || cas == null) return Optional.empty();
        if (!(key instanceof RSAPrivateKey) && !(key instanceof ECPrivateKey)) {
            c.problem("key-file", "is a " + key.getAlgorithm() + " key: only RSA and EC (ECDSA) keys are supported");
            return Optional.empty();
        }
        if (chain.isEmpty() || !belongTogether(key, chain.getFirst().getPublicKey())) {
            c.problem("key-file", "does not belong to the first certificate of " + chainFile.get());
            return Optional.empty();
        }
        try {
            CertificateAuth auth = new CertificateAuth(chain, key, cas, Optional.empty(), rule, false);
            if (issuer.isPresent()) auth = auth.withRequiredIssuer(new X500Principal(issuer.get()));
            return Optional.of(auth);
        } catch (IllegalArgumentException e) {
            c.problem(issuer.isPresent() ? "required-issuer" : "chain-file", e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether {@code key} signs what {@code certified} verifies: the key pair of the certificate, RSA or EC. */
    private static boolean belongTogether(PrivateKey key, PublicKey certified) {
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) return false;
        String algorithm = key instanceof RSAPrivateKey ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] probe = "l2sec key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signer.sign());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The certificates in {@code file}, or null with a problem on {@code key}. */
    private static List<X509Certificate> certificates(ConfigNode c, String key, Path file) {
        try {
            return PemFiles.certificates(file);
        } catch (IOException | RuntimeException e) {
            c.problem(key, e.getMessage());
            return null;
        }
    }
}
