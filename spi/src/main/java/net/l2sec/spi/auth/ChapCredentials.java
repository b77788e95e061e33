package net.l2sec.spi.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 1994 CHAP-MD5 (also EAP-MD5-Challenge, RFC 3748 section 5.4, which uses the same computation):
 * Response = MD5(Identifier || secret || Challenge).
 */
public record ChapCredentials(String user, int identifier, byte[] challenge, byte[] response) implements Credentials {
    public ChapCredentials {
        challenge = challenge.clone();
        response = response.clone();
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    @Override
    public byte[] response() {
        return response.clone();
    }

    /** The response a peer knowing {@code secret} would have sent. */
    public byte[] expectedResponse(byte[] secret) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) identifier);
            md5.update(secret);
            md5.update(challenge);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JCE", e);
        }
    }

    /** Constant-time check of the peer's response against {@code secret}. */
    public boolean verify(byte[] secret) {
        return MessageDigest.isEqual(expectedResponse(secret), response);
    }

    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + ", identifier=" + identifier + ", response=<redacted>]";
    }
}
