package net.l2sec.aaa.radius;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One RADIUS attribute as it is on the wire (RFC 2865 section 5): a type and its raw value, 1 to 253 octets.
 * Used where we encode or parse packets ourselves (the accounting spool, the Dynamic Authorization server) so
 * that nothing depends on a dictionary's interpretation of tags or types.
 */
public record WireAttribute(int type, byte[] value) {
    // RFC 2865 / 2866 / 2868 / 2869 / 5176 attribute types this package writes or reads.
    public static final int USER_NAME = 1;
    public static final int NAS_IP_ADDRESS = 4;
    public static final int NAS_PORT = 5;
    public static final int SERVICE_TYPE = 6;
    public static final int FRAMED_PROTOCOL = 7;
    public static final int FRAMED_IP_ADDRESS = 8;
    public static final int CLASS = 25;
    public static final int SESSION_TIMEOUT = 27;
    public static final int IDLE_TIMEOUT = 28;
    public static final int CALLING_STATION_ID = 31;
    public static final int NAS_IDENTIFIER = 32;
    public static final int PROXY_STATE = 33;
    public static final int ACCT_STATUS_TYPE = 40;
    public static final int ACCT_DELAY_TIME = 41;
    public static final int ACCT_INPUT_OCTETS = 42;
    public static final int ACCT_OUTPUT_OCTETS = 43;
    public static final int ACCT_SESSION_ID = 44;
    public static final int ACCT_AUTHENTIC = 45;
    public static final int ACCT_SESSION_TIME = 46;
    public static final int ACCT_INPUT_PACKETS = 47;
    public static final int ACCT_OUTPUT_PACKETS = 48;
    public static final int ACCT_TERMINATE_CAUSE = 49;
    public static final int ACCT_INPUT_GIGAWORDS = 52;
    public static final int ACCT_OUTPUT_GIGAWORDS = 53;
    public static final int EVENT_TIMESTAMP = 55;
    public static final int NAS_PORT_TYPE = 61;
    public static final int TUNNEL_TYPE = 64;
    public static final int TUNNEL_MEDIUM_TYPE = 65;
    public static final int TUNNEL_CLIENT_ENDPOINT = 66;
    public static final int CONNECT_INFO = 77;
    public static final int MESSAGE_AUTHENTICATOR = 80;
    public static final int NAS_IPV6_ADDRESS = 95;
    public static final int FRAMED_INTERFACE_ID = 96;
    public static final int FRAMED_IPV6_PREFIX = 97;
    public static final int DELEGATED_IPV6_PREFIX = 123;
    public static final int ERROR_CAUSE = 101;

    /** RFC 2865 section 5: at most 253 octets of value (the Length octet counts type and itself too). */
    public static final int MAX_VALUE = 253;

    public WireAttribute {
        if (type < 1 || type > 255) throw new IllegalArgumentException("attribute type " + type);
        if (value.length > MAX_VALUE) throw new IllegalArgumentException("attribute " + type + " longer than 253 octets");
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public static WireAttribute string(int type, String value) {
        return new WireAttribute(type, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The UTF-8 octets of {@code text} cut to at most {@value #MAX_VALUE}, at a character boundary so that the
     * value stays UTF-8 (RFC 2865 section 5 "text"; section 5.1 for User-Name). Unchanged when it fits.
     */
    public static byte[] truncatedText(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_VALUE) return utf8;
        int end = MAX_VALUE;
        while (end > 0 && (utf8[end] & 0xc0) == 0x80) end--; // utf8[end] continues the character before: cut before it
        return Arrays.copyOf(utf8, end);
    }

    /** A 32-bit unsigned integer (RFC 2865 section 5 "integer"); {@code value} is taken modulo 2^32. */
    public static WireAttribute integer(int type, long value) {
        return new WireAttribute(type, int32(value));
    }

    /**
     * RFC 3162 section 2.3 (and RFC 4818): Reserved, Prefix-Length, then the prefix, here all 16 octets (the bits past
     * the length zero, as the RFC requires of octets that are included).
     */
    public static WireAttribute ipv6Prefix(int type, java.net.Inet6Address prefix, int length) {
        byte[] v = new byte[18];
        v[1] = (byte) length;
        byte[] a = prefix.getAddress();
        for (int bit = 0; bit < length; bit++) v[2 + bit / 8] |= (byte) (a[bit / 8] & (0x80 >>> (bit % 8)));
        return new WireAttribute(type, v);
    }

    public static WireAttribute address(int type, Inet4Address address) {
        return new WireAttribute(type, address.getAddress());
    }

    /**
     * A tagged integer (RFC 2868 section 3.1, 3.2): the first octet is the tag, 0 when unused, then the value in
     * three octets.
     */
    public static WireAttribute taggedInteger(int type, int tag, int value) {
        return new WireAttribute(type, new byte[]{(byte) tag, (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    public long asInteger() {
        if (value.length != 4) throw new IllegalArgumentException("attribute " + type + " is not a 4-octet integer");
        return ((value[0] & 0xffL) << 24) | ((value[1] & 0xffL) << 16) | ((value[2] & 0xffL) << 8) | (value[3] & 0xffL);
    }

    public String asString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    static byte[] int32(long value) {
        return new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** Type, length, value for each attribute, in order (RFC 2865 section 5). */
    public static byte[] encode(List<WireAttribute> attributes) {
        int length = attributes.stream().mapToInt(a -> a.value.length + 2).sum();
        byte[] out = new byte[length];
        int at = 0;
        for (WireAttribute a : attributes) {
            out[at] = (byte) a.type;
            out[at + 1] = (byte) (a.value.length + 2);
            System.arraycopy(a.value, 0, out, at + 2, a.value.length);
            at += a.value.length + 2;
        }
        return out;
    }

    /** The attributes in {@code data[from, to)}; throws when a length field is inconsistent. */
    public static List<WireAttribute> decode(byte[] data, int from, int to) {
        List<WireAttribute> out = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < 2) throw new IllegalArgumentException("truncated attribute at offset " + at);
            int type = data[at] & 0xff;
            int length = data[at + 1] & 0xff;
            if (length < 2 || at + length > to) throw new IllegalArgumentException("bad attribute length " + length + " at offset " + at);
            if (type == 0) throw new IllegalArgumentException("attribute type 0 at offset " + at);
            out.add(new WireAttribute(type, Arrays.copyOfRange(data, at + 2, at + length)));
            at += length;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireAttribute w && w.type == type && Arrays.equals(w.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return type + "=" + HexFormat.of().formatHex(value);
    }
}
