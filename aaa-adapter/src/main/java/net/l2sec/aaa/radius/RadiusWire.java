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
 * (RFC 2865 section 3) and Message-Authenticator (RFC 3579 section 3.2), and the salt-encrypted MS-MPPE-Send-Key and
 * MS-MPPE-Recv-Key of a response (RFC 2548 sections 2.4.2 and 2.4.3), revealed once the response verified.
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

    /** RFC 2548 section 2.4.2: MS-MPPE-Send-Key's and (2.4.3) MS-MPPE-Recv-Key's Vendor-Types under vendor 311. */
    static final int MS_MPPE_SEND_KEY = 16;
    static final int MS_MPPE_RECV_KEY = 17;
    private static final int VENDOR_SPECIFIC = 26;

    /** Why a salt-encrypted key did not decrypt. */
    static final class UndecryptableKeyException extends Exception {
        private static final long serialVersionUID = 1L;

        UndecryptableKeyException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * RFC 2548 section 2.4.2 decryption of an MS-MPPE-Send-Key / -Recv-Key value: Salt (2 octets, the high bit of the
     * first set), then String, a multiple of 16 octets: c(i) XOR b(i) with b(1) = MD5(secret + Request Authenticator +
     * Salt) and b(i) = MD5(secret + c(i-1)) gives P = Key-Length (1 octet), Key, padding. Returns the Key.
     */
    static byte[] decryptMppeKey(byte[] value, byte[] secret, byte[] requestAuthenticator) throws UndecryptableKeyException {
        if (value.length < 2 + 16 || (value.length - 2) % 16 != 0) {
            throw new UndecryptableKeyException("value of " + value.length + " octets is not a salt and a multiple of 16");
        }
        if ((value[0] & 0x80) == 0) throw new UndecryptableKeyException("the salt's high bit is not set");
        byte[] salt = Arrays.copyOfRange(value, 0, 2);
        byte[] plain = new byte[value.length - 2];
        byte[] previous = null;
        for (int i = 0; i < plain.length; i += 16) {
            byte[] b = previous == null ? md5(secret, requestAuthenticator, salt) : md5(secret, previous);
            previous = Arrays.copyOfRange(value, 2 + i, 2 + i + 16);
            for (int j = 0; j < 16; j++) plain[i + j] = (byte) (previous[j] ^ b[j]);
        }
        int keyLength = plain[0] & 0xff;
        if (keyLength == 0 || 1 + keyLength > plain.length) {
            Arrays.fill(plain, (byte) 0);
            throw new UndecryptableKeyException("Key-Length " + keyLength + " in " + plain.length + " decrypted octets");
        }
        byte[] key = Arrays.copyOfRange(plain, 1, 1 + keyLength);
        Arrays.fill(plain, (byte) 0);
        return key;
    }

    /**
     * {@code packet} (a verified response to a request with {@code requestAuthenticator}; exactly its Length octets)
     * with every Microsoft MS-MPPE-Send-Key and MS-MPPE-Recv-Key replaced by the key it hides, so that the decoded
     * response carries the keys themselves. A key that does not decrypt is left out and reported to {@code
     * undecryptable} (name and why); the rest of the packet is unchanged. The result's authenticators no longer
     * verify: it is only decoded.
     */
    static byte[] revealMppeKeys(byte[] packet, byte[] secret, byte[] requestAuthenticator,
                                 java.util.function.BiConsumer<String, String> undecryptable) {
        int length = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        out.write(packet, 0, HEADER);
        boolean changed = false;
        for (int i = HEADER; i + 2 <= length; ) {
            int t = packet[i] & 0xff, l = packet[i + 1] & 0xff;
            if (l < 2 || i + l > length) return packet;   // malformed: the decoder says so
            byte[] vsa = t == VENDOR_SPECIFIC && l >= 6 && vendor(packet, i) == RadiusDictionary.MICROSOFT
                    ? revealVendorAttributes(packet, i + 6, i + l, secret, requestAuthenticator, undecryptable) : null;
            if (vsa == null) {
                out.write(packet, i, l);
            } else {
                changed = true;
                if (vsa.length > 0) {
                    out.write(VENDOR_SPECIFIC);
                    out.write(6 + vsa.length);
                    out.write(packet, i + 2, 4);
                    out.writeBytes(vsa);
                }
            }
            i += l;
        }
        if (!changed) return packet;
        byte[] revealed = out.toByteArray();
        revealed[2] = (byte) (revealed.length >>> 8);
        revealed[3] = (byte) revealed.length;
        return revealed;
    }

    private static int vendor(byte[] p, int at) {
        return (p[at + 2] & 0xff) << 24 | (p[at + 3] & 0xff) << 16 | (p[at + 4] & 0xff) << 8 | (p[at + 5] & 0xff);
    }

    /** The Microsoft sub-attributes in {@code p[from, to)} with MPPE keys revealed, or null when there is none. */
    private static byte[] revealVendorAttributes(byte[] p, int from, int to, byte[] secret, byte[] requestAuthenticator,
                                                 java.util.function.BiConsumer<String, String> undecryptable) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        boolean any = false;
        for (int i = from; i < to; ) {
            if (i + 2 > to) return null;
            int t = p[i] & 0xff, l = p[i + 1] & 0xff;
            if (l < 2 || i + l > to) return null;   // malformed: left to the decoder
            if (t == MS_MPPE_SEND_KEY || t == MS_MPPE_RECV_KEY) {
                any = true;
                String name = t == MS_MPPE_SEND_KEY ? "MS-MPPE-Send-Key" : "MS-MPPE-Recv-Key";
                try {
                    byte[] key = decryptMppeKey(Arrays.copyOfRange(p, i + 2, i + l), secret, requestAuthenticator);
                    if (key.length > 253) throw new UndecryptableKeyException(key.length + "-octet key");
                    out.write(t);
                    out.write(2 + key.length);
                    out.writeBytes(key);
                    Arrays.fill(key, (byte) 0);
                } catch (UndecryptableKeyException e) {
                    undecryptable.accept(name, e.getMessage());
                }
            } else {
                out.write(p, i, l);
            }
            i += l;
        }
        return any ? out.toByteArray() : null;
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
