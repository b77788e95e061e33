package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;

/**
 * Reads the {@code tunnel-interface} section and the {@code pools} and {@code pools6} lists: every pool must lie
 * inside the TUN device's subnet (the kernel routes replies to the device) without its own, network or broadcast
 * address; every IPv6 pool inside the prefix of the device's IPv6 address.
 */
final class TunnelInterfaceConfigReader {
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private TunnelInterfaceConfigReader() {}

    /** The TUN device and the pools; the device's {@code address} is null when it was refused. */
    record TunAndPools(ConcentratorConfig.Tun tun, List<ConcentratorConfig.Pool> pools, List<ConcentratorConfig.Pool6> pools6) {
        List<String> poolNames() {
            return pools.stream().map(ConcentratorConfig.Pool::name).toList();
        }

        List<String> pool6Names() {
            return pools6.stream().map(ConcentratorConfig.Pool6::name).toList();
        }
    }

    static TunAndPools read(ConfigNode root) {
        ConfigNode n = root.section("tunnel-interface");
        String name = n.string("name", "l2sec0");
        if (!IFNAME.matcher(name).matches()) n.problem("name", "must be 1 to 15 of A-Z a-z 0-9 _ . -");
        String cidr = n.string("address", "10.99.0.1/24");
        Inet4Address address = null;
        int prefix;
        int slash = cidr.indexOf('/');
        Optional<Inet4Address> parsed = ConfigNode.parseIpv4(slash < 0 ? cidr : cidr.substring(0, slash));
        try {
            prefix = slash < 0 ? -1 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (parsed.isEmpty() || prefix < 8 || prefix > 30) {
            n.problem("address", "must be the concentrator's tunnel-side address with prefix, such as 10.99.0.1/24 (prefix 8..30)");
            prefix = 24;
        } else {
            address = parsed.get();
        }
        int mtu = n.integer("mtu", 1400, 576, 9000);
        Optional<Inet6Address> address6 = Optional.empty();
        int prefix6 = 0;
        String cidr6 = n.string("address6", "");
        if (!cidr6.isEmpty()) {
            int slash6 = cidr6.indexOf('/');
            Optional<Inet6Address> parsed6 = ConfigNode.parseIpv6(slash6 < 0 ? cidr6 : cidr6.substring(0, slash6));
            try {
                prefix6 = slash6 < 0 ? -1 : Integer.parseInt(cidr6.substring(slash6 + 1));
            } catch (NumberFormatException e) {
                prefix6 = -1;
            }
            if (parsed6.isEmpty() || prefix6 < 16 || prefix6 > 64 || Ipv6.isLinkLocal(Ipv6.high(parsed6.get()))
                    || Ipv6.isMulticast(Ipv6.high(parsed6.get()))) {
                n.problem("address6", "must be the concentrator's global IPv6 tunnel-side address with the prefix that covers "
                        + "pools6, such as 2001:db8:99::1/48 (prefix 16..64)");
                prefix6 = 0;
            } else {
                address6 = parsed6;
            }
        }
        ConcentratorConfig.Tun tun = new ConcentratorConfig.Tun(name, address, prefix, mtu, address6, prefix6);
        return new TunAndPools(tun, pools(root, tun, cidr), pools6(root, n, tun, cidr6));
    }

    /**
     * The {@code pools6} list: each a prefix of /32 to /63 inside {@code tunnel-interface.address6}'s prefix, handing
     * out its /64s; IPv6 for clients needs {@code address6}.
     */
    private static List<ConcentratorConfig.Pool6> pools6(ConfigNode root, ConfigNode tunSection, ConcentratorConfig.Tun tun,
                                                        String cidr6) {
        List<ConcentratorConfig.Pool6> pools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> nodes = root.sections("pools6");
        if (!nodes.isEmpty() && tun.address6().isEmpty() && cidr6.isEmpty()) {
            tunSection.problem("address6", "is required with pools6: the concentrator's IPv6 tunnel-side address with the "
                    + "prefix that covers the pools, such as 2001:db8:99::1/48");
        }
        for (ConfigNode p : nodes) {
            String name = p.string("name", "");
            if (!POOL_NAME.matcher(name).matches()) p.problem("name", "must be 1 to 32 of A-Z a-z 0-9 _ -");
            else if (!names.add(name)) p.problem("name", "IPv6 pool \"" + name + "\" is defined twice");
            String text = p.string("prefix", "");
            int slash = text.indexOf('/');
            Optional<Inet6Address> base = slash < 0 ? Optional.empty() : ConfigNode.parseIpv6(text.substring(0, slash));
            int length;
            try {
                length = slash < 0 ? -1 : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (base.isEmpty() || length < 32 || length > 63) {
                p.problem("prefix", "must be an IPv6 prefix of /32 to /63 such as 2001:db8:99::/48 (each session gets one of its /64s)");
                continue;
            }
            Ipv6Prefix prefix = Ipv6Prefix.of(base.get(), length);
            if (Ipv6.low(base.get()) != 0 || prefix.high() != Ipv6.high(base.get())) {
                p.problem("prefix", "has bits set past /" + length + ": the prefix is " + prefix);
                continue;
            }
            if (tun.address6().isPresent()) {
                Ipv6Prefix own = Ipv6Prefix.of(tun.address6().get(), tun.prefixLength6());
                if (length < own.length() || !own.contains(prefix.high())) {
                    p.problem("prefix", "must lie inside tunnel-interface.address6 " + cidr6 + " so the kernel routes replies to the TUN device");
                    continue;
                }
            }
            for (ConcentratorConfig.Pool6 other : pools) {
                int shorter = Math.min(other.prefix().length(), length);
                if (((other.prefix().high() ^ prefix.high()) & Ipv6Prefix.mask(shorter)) == 0) {
                    p.problem("prefix", "overlaps IPv6 pool \"" + other.name() + "\" " + other.prefix());
                }
            }
            pools.add(new ConcentratorConfig.Pool6(name, prefix));
        }
        return pools;
    }

    private static List<ConcentratorConfig.Pool> pools(ConfigNode root, ConcentratorConfig.Tun tun, String cidr) {
        List<ConcentratorConfig.Pool> pools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> nodes = root.sections("pools");
        if (nodes.isEmpty()) root.problem("pools", "at least one address pool is required");
        for (ConfigNode p : nodes) {
            String name = p.string("name", "");
            if (!POOL_NAME.matcher(name).matches()) p.problem("name", "must be 1 to 32 of A-Z a-z 0-9 _ -");
            else if (!names.add(name)) p.problem("name", "pool \"" + name + "\" is defined twice");
            String range = p.string("range", "");
            String[] ends = range.split("-", 2);
            Optional<Inet4Address> first = ConfigNode.parseIpv4(ends[0].trim());
            Optional<Inet4Address> last = ends.length == 2 ? ConfigNode.parseIpv4(ends[1].trim()) : Optional.empty();
            if (first.isEmpty() || last.isEmpty()) {
                p.problem("range", "must be first-last such as 10.99.0.10-10.99.0.250");
                continue;
            }
            long a = Ipv4.toInt(first.get()) & 0xffffffffL, b = Ipv4.toInt(last.get()) & 0xffffffffL;
            if (b < a) {
                p.problem("range", "the last address comes before the first");
                continue;
            }
            if (tun.address() != null) insideTunSubnet(p, a, b, tun, cidr);
            pools.add(new ConcentratorConfig.Pool(name, first.get(), last.get()));
        }
        return pools;
    }

    private static void insideTunSubnet(ConfigNode p, long a, long b, ConcentratorConfig.Tun tun, String cidr) {
        long mask = (0xffffffffL << (32 - tun.prefixLength())) & 0xffffffffL;
        long own = Ipv4.toInt(tun.address()) & 0xffffffffL;
        long net = own & mask;
        if ((a & mask) != net || (b & mask) != net) {
            p.problem("range", "must lie inside tunnel-interface.address " + cidr + " so the kernel routes replies to the TUN device");
        } else if (own >= a && own <= b) {
            p.problem("range", "contains the concentrator's own tunnel-side address " + tun.address().getHostAddress());
        } else if (a == net || b == (net | (~mask & 0xffffffffL))) {
            p.problem("range", "must not contain the network or broadcast address of " + cidr);
        }
    }
}
