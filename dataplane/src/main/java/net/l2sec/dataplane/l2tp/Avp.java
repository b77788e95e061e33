package net.l2sec.dataplane.l2tp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One attribute-value pair (RFC 2661 section 4.1). When {@code hidden} is set, {@code value} is the hidden form
 * (section 4.3) until {@link HiddenAvp#unhide} turns it back into the clear value.
 *
 * @param mandatory M bit: an unrecognised mandatory AVP ends the tunnel or session
 * @param hidden    H bit: the value is hidden with the tunnel secret and the preceding Random Vector
 * @param vendorId  0 for the IETF types of {@link AvpType}
 * @param type      attribute type
 * @param value     attribute value (never shared: the codec copies it out of the datagram)
 */
public record Avp(boolean mandatory, boolean hidden, int vendorId, int type, byte[] value) {
    /** Largest value: the Length field is 10 bits and counts the 6-octet header. */
    public static final int MAX_VALUE_LENGTH = 1023 - 6;

    public Avp {
        if (vendorId < 0 || vendorId > 0xffff || type < 0 || type > 0xffff) throw new IllegalArgumentException("id");
        if (value.length > MAX_VALUE_LENGTH) throw new IllegalArgumentException("AVP value too long");
    }

    public static Avp of(AvpType type, byte[] value) {
        return new Avp(true, false, AvpType.IETF, type.code(), value);
    }

    public static Avp optional(AvpType type, byte[] value) {
        return new Avp(false, false, AvpType.IETF, type.code(), value);
    }

    public static Avp ofShort(AvpType type, int value) {
        return of(type, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    public static Avp ofInt(AvpType type, long value) {
        return of(type, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    public static Avp ofString(AvpType type, String value) {
        return of(type, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The recognised IETF type, or {@code null}. */
    public AvpType knownType() {
        return AvpType.of(vendorId, type);
    }

    public boolean is(AvpType t) {
        return vendorId == AvpType.IETF && type == t.code();
    }

    /** The value as an unsigned 16-bit integer; -1 when it is not exactly two octets. */
    public int shortValue() {
        return value.length == 2 ? (value[0] & 0xff) << 8 | value[1] & 0xff : -1;
    }

    /** The first 32 bits of the value as an unsigned integer; -1 when shorter. */
    public long intValue() {
        if (value.length < 4) return -1;
        return (long) (value[0] & 0xff) << 24 | (value[1] & 0xff) << 16 | (value[2] & 0xff) << 8 | value[3] & 0xff;
    }

    public String stringValue() {
        return new String(value, StandardCharsets.UTF_8);
    }

    public Avp withValue(boolean hidden, byte[] value) {
        return new Avp(mandatory, hidden, vendorId, type, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Avp a && a.mandatory == mandatory && a.hidden == hidden && a.vendorId == vendorId
                && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return ((vendorId * 31 + type) * 31 + Arrays.hashCode(value)) * 4 + (mandatory ? 2 : 0) + (hidden ? 1 : 0);
    }

    @Override
    public String toString() {
        AvpType t = knownType();
        String name = t != null ? t.name() : vendorId + ":" + type;
        // values may be secrets (Challenge Response, hidden); print lengths only for those
        boolean quiet = hidden || t == AvpType.CHALLENGE || t == AvpType.CHALLENGE_RESPONSE || t == AvpType.RANDOM_VECTOR
                || t == AvpType.PROXY_AUTHEN_RESPONSE || t == AvpType.PROXY_AUTHEN_CHALLENGE;
        return name + (mandatory ? "(M)" : "") + (hidden ? "(H)" : "") + "="
                + (quiet ? "<" + value.length + " octets>" : HexFormat.of().formatHex(value));
    }
}
