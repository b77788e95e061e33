package net.l2sec.concentrator.config;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import net.l2sec.dataplane.ip.Ipv4;

/**
 * Reads the {@code tunnel-interface} section and the {@code pools} list: every pool must lie inside the TUN
 * device's subnet (the kernel routes replies to the device) without its own, network or broadcast address.
 */
final class TunnelInterfaceConfigReader {
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private TunnelInterfaceConfigReader() {}

    /** The TUN device and the pools; the device's {@code address} is null when it was refused. */
    record TunAndPools(ConcentratorConfig.Tun tun, List<ConcentratorConfig.Pool> pools) {
        List<String> poolNames() {
            return pools.stream().map(ConcentratorConfig.Pool::name).toList();
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
        ConcentratorConfig.Tun tun = new ConcentratorConfig.Tun(name, address, prefix, mtu);
        return new TunAndPools(tun, pools(root, tun, cidr));
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
