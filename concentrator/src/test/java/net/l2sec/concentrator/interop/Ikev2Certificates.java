package net.l2sec.concentrator.interop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.l2sec.concentrator.PrivateFiles;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * A throw-away PKI for the IKEv2 real-client tests, made with Bouncy Castle's ASN.1 classes and JCE signatures: a
 * CA and a server certificate for the names the client VM dials (it reaches the host as {@value #VM_SERVER_ADDRESS}:
 * subjectAltName IP:10.0.2.2 and DNS:{@value #DNS_NAME}), with the serverAuth extended key usage (Windows refuses a
 * server certificate without it) and the "IP security IKE intermediate" purpose beside it, in an RSA-2048 or an
 * ECDSA P-256 variant (the CA of the same kind).
 *
 * <p>{@link #write} fills a directory that serves all three users at once: {@code ca.crt} for {@code client.sh
 * --certs DIR} (the VM trusts it), {@code server.crt} and {@code server.key} for {@code reference-server.sh --certs DIR}
 * and for the concentrator's {@code ipsec.certificate} ({@code chain-file: server.crt}, {@code key-file: server.key};
 * the key in its algorithm's own form: PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}, mode 0600).
 */
final class Ikev2Certificates {
    /** The host's address as the VM sees it through slirp. */
    static final String VM_SERVER_ADDRESS = "10.0.2.2";
    static final String DNS_NAME = "vpn.example.test";
    /** RFC 4945 section 5.1.3.12 / Microsoft: "IP security IKE intermediate". */
    static final ASN1ObjectIdentifier IKE_INTERMEDIATE = new ASN1ObjectIdentifier("1.3.6.1.5.5.8.2.2");
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xffffffffL);

    /** The server key's kind (the CA's is the same). */
    enum KeyKind {
        RSA_2048, ECDSA_P256;

        KeyPair generate() throws GeneralSecurityException {
            if (this == RSA_2048) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        }
    }

    /** What {@link #write} made. */
    record Pki(Path dir, X509Certificate ca, X509Certificate server, PrivateKey serverKey, PrivateKey caKey) {
        Path caFile() {
            return dir.resolve("ca.crt");
        }

        Path chainFile() {
            return dir.resolve("server.crt");
        }

        Path keyFile() {
            return dir.resolve("server.key");
        }

        /** The concentrator's {@code ipsec.certificate} section for these files (no client CAs: EAP clients). */
        String certificateSection() {
            return """
                    certificate:
                      chain-file: %s
                      key-file: %s
                    """.formatted(chainFile(), keyFile());
        }

        /** The same with {@code ca-file}: client certificates issued by this CA are accepted (IKEv2 and IKEv1). */
        String certificateSectionTrustingClients() {
            return certificateSection() + "  ca-file: %s\n".formatted(caFile());
        }
    }

    private Ikev2Certificates() {}

    /** A new CA and server certificate of {@code kind} in {@code dir} (created if needed), valid from an hour ago. */
    static Pki write(Path dir, KeyKind kind) throws IOException, GeneralSecurityException {
        return write(dir, kind, "l2sec interop CA " + kind);
    }

    /** The same with the CA's common name {@code caName} (another CA than {@link #write(Path, KeyKind)}'s). */
    static Pki write(Path dir, KeyKind kind, String caCommonName) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Instant now = Instant.now();
        KeyPair caKeys = kind.generate();
        X500Name caName = new X500Name("C=CH, O=l2sec interop, CN=" + caCommonName);
        X509Certificate ca = issue(caName, caKeys.getPrivate(), caName, caKeys.getPublic(), true, List.of(), now,
                KeyPurposeId.id_kp_serverAuth);
        KeyPair serverKeys = kind.generate();
        X509Certificate server = issue(caName, caKeys.getPrivate(), new X500Name("C=CH, O=l2sec interop, CN=" + DNS_NAME),
                serverKeys.getPublic(), false, List.of(new GeneralName(GeneralName.iPAddress, VM_SERVER_ADDRESS),
                        new GeneralName(GeneralName.dNSName, DNS_NAME)), now, KeyPurposeId.id_kp_serverAuth);
        Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.getEncoded()));
        Files.writeString(dir.resolve("server.crt"), pem("CERTIFICATE", server.getEncoded()));
        PrivateFiles.write(dir.resolve("server.key"), pem(serverKeys.getPrivate() instanceof RSAPrivateKey
                ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", ownForm(serverKeys.getPrivate())));
        return new Pki(dir, ca, server, serverKeys.getPrivate(), caKeys.getPrivate());
    }

    /** A client certificate and its key, as files for a real client (strongSwan's {@code --cert} and {@code --rsa}). */
    record ClientCertificate(X509Certificate certificate, Path certificateFile, Path keyFile) {}

    /**
     * A client certificate issued by {@code pki}'s CA for the e-mail identity {@code email} (subject CN and
     * subjectAltName rfc822Name both {@code email}, the clientAuth extended key usage), with an RSA-2048 key (what
     * strongSwan's charon-cmd {@code --rsa} loads), written as {@code NAME.crt} and {@code NAME.key} (PKCS#1, mode
     * 0600) into {@code pki}'s directory; valid from an hour before {@code now} for seven days.
     */
    static ClientCertificate writeClient(Pki pki, String name, String email, Instant now)
            throws IOException, GeneralSecurityException {
        KeyPair keys = KeyKind.RSA_2048.generate();
        X509Certificate client = issue(X500Name.getInstance(pki.ca().getSubjectX500Principal().getEncoded()), pki.caKey(),
                new X500Name("C=CH, O=l2sec interop, CN=" + email), keys.getPublic(), false,
                List.of(new GeneralName(GeneralName.rfc822Name, email)), now, KeyPurposeId.id_kp_clientAuth);
        Path crt = pki.dir().resolve(name + ".crt");
        Path key = pki.dir().resolve(name + ".key");
        Files.writeString(crt, pem("CERTIFICATE", client.getEncoded()));
        PrivateFiles.write(key, pem("RSA PRIVATE KEY", ownForm(keys.getPrivate())));
        return new ClientCertificate(client, crt, key);
    }

    /**
     * PKCS#1 RSAPrivateKey, or SEC1 ECPrivateKey with its named curve (RFC 5915 section 3: the JCE's PKCS#8 keeps the
     * curve in the AlgorithmIdentifier and leaves it out of the inner key, which strongSwan and we would refuse).
     */
    private static byte[] ownForm(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            return new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(), ec.getS(),
                    info.getPrivateKeyAlgorithm().getParameters()).getEncoded(ASN1Encoding.DER);
        }
        return info.parsePrivateKey().toASN1Primitive().getEncoded(ASN1Encoding.DER);
    }

    private static X509Certificate issue(X500Name issuer, PrivateKey issuerKey, X500Name subject, PublicKey subjectKey,
                                         boolean ca, List<GeneralName> altNames, Instant now, KeyPurposeId purpose)
            throws IOException, GeneralSecurityException {
        boolean rsa = issuerKey instanceof RSAPrivateKey;
        AlgorithmIdentifier signature = rsa
                ? new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE)
                : new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
        V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
        tbs.setSerialNumber(new ASN1Integer(BigInteger.valueOf(SERIAL.incrementAndGet())));
        tbs.setIssuer(issuer);
        tbs.setSubject(subject);
        tbs.setStartDate(new Time(Date.from(now.minus(Duration.ofHours(1)))));
        tbs.setEndDate(new Time(Date.from(now.plus(Duration.ofDays(ca ? 30 : 7)))));
        tbs.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded()));
        tbs.setSignature(signature);
        ExtensionsGenerator x = new ExtensionsGenerator();
        x.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            x.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            x.addExtension(Extension.keyUsage, true, new KeyUsage(subjectKey.getAlgorithm().equals("RSA")
                    ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
            x.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                    purpose, KeyPurposeId.getInstance(IKE_INTERMEDIATE)}));
            x.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames.toArray(GeneralName[]::new)));
        }
        tbs.setExtensions(x.generate());
        TBSCertificate body = tbs.generateTBSCertificate();
        Signature signer = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSA");
        signer.initSign(issuerKey);
        signer.update(body.getEncoded(ASN1Encoding.DER));
        ASN1EncodableVector certificate = new ASN1EncodableVector();
        certificate.add(body);
        certificate.add(signature);
        certificate.add(new DERBitString(signer.sign()));
        byte[] der = new DERSequence(certificate).getEncoded(ASN1Encoding.DER);
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** Writes both variants for a manual run: {@code DIR/rsa} and {@code DIR/ecdsa}. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "ikev2-certs");
        for (KeyKind kind : KeyKind.values()) {
            Pki pki = write(dir.resolve(kind == KeyKind.RSA_2048 ? "rsa" : "ecdsa"), kind);
            System.out.println(kind + ": " + pki.dir() + " (ca.crt, server.crt, server.key)");
        }
    }
}
