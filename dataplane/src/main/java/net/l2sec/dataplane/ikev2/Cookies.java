package net.l2sec.dataplane.ikev2;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless COOKIEs (RFC 7296 section 2.6): Cookie = VersionIDofSecret | HMAC-SHA256(secret, Ni | IPi | SPIi),
 * truncated to 16 octets. The secret changes every {@link #ROTATION}; a COOKIE made with the previous secret is
 * still accepted, so a client that got one just before the change is not refused.
 */
final class Cookies {
    static final Duration ROTATION = Duration.ofMinutes(2);
    static final int LENGTH = 1 + 16;
    private final SecureRandom random;
    private byte[] current = new byte[32];
    private byte[] previous = new byte[32];
    private int version;
    private long rotatedAt;

    Cookies(SecureRandom random, long nowNanos) {
        this.random = random;
        random.nextBytes(current);
        random.nextBytes(previous);
        rotatedAt = nowNanos;
    }

    /** Our COOKIE for this initiator. */
    byte[] make(byte[] ni, InetAddress ipi, long spii, long nowNanos) {
        rotate(nowNanos);
        byte[] c = new byte[LENGTH];
        c[0] = (byte) version;
        System.arraycopy(mac(current, ni, ipi, spii), 0, c, 1, 16);
        return c;
    }

    /** True when {@code cookie} is one we made for this initiator with the current or the previous secret. */
    boolean valid(byte[] cookie, byte[] ni, InetAddress ipi, long spii, long nowNanos) {
        rotate(nowNanos);
        if (cookie.length != LENGTH) return false;
        int v = cookie[0] & 0xff;
        byte[] secret = v == (version & 0xff) ? current : v == ((version - 1) & 0xff) ? previous : null;
        if (secret == null) return false;
        return MessageDigest.isEqual(Arrays.copyOfRange(cookie, 1, LENGTH), Arrays.copyOf(mac(secret, ni, ipi, spii), 16));
    }

    private void rotate(long nowNanos) {
        if (nowNanos - rotatedAt < ROTATION.toNanos()) return;
        rotatedAt = nowNanos;
        previous = current;
        current = new byte[32];
        random.nextBytes(current);
        version = (version + 1) & 0xff;
    }

    private static byte[] mac(byte[] secret, byte[] ni, InetAddress ipi, long spii) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(ni);
            mac.update(ipi.getAddress());
            mac.update(ByteBuffer.allocate(8).putLong(spii).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
