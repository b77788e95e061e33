package net.l2sec.aaa.radius;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.tinyradius.core.attribute.type.RadiusAttribute;
import org.tinyradius.core.packet.request.RadiusRequest;

/**
 * RADIUS packet protection on the wire, done here (JCE only) rather than in tinyradius so that every transmission
 * gets its own Identifier and authenticator and the checks are under our control:
 * Request Authenticator and User-Password hiding (RFC 2865 sections 3 and 5.2), Accounting and Dynamic
 * Authorization Request Authenticator (RFC 2866 section 3, RFC 5176 section 2.3), Response Authenticator
 * (RFC 2865 section 3) and Message-Authenticator (RFC 3579 section 3.2).
 */
public final class RadiusWire {
    public static final int ACCESS_REQUEST = 1;
    public static final int ACCESS_ACCEPT = 2;
    public static final int ACCESS_REJECT = 3;
    public static final int ACCOUNTING_REQUEST = 4;
    public static final int ACCOUNTING_RESPONSE = 5;
    public static final int ACCESS_CHALLENGE = 11;
    public static final int STATUS_SERVER = 12;

    public static final int USER_PASSWORD = 2;
    public static final int MESSAGE_AUTHENTICATOR = 80;
    /** RFC 2865 section 3: maximum packet length. */
    public static final int MAX_PACKET = 4096;
    static final int HEADER = 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private RadiusWire() {}

    /** One transmission's bytes and the Request Authenticator its response must be checked against. */
    public record Encoded(int code, int identifier, byte[] requestAuthenticator, byte[] packet) {}

