package net.l2sec.dataplane.ikev2;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ike.message.Payload.Id;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;

/**
 * Checks an IKEv2 client that authenticates with a certificate (RFC 7296 sections 2.15, 3.5, 3.6): its chain
 * validates to our trusted CA ({@link PeerValidation}: PKIX, required issuer, revocation as configured), the
 * certificate vouches for the IDi it sent (the subject DN, or a subjectAltName of the IDi's type: RFC 4945 section
 * 3.1), and its key verifies the AUTH signature over the octets the client signed. CPU work: run on a crypto worker.
 */
final class ClientCertificate {
    private ClientCertificate() {
    }

    /** What the check found. */
    sealed interface Verdict {
        /**
         * @param user     the session's user name taken from the identity ({@link #userName})
         * @param evidence subject, issuer and serial, for the log
         */
        record Verified(X509Certificate certificate, String user, String evidence) implements Verdict {}

        record Refused(Ikev2Metrics.Failure failure, String why) implements Verdict {}
    }

    /**
     * @param certs  the bodies of the client's X.509 CERT payloads (its own first, then intermediates)
     * @param signed the octets the client's AUTH covers: IKE_SA_INIT request | Nr | prf(SK_pi, IDi')
     */
    static Verdict check(PeerValidation validation, List<byte[]> certs, Identification idi, Auth auth, byte[] signed) {
        if (certs.isEmpty()) {
            return new Verdict.Refused(Ikev2Metrics.Failure.CERTIFICATE_INVALID, "signature AUTH without an X.509 CERT payload");
        }
        if (certs.size() > PeerValidation.MAX_CHAIN) {
            return new Verdict.Refused(Ikev2Metrics.Failure.CERTIFICATE_INVALID, certs.size() + " certificates (at most "
                    + PeerValidation.MAX_CHAIN + ")");
        }
        List<X509Certificate> chain = new ArrayList<>(certs.size());
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] c : certs) chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(c)));
        } catch (CertificateException | RuntimeException e) {
            return new Verdict.Refused(Ikev2Metrics.Failure.CERTIFICATE_INVALID, "a CERT payload is not an X.509 certificate");
        }
        X509Certificate leaf;
        try {
            leaf = validation.validate(chain);
        } catch (PeerValidation.InvalidCertificate e) {
            return new Verdict.Refused(Ikev2Metrics.Failure.CERTIFICATE_INVALID, e.getMessage());
        }
        String who = "subject=\"" + leaf.getSubjectX500Principal() + "\"";
        // IKEv2 identification types share their codes with IKEv1's (RFC 7296 section 3.5)
        if (!validation.idMatches(new Id(idi.idType(), 0, 0, idi.data()), leaf)) {
            return new Verdict.Refused(Ikev2Metrics.Failure.CERTIFICATE_INVALID, who + " does not name the client's identity "
                    + IkeAuth.describe(idi));
        }
        if (!AuthPayloads.verify(leaf.getPublicKey(), auth, signed)) {
            return new Verdict.Refused(Ikev2Metrics.Failure.SIGNATURE_INVALID, who + ": AUTH method " + auth.method()
                    + " signature does not verify with the certificate's key");
        }
        String evidence = "certificate " + who + " issuer=\"" + leaf.getIssuerX500Principal() + "\" serial="
                + leaf.getSerialNumber().toString(16);
        return new Verdict.Verified(leaf, userName(idi), evidence);
    }

    /**
     * The user name an identity stands for: an e-mail address, FQDN or key ID as written, an address in text form,
     * and for a distinguished name its common name (what a directory knows the user by), else the whole DN.
     */
    static String userName(Identification id) {
        return switch (id.idType()) {
            case Identification.ID_RFC822_ADDR, Identification.ID_FQDN -> new String(id.data(), StandardCharsets.UTF_8);
            case Identification.ID_KEY_ID -> printable(id.data()) ? new String(id.data(), StandardCharsets.US_ASCII)
                    : HexFormat.of().formatHex(id.data());
            case Identification.ID_IPV4_ADDR, Identification.ID_IPV6_ADDR -> {
                try {
                    yield InetAddress.getByAddress(id.data()).getHostAddress();
                } catch (java.net.UnknownHostException e) {
                    yield HexFormat.of().formatHex(id.data());
                }
            }
            case Identification.ID_DER_ASN1_DN -> commonName(id.data());
            default -> HexFormat.of().formatHex(id.data());
        };
    }

    private static String commonName(byte[] der) {
        String dn;
        try {
            dn = new X500Principal(der).getName(X500Principal.RFC2253);
        } catch (IllegalArgumentException e) {
            return HexFormat.of().formatHex(der);
        }
        try {
            List<Rdn> rdns = new LdapName(dn).getRdns();
            // getRdns() runs opposite to the string: the most specific RDN (first in the string) is the last one
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) return String.valueOf(rdns.get(i).getValue());
            }
        } catch (InvalidNameException e) {
            // not an LDAP-style DN after all: the whole text
        }
        return dn;
    }

    private static boolean printable(byte[] b) {
        for (byte c : b) if (c < 0x20 || c > 0x7e) return false;
        return b.length > 0;
    }
}
