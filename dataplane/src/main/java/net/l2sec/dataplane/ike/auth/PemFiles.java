package net.l2sec.dataplane.ike.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Loads certificate credentials from PEM files: a certificate chain (ours first), an unencrypted RSA or EC private
 * key (PKCS#8 {@code PRIVATE KEY} with either, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}, as
 * strongSwan's {@code pki} and OpenSSL write them), and a CA bundle. Every error names the file; no key material
 * ever appears in a message.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemFiles() {
    }

    /** Our chain, private key and trust anchors, with the default policy of {@link CertificateAuth#of}. */
    public static CertificateAuth load(Path chainPem, Path keyPem, Path caBundlePem) throws IOException {
        List<X509Certificate> chain = certificates(chainPem);
        PrivateKey key = privateKey(keyPem);
        List<X509Certificate> cas = certificates(caBundlePem);
        try {
            return CertificateAuth.of(chain, key, cas);
        } catch (IllegalArgumentException e) {
            throw new IOException(chainPem + " / " + keyPem + " / " + caBundlePem + ": " + e.getMessage(), e);
        }
    }

    /** Every CERTIFICATE block of {@code file}, in file order; at least one. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(file)) {
                if (!b.label().equals("CERTIFICATE")) continue;
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a valid X.509 certificate (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) throw new IOException(file + ": no CERTIFICATE block");
        return out;
    }

    /** The first private key block of {@code file}: PKCS#8 (RSA or EC), PKCS#1 RSA or SEC1 EC, unencrypted. */
    public static PrivateKey privateKey(Path file) throws IOException {
        for (Block b : blocks(file)) {
            byte[] pkcs8 = switch (b.label()) {
                case "PRIVATE KEY" -> b.der();
                case "RSA PRIVATE KEY" -> pkcs8OfPkcs1(b.der());
                case "EC PRIVATE KEY" -> pkcs8OfSec1(file, b.der());
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + ": encrypted private keys are not supported");
                default -> null;
            };
            if (pkcs8 == null) continue;
            try {
                String algorithm = keyAlgorithm(file, pkcs8);
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                throw new IOException(file + ": not a valid RSA or EC private key (" + e.getClass().getSimpleName() + ")");
            } finally {
                Arrays.fill(pkcs8, (byte) 0);
                Arrays.fill(b.der(), (byte) 0);
            }
        }
        throw new IOException(file + ": no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    /** The JCE algorithm of a PKCS#8 PrivateKeyInfo by its AlgorithmIdentifier (RFC 5208 section 5): RSA or EC. */
    private static String keyAlgorithm(Path file, byte[] pkcs8) throws IOException {
        String oid;
        try {
            oid = PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm().getAlgorithm().getId();
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a PKCS#8 private key (" + e.getClass().getSimpleName() + ")");
        }
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption.getId())) return "RSA";
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey.getId())) return "EC";
        throw new IOException(file + ": a private key of algorithm " + oid + "; only RSA and EC (ECDSA) keys are supported");
    }

    /**
     * Wraps a SEC1 ECPrivateKey (RFC 5915 section 3) in a PKCS#8 PrivateKeyInfo: AlgorithmIdentifier {
     * id-ecPublicKey, the named curve from the key's own parameters } (RFC 5480 section 2.1.1), OCTET STRING key.
     */
    private static byte[] pkcs8OfSec1(Path file, byte[] sec1) throws IOException {
        try {
            org.bouncycastle.asn1.sec.ECPrivateKey key = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(sec1);
            org.bouncycastle.asn1.ASN1Object curve = key.getParametersObject();
            if (!(curve instanceof ASN1ObjectIdentifier)) {
                throw new IOException(file + ": EC PRIVATE KEY without a named curve (write it with its parameters, "
                        + "e.g. openssl ecparam -name prime256v1 -genkey)");
            }
            return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), key).getEncoded();
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e
                    : new IOException(file + ": not a valid EC PRIVATE KEY (" + e.getClass().getSimpleName() + ")");
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a valid EC PRIVATE KEY (" + e.getClass().getSimpleName() + ")");
        }
    }

    private record Block(String label, byte[] der) {
    }

    private static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": bad base64 in a " + m.group(1) + " block", e);
            }
        }
        if (out.isEmpty()) throw new IOException(file + ": no PEM block");
        return out;
    }

    /**
     * Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (RFC 5208 section 5): SEQUENCE { INTEGER 0,
     * AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING key }.
     */
    static byte[] pkcs8OfPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] key = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + key.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(key, 0, body, version.length + algorithm.length, key.length);
        byte[] out = der(0x30, body);
        Arrays.fill(key, (byte) 0);
        Arrays.fill(body, (byte) 0);
        return out;
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
