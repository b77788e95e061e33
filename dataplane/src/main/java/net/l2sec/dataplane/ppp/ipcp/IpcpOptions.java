package net.l2sec.dataplane.ppp.ipcp;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.OptionPolicy;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;

/**
 * IPCP option rules of the address-giving side (RFC 1332, RFC 1877). We request our own IP-Address. The peer's
 * IP-Address is Nak'd with the address it was given unless it already asks for exactly that; the DNS and NBNS
 * options are Nak'd with the configured servers, or rejected when none are configured; IP-Compression-Protocol
 * (Van Jacobson) and the old IP-Addresses option are rejected, as is anything unknown.
 */
public final class IpcpOptions implements OptionPolicy {
    private static final int ADDRESS_LENGTH = 4;

    private final int localAddress;
    private final int clientAddress;
    private final List<Inet4Address> dns;
    private final List<Inet4Address> nbns;
    private boolean requestAddress = true;

    public IpcpOptions(int localAddress, int clientAddress, List<Inet4Address> dns, List<Inet4Address> nbns) {
        this.localAddress = localAddress;
        this.clientAddress = clientAddress;
        this.dns = List.copyOf(dns);
        this.nbns = List.copyOf(nbns);
    }

    @Override
    public void restart() {
        requestAddress = true;
    }

    @Override
    public List<ConfigOption> ourRequest() {
        return requestAddress ? List.of(address(IpcpOptionType.IP_ADDRESS.code(), localAddress)) : List.of();
    }

    @Override
    public RequestVerdict examine(List<ConfigOption> request) {
        List<ConfigOption> nak = new ArrayList<>();
        List<ConfigOption> reject = new ArrayList<>();
        for (ConfigOption o : request) {
            boolean addressShaped = o.data().length == ADDRESS_LENGTH;
            switch (IpcpOptionType.of(o.type()).orElse(null)) {
                case IP_ADDRESS -> {
                    if (!addressShaped) reject.add(o);
                    else if ((int) o.dataAsLong() != clientAddress) nak.add(address(o.type(), clientAddress));
                }
                case PRIMARY_DNS_SERVER_ADDRESS -> server(o, dns, 0, addressShaped, nak, reject);
                case SECONDARY_DNS_SERVER_ADDRESS -> server(o, dns, 1, addressShaped, nak, reject);
                case PRIMARY_NBNS_SERVER_ADDRESS -> server(o, nbns, 0, addressShaped, nak, reject);
                case SECONDARY_NBNS_SERVER_ADDRESS -> server(o, nbns, 1, addressShaped, nak, reject);
                case IP_ADDRESSES, IP_COMPRESSION_PROTOCOL -> reject.add(o);   // deprecated (RFC 1172), Van Jacobson
                case null -> reject.add(o);                                      // unknown
            }
        }
        return RequestVerdict.of(request, nak, reject);
    }

    private static void server(ConfigOption o, List<Inet4Address> servers, int index, boolean addressShaped,
                               List<ConfigOption> nak, List<ConfigOption> reject) {
        if (!addressShaped || servers.size() <= index) {
            reject.add(o);
            return;
        }
        int want = Ipv4.toInt(servers.get(index));
        if ((int) o.dataAsLong() != want) nak.add(address(o.type(), want));
    }

    @Override
    public void acknowledged(List<ConfigOption> options) {}

    /** A Nak of our own address is ignored: it is ours to choose and we keep proposing it. */
    @Override
    public void nakReceived(List<ConfigOption> options) {}

    @Override
    public void rejectReceived(List<ConfigOption> options) {
        if (options.stream().anyMatch(o -> o.type() == IpcpOptionType.IP_ADDRESS.code())) requestAddress = false;
    }

    public int clientAddress() {
        return clientAddress;
    }

    private static ConfigOption address(int type, int address) {
        return ConfigOption.ofInt(type, address & 0xffffffffL, ADDRESS_LENGTH);
    }
}
