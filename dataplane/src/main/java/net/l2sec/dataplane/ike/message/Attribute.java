package net.l2sec.dataplane.ike.message;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A data attribute of a transform (RFC 2408 section 3.3): TV (AF bit set, 2-octet value) or TLV.
 *
 * @param type  attribute type without the AF bit
 * @param value the value octets (2 for TV)
 * @param tv    true for the short TV form
 */
public record Attribute(int type, byte[] value, boolean tv) {

    public Attribute {
        if (tv && value.length != 2) throw new IllegalArgumentException("TV attribute with " + value.length + " octets");
    }

    /** An attribute holding {@code v}: TV when it fits in 16 bits, else a 4-octet (or 8-octet) TLV. */
    public static Attribute of(int type, long v) {
        if (v >= 0 && v <= 0xffff) return new Attribute(type, new byte[] {(byte) (v >> 8), (byte) v}, true);
        int n = v >>> 32 == 0 ? 4 : 8;
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[n - 1 - i] = (byte) (v >>> (8 * i));
        return new Attribute(type, b, false);
    }

    /** The value as an unsigned number (values longer than 8 octets are not numbers: -1). */
    public long longValue() {
        if (value.length > 8) return -1;
        long v = 0;
        for (byte b : value) v = v << 8 | (b & 0xff);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attribute a && a.type == type && a.tv == tv && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return type + "=" + (value.length <= 8 ? Long.toString(longValue()) : HexFormat.of().formatHex(value));
    }
}
