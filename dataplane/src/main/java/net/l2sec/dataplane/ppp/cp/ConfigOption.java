package net.l2sec.dataplane.ppp.cp;

import java.util.Arrays;
import java.util.HexFormat;

/** One Configuration Option (RFC 1661 section 6): Type, and the Data after the Length octet. */
public record ConfigOption(int type, byte[] data) {
    public ConfigOption {
        if (type < 0 || type > 255) throw new IllegalArgumentException("option type " + type);
        if (data.length > 253) throw new IllegalArgumentException("option data too long");
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public int length() {
        return 2 + data.length;
    }

    public static ConfigOption ofInt(int type, long value, int octets) {
        byte[] d = new byte[octets];
        for (int i = 0; i < octets; i++) d[i] = (byte) (value >>> (8 * (octets - 1 - i)));
        return new ConfigOption(type, d);
    }

    /** The data as an unsigned big-endian number (at most 8 octets). */
    public long dataAsLong() {
        long v = 0;
        for (byte b : data) v = (v << 8) | (b & 0xff);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigOption c && c.type == type && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "ConfigOption[" + type + ":" + HexFormat.of().formatHex(data) + "]";
    }
}
