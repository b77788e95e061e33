package net.l2sec.dataplane.ip;

import java.net.Inet6Address;

/**
 * An IPv6 prefix no longer than /64 (a client's /64, a delegated prefix, a pool): its upper 64 bits, with the
 * bits past {@code length} zero, and its length. The lower 64 bits of a prefix of length 64 or less are zero.
 */
public record Ipv6Prefix(long high, int length) {
    public Ipv6Prefix {
        if (length < 0 || length > 64) throw new IllegalArgumentException("prefix length " + length + " outside 0..64");
        if ((high & ~mask(length)) != 0) throw new IllegalArgumentException("bits set past the prefix length " + length);
    }

    public static Ipv6Prefix of(Inet6Address address, int length) {
        return new Ipv6Prefix(Ipv6.high(address) & mask(length), length);
    }

    /** The upper-64-bit mask of a prefix of {@code length} bits. */
    public static long mask(int length) {
        return length == 0 ? 0 : -1L << (64 - length);
    }

    /** Whether the address whose upper 64 bits are {@code addressHigh} lies in this prefix. */
    public boolean contains(long addressHigh) {
        return (addressHigh & mask(length)) == high;
    }

    public Inet6Address address() {
        return Ipv6.address(high, 0);
    }

    @Override
    public String toString() {
        return Ipv6.text(high, 0) + "/" + length;
    }
}
