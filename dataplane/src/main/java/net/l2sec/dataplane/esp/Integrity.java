package net.l2sec.dataplane.esp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * The ICV of a CBC SA: HMAC truncated to {@link EspIntegrity#icvLength()} (RFC 2404, RFC 4868 section 2.3). One
 * {@link Mac} per SA, reused; confined to the SA's thread. Scratch arrays avoid per-packet allocation.
 */
final class Integrity {
    private final EspIntegrity algorithm;
    private final Mac mac;
    private final byte[] full;
    private final byte[] computed;
    private final byte[] received;

    Integrity(EspIntegrity algorithm, byte[] key) {
        this.algorithm = algorithm;
        try {
            mac = Mac.getInstance(algorithm.jceName());
            mac.init(new SecretKeySpec(key, algorithm.jceName()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
        full = new byte[mac.getMacLength()];
        computed = new byte[algorithm.icvLength()];
        received = new byte[algorithm.icvLength()];
    }

    int icvLength() {
        return computed.length;
    }

    EspIntegrity algorithm() {
        return algorithm;
    }

    /** Writes the ICV of {@code length} octets from {@code from} right after them. */
    void sign(ByteBuf packet, int from, int length) {
        compute(packet, from, length);
        packet.setBytes(from + length, computed);
    }

    /** True when the ICV right after the {@code length} octets from {@code from} matches, compared in constant time. */
    boolean verify(ByteBuf packet, int from, int length) {
        compute(packet, from, length);
        packet.getBytes(from + length, received);
        return MessageDigest.isEqual(computed, received);
    }

    /** The truncated ICV over {@code data}, for known-answer tests. */
    byte[] icv(byte[] data) {
        mac.update(data);
        return finish().clone();
    }

    private void compute(ByteBuf packet, int from, int length) {
        if (packet.hasArray()) {
            mac.update(packet.array(), packet.arrayOffset() + from, length);
        } else {
            mac.update(packet.nioBuffer(from, length));
        }
        finish();
    }

    private byte[] finish() {
        try {
            mac.doFinal(full, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(full, 0, computed, 0, computed.length);
        return computed;
    }

    void wipe() {
        java.util.Arrays.fill(full, (byte) 0);
        java.util.Arrays.fill(computed, (byte) 0);
        java.util.Arrays.fill(received, (byte) 0);
    }
}
