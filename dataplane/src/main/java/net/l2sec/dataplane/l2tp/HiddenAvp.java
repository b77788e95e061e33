package net.l2sec.dataplane.l2tp;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AVP hiding (RFC 2661 section 4.3). The hidden value is the clear subformat {@code Original Length (2) | value |
 * padding} XORed with an MD5 chain: {@code b1 = MD5(Attribute Type | secret | Random Vector)}, {@code c1 = p1 xor
 * b1}, then {@code bi = MD5(secret | c(i-1))}, {@code ci = pi xor bi}, in 16-octet blocks (the last may be short).
 */
public final class HiddenAvp {
    private HiddenAvp() {
    }

    /** Hides {@code avp} with {@code padding} random octets appended (they obscure the original length). */
    public static Avp hide(Avp avp, byte[] secret, byte[] randomVector, byte[] padding) {
        byte[] clear = new byte[2 + avp.value().length + padding.length];
        clear[0] = (byte) (avp.value().length >>> 8);
        clear[1] = (byte) avp.value().length;
        System.arraycopy(avp.value(), 0, clear, 2, avp.value().length);
        System.arraycopy(padding, 0, clear, 2 + avp.value().length, padding.length);
        return avp.withValue(true, chain(avp.type(), secret, randomVector, clear, true));
    }

    /** The clear AVP, or {@code null} when the Original Length does not fit (wrong secret or mangled). */
    public static Avp unhide(Avp avp, byte[] secret, byte[] randomVector) {
        if (!avp.hidden()) return avp;
        if (avp.value().length < 2) return null;
        byte[] clear = chain(avp.type(), secret, randomVector, avp.value(), false);
        int length = (clear[0] & 0xff) << 8 | clear[1] & 0xff;
        if (length > clear.length - 2) return null;
        byte[] value = Arrays.copyOfRange(clear, 2, 2 + length);
        Arrays.fill(clear, (byte) 0);
        return avp.withValue(false, value);
    }

    /**
     * Unhides every hidden AVP of {@code message}, each with the most recent Random Vector before it; {@code null}
     * when one cannot be unhidden. Returns {@code message} itself when nothing is hidden.
     */
    public static ControlMessage unhideAll(ControlMessage message, byte[] secret) {
        if (message.avps().stream().noneMatch(Avp::hidden)) return message;
        List<Avp> out = new ArrayList<>(message.avps().size());
        byte[] randomVector = null;
        for (Avp a : message.avps()) {
            if (a.is(AvpType.RANDOM_VECTOR)) randomVector = a.value();
            if (a.hidden()) {
                if (randomVector == null || secret == null) return null;
                a = unhide(a, secret, randomVector);
                if (a == null) return null;
            }
            out.add(a);
        }
        return message.withAvps(out);
    }

    private static byte[] chain(int attributeType, byte[] secret, byte[] randomVector, byte[] in, boolean encrypt) {
        MessageDigest md5 = md5();
        byte[] out = new byte[in.length];
        md5.update((byte) (attributeType >>> 8));
        md5.update((byte) attributeType);
        md5.update(secret);
        md5.update(randomVector);
        byte[] b = md5.digest();
        for (int off = 0; off < in.length; off += 16) {
            int n = Math.min(16, in.length - off);
            for (int i = 0; i < n; i++) out[off + i] = (byte) (in[off + i] ^ b[i]);
            if (off + 16 < in.length) {
                md5.update(secret);
                // the chain always continues from the cipher-text block
                md5.update(encrypt ? out : in, off, 16);
                b = md5.digest();
            }
        }
        return out;
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
