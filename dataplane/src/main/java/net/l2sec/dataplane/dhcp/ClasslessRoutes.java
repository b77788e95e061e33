package net.l2sec.dataplane.dhcp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The Classless Static Route option's data (RFC 3442 section "Classless Route Option Format"): per route a
 * destination descriptor, one octet of subnet mask width followed by the significant octets of the subnet number
 * (width / 8 rounded up), then the router's four octets. Option 121 and Microsoft's option 249 share the format.
 */
public final class ClasslessRoutes {
    /** One route: subnet number (its host bits zero), mask width, router, as 32-bit values. */
    public record Route(int subnet, int width, int router) {
        public Route {
            if (width < 0 || width > 32) throw new IllegalArgumentException("width " + width);
            if ((subnet & ~mask(width)) != 0) throw new IllegalArgumentException("subnet number with host bits set");
        }
    }

    private ClasslessRoutes() {}

    public static byte[] encode(List<Route> routes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Route r : routes) {
            out.write(r.width());
            for (int i = 0; i < significantOctets(r.width()); i++) out.write(r.subnet() >>> (24 - 8 * i));
            for (int i = 0; i < 4; i++) out.write(r.router() >>> (24 - 8 * i));
        }
        return out.toByteArray();
    }

    /** The reverse of {@link #encode}; an option whose routes do not parse is refused whole. */
    public static List<Route> decode(byte[] data) throws MalformedDhcpException {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < data.length; ) {
            int width = data[i] & 0xff;
            if (width > 32) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "mask width " + width);
            int significant = significantOctets(width);
            if (i + 1 + significant + 4 > data.length) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "route runs past the option");
            int subnet = 0;
            for (int k = 0; k < significant; k++) subnet |= (data[i + 1 + k] & 0xff) << (24 - 8 * k);
            int router = 0;
            for (int k = 0; k < 4; k++) router |= (data[i + 1 + significant + k] & 0xff) << (24 - 8 * k);
            if ((subnet & ~mask(width)) != 0) throw new MalformedDhcpException(DhcpDropReason.MALFORMED, "subnet number with host bits set");
            routes.add(new Route(subnet, width, router));
            i += 1 + significant + 4;
        }
        return routes;
    }

    /** RFC 3442's table: 0 for width 0, 1 for 1-8, 2 for 9-16, 3 for 17-24, 4 for 25-32. */
    public static int significantOctets(int width) {
        return (width + 7) / 8;
    }

    static int mask(int width) {
        return width == 0 ? 0 : -1 << (32 - width);
    }
}
