package net.l2sec.dataplane.ikev2.keymat;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.AlgorithmNames;
import net.l2sec.dataplane.WireCode;

/** IKEv2 pseudo-random functions (transform type 2, RFC 7296 section 3.3.2; SHA-2 per RFC 4868). */
public enum PrfAlgorithm implements WireCode {
    HMAC_SHA1(2, "HmacSHA1", 20, "sha1"),
    HMAC_SHA2_256(5, "HmacSHA256", 32, "sha256"),
    HMAC_SHA2_384(6, "HmacSHA384", 48, "sha384"),
    HMAC_SHA2_512(7, "HmacSHA512", 64, "sha512");

    private final int code;
    private final String jceName;
    private final int length;
    private final String configName;

    PrfAlgorithm(int code, String jceName, int length, String configName) {
        this.code = code;
        this.jceName = jceName;
        this.length = length;
        this.configName = configName;
    }

    @Override
    public int code() {
        return code;
    }

    /** Output length in octets; also the preferred key length (section 2.13). */
    public int length() {
        return length;
    }

    public String configName() {
        return configName;
    }

    public static Optional<PrfAlgorithm> of(int code) {
        return WireCode.lookup(values(), code);
    }

    private static final AlgorithmNames<PrfAlgorithm> NAMES = new AlgorithmNames<>(List.of(values()), PrfAlgorithm::configName);

    /** The PRF of the HMAC the config names ({@code sha1}, {@code sha256}, ...). */
    public static PrfAlgorithm parse(String configName) {
        return NAMES.parse(configName);
    }

    /** prf(key, data...) : the HMAC of the concatenated data. */
    public byte[] prf(byte[] key, byte[]... data) {
        try {
            Mac mac = Mac.getInstance(jceName);
            // HMAC pads its key with zeros (RFC 2104): an empty key is the one zero octet the JCE accepts
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jceName));
            for (byte[] d : data) mac.update(d);
            return mac.doFinal();
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jceName + " unavailable", e);
        }
    }

    /**
     * prf+ (RFC 7296 section 2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), concatenated and cut to
     * {@code length} octets; at most 255 blocks.
     */
    public byte[] prfPlus(byte[] key, byte[] seed, int length) {
        if (length > 255 * this.length) throw new IllegalArgumentException("prf+ beyond 255 blocks");
        try {
            Mac mac = Mac.getInstance(jceName);
            mac.init(new SecretKeySpec(key, jceName));
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            int at = 0;
            for (int n = 1; at < length; n++) {
                mac.update(t);
                mac.update(seed);
                mac.update((byte) n);
                t = mac.doFinal();
                int take = Math.min(t.length, length - at);
                System.arraycopy(t, 0, out, at, take);
                at += take;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jceName, e);
        }
    }
}