    /**
     * Encodes {@code request} (attributes unhidden, as built with the dictionary) for {@code secret} with the given
     * Identifier. Access-Request and Status-Server get a random Request Authenticator, the User-Password hidden
     * and a Message-Authenticator as the first attribute (any Message-Authenticator in {@code request} is
     * replaced). Other codes get the MD5 Request Authenticator of RFC 2866 section 3.
     */
    public static Encoded encodeRequest(RadiusRequest request, int identifier, byte[] secret) {
        int code = request.getType() & 0xff;
        boolean access = code == ACCESS_REQUEST || code == STATUS_SERVER;
        byte[] authenticator = new byte[16];
        if (access) RANDOM.nextBytes(authenticator);
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        if (access) attrs.writeBytes(new byte[] {MESSAGE_AUTHENTICATOR, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        for (RadiusAttribute a : request.getAttributes()) {
            if (a.getVendorId() == -1 && a.getType() == MESSAGE_AUTHENTICATOR) continue;
            if (a.getVendorId() == -1 && a.getType() == USER_PASSWORD) {
                if (code != ACCESS_REQUEST) throw new IllegalArgumentException("User-Password outside an Access-Request");
                byte[] hidden = hidePassword(a.getValue(), secret, authenticator);
                attrs.write(USER_PASSWORD);
                attrs.write(hidden.length + 2);
                attrs.writeBytes(hidden);
            } else {
                attrs.writeBytes(a.toByteArray());
            }
        }
        byte[] body = attrs.toByteArray();
        int length = HEADER + body.length;
        if (length > MAX_PACKET) throw new IllegalArgumentException("RADIUS packet of " + length + " octets exceeds 4096");
        byte[] packet = new byte[length];
        packet[0] = (byte) code;
        packet[1] = (byte) identifier;
        packet[2] = (byte) (length >>> 8);
        packet[3] = (byte) length;
        System.arraycopy(body, 0, packet, HEADER, body.length);
        if (access) {
            System.arraycopy(authenticator, 0, packet, 4, 16);
            // RFC 3579 section 3.2: HMAC-MD5 over the packet with the Message-Authenticator value zeroed
            byte[] mac = hmacMd5(secret, packet);
            System.arraycopy(mac, 0, packet, HEADER + 2, 16);
        } else {
            // RFC 2866 section 3: MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret)
            authenticator = md5(packet, secret);
            System.arraycopy(authenticator, 0, packet, 4, 16);
        }
        return new Encoded(code, identifier & 0xff, authenticator, packet);
    }

    /** RFC 2865 section 5.2: pads to a multiple of 16 and XORs with the chained MD5(secret + previous block). */
    static byte[] hidePassword(byte[] password, byte[] secret, byte[] requestAuthenticator) {
        if (password.length > 128) throw new IllegalArgumentException("User-Password longer than 128 octets");
        int len = Math.max(16, (password.length + 15) / 16 * 16);
        byte[] out = Arrays.copyOf(password, len);
        byte[] previous = requestAuthenticator;
        for (int i = 0; i < len; i += 16) {
            byte[] b = md5(secret, previous);
            for (int j = 0; j < 16; j++) out[i + j] ^= b[j];
            previous = Arrays.copyOfRange(out, i, i + 16);
        }
        return out;
    }

    /** Checks a datagram received for {@code request}: why it must be dropped, or empty when it is genuine. */
    public static Optional<InvalidResponseReason> verifyResponse(byte[] packet, Encoded request, byte[] secret, boolean requireMessageAuthenticator) {
        if (packet.length < HEADER) return Optional.of(InvalidResponseReason.MALFORMED);
        int length = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
        // RFC 2865 section 3: octets beyond Length are padding and ignored; a shorter datagram is dropped
        if (length < HEADER || length > packet.length || length > MAX_PACKET) return Optional.of(InvalidResponseReason.MALFORMED);
        byte[] p = Arrays.copyOf(packet, length);
        if ((p[1] & 0xff) != request.identifier()) return Optional.of(InvalidResponseReason.IDENTIFIER);
        int messageAuthenticatorAt = -1;
        for (int i = HEADER; i < length; ) {
            if (i + 2 > length) return Optional.of(InvalidResponseReason.MALFORMED);
            int t = p[i] & 0xff, l = p[i + 1] & 0xff;
            if (l < 2 || i + l > length) return Optional.of(InvalidResponseReason.MALFORMED);
            if (t == MESSAGE_AUTHENTICATOR) {
                if (l != 18 || messageAuthenticatorAt >= 0) return Optional.of(InvalidResponseReason.MALFORMED);
                messageAuthenticatorAt = i + 2;
            }
            i += l;
        }
        // RFC 2865 section 3: MD5(Code + ID + Length + RequestAuth + Attributes + Secret)
        byte[] received = Arrays.copyOfRange(p, 4, 20);
        byte[] check = p.clone();
        System.arraycopy(request.requestAuthenticator(), 0, check, 4, 16);
        if (!MessageDigest.isEqual(received, md5(check, secret))) return Optional.of(InvalidResponseReason.RESPONSE_AUTHENTICATOR);
        int code = p[0] & 0xff;
        boolean accessResponse = code == ACCESS_ACCEPT || code == ACCESS_REJECT || code == ACCESS_CHALLENGE;
        if (messageAuthenticatorAt >= 0) {
            // RFC 3579 section 3.2: computed with the Request Authenticator in the authenticator field
            byte[] mac = Arrays.copyOfRange(check, messageAuthenticatorAt, messageAuthenticatorAt + 16);
            Arrays.fill(check, messageAuthenticatorAt, messageAuthenticatorAt + 16, (byte) 0);
            if (!MessageDigest.isEqual(mac, hmacMd5(secret, check))) return Optional.of(InvalidResponseReason.MESSAGE_AUTHENTICATOR);
        } else if (accessResponse && requireMessageAuthenticator) {
            return Optional.of(InvalidResponseReason.MISSING_MESSAGE_AUTHENTICATOR);
        }
        return Optional.empty();
    }

    public static byte[] md5(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            for (byte[] part : parts) md.update(part);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 missing from the JCE", e);
        }
    }

    public static byte[] hmacMd5(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key, "HmacMD5"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-MD5 missing from the JCE", e);
        }
    }
}
