package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Our responses to the last requests of one ISAKMP SA, by a digest of the request: a repeated request (the peer
 * lost our answer and sent its message again) gets the same octets again instead of being processed twice, which
 * could not work anyway: the exchange's keys, IVs and state have moved on. Kept by {@link Exchanges}.
 */
final class ResponseCache {
    private static final int SIZE = 8;

    private final Map<ByteBuffer, byte[]> responses = new LinkedHashMap<>(SIZE, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> e) {
            return size() > SIZE;
        }
    };

    void remember(byte[] request, byte[] response) {
        responses.put(digest(request), response);
    }

    /** Our response to {@code request}, or null when it is not one we answered. */
    byte[] responseTo(byte[] request) {
        return responses.get(digest(request));
    }

    private static ByteBuffer digest(byte[] request) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(request));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
