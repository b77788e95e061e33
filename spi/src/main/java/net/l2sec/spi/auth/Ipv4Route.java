package net.l2sec.spi.auth;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A network a client reaches through the tunnel (split tunnelling): a policy rule's {@code routes}, a RADIUS
 * Framed-Route (RFC 2865 section 5.22). Sent to clients that ask with DHCPINFORM, as Classless Static Routes
 * (RFC 3442), each via the concentrator's tunnel address (the client's PPP peer).
 *
 * @param destination  the subnet number; its host bits (beyond {@code prefixLength}) are zero
 * @param prefixLength the width of the subnet mask, 0..32
 */
public record Ipv4Route(Inet4Address destination, int prefixLength) {
    public Ipv4Route {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0..32");
        int host = toInt(destination) & ~mask(prefixLength);
        if (host != 0) {
            throw new IllegalArgumentException(destination.getHostAddress() + "/" + prefixLength + " has host bits set (the network is "
                    + fromInt(toInt(destination) & mask(prefixLength)).getHostAddress() + "/" + prefixLength + ")");
        }
    }

    /**
     * {@code 10.1.0.0/16} (a bare address is a /32). The message of the {@link IllegalArgumentException} says what
     * is wrong with it.
     */
    public static Ipv4Route parse(String cidr) {
        String s = cidr.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        int prefix;
        try {
            prefix = slash < 0 ? 32 : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + cidr + "\": the prefix length is not a number");
        }
        return new Ipv4Route(ipv4(address, cidr), prefix);
    }

    /** A dotted-quad IPv4 address, never a name (no DNS look-up). */
    public static Inet4Address ipv4(String dotted, String context) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("\"" + context + "\": not an IPv4 address");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v;
            try {
                v = parts[i].isEmpty() || parts[i].length() > 3 ? -1 : Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) throw new IllegalArgumentException("\"" + context + "\": not an IPv4 address");
            b[i] = (byte) v;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public int mask() {
        return mask(prefixLength);
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    private static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return destination.getHostAddress() + "/" + prefixLength;
    }
}
