package net.l2sec.loadgen.ppp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.OptionPolicy;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;
import net.l2sec.dataplane.ppp.ipcp.IpcpOptionType;

/**
 * IPCP option rules of the address-taking side (RFC 1332 section 3.3, RFC 1877): we request IP-Address 0.0.0.0 and
 * the two DNS servers, take the values the server's Configure-Nak suggests, and stop asking for what it rejects.
 * The server's own IP-Address is acknowledged (it is the default ping target); anything else it asks is rejected.
 */
public final class IpcpPeerOptions implements OptionPolicy {
    private static final int IP = IpcpOptionType.IP_ADDRESS.code();
    private static final int DNS1 = IpcpOptionType.PRIMARY_DNS_SERVER_ADDRESS.code();
    private static final int DNS2 = IpcpOptionType.SECONDARY_DNS_SERVER_ADDRESS.code();
    private final int[] requested = {IP, DNS1, DNS2};
    private final long[] values = new long[3];
    private final boolean[] asking = {true, true, true};
    private long peerAddress;

    @Override
    public void restart() {
        for (int i = 0; i < 3; i++) {
            asking[i] = true;
            values[i] = 0;
        }
        peerAddress = 0;
    }

    @Override
    public List<ConfigOption> ourRequest() {
        List<ConfigOption> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) if (asking[i]) out.add(ConfigOption.ofInt(requested[i], values[i], 4));
        return out;
    }

    @Override
    public RequestVerdict examine(List<ConfigOption> request) {
        List<ConfigOption> reject = new ArrayList<>();
        long peer = 0;
        for (ConfigOption o : request) {
            if (o.type() == IP && o.data().length == 4) peer = o.dataAsLong();
            else reject.add(o);
        }
        RequestVerdict v = RequestVerdict.of(request, List.of(), reject);
        if (v.kind() == RequestVerdict.Kind.ACK) peerAddress = peer;
        return v;
    }

    @Override
    public void acknowledged(List<ConfigOption> options) {}

    @Override
    public void nakReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            for (int i = 0; i < 3; i++) if (o.type() == requested[i] && o.data().length == 4) values[i] = o.dataAsLong();
        }
    }

    @Override
    public void rejectReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            for (int i = 0; i < 3; i++) if (o.type() == requested[i]) asking[i] = false;
        }
    }

    /** Our address (valid once IPCP is Opened; 0.0.0.0 if the server gave none). */
    public Inet4Address localAddress() {
        return address(values[0]);
    }

    /** The server's address, or null when it did not say. */
    public Inet4Address peerAddress() {
        return peerAddress == 0 ? null : address(peerAddress);
    }

    /** The DNS servers we were given. */
    public List<Inet4Address> dns() {
        List<Inet4Address> out = new ArrayList<>();
        for (int i = 1; i < 3; i++) if (asking[i] && values[i] != 0) out.add(address(values[i]));
        return out;
    }

    static Inet4Address address(long v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
