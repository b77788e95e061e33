package net.l2sec.dataplane.dhcp;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A DHCP message (RFC 2131 section 2, figure 1), the fixed fields and the options (in order, each code once; an
 * option split over several instances, RFC 3396, arrives concatenated). {@code sname} and {@code file} are not kept:
 * this server neither reads nor fills them.
 *
 * @param op     1 BOOTREQUEST, 2 BOOTREPLY
 * @param chaddr the 16 octets of the client hardware address field
 */
public record DhcpMessage(int op, int htype, int hlen, int hops, int xid, int secs, int flags, int ciaddr, int yiaddr,
                          int siaddr, int giaddr, byte[] chaddr, List<DhcpOption> options) {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;

    public DhcpMessage {
        if (chaddr.length != 16) throw new IllegalArgumentException("chaddr is 16 octets");
        chaddr = chaddr.clone();
        options = List.copyOf(options);
    }

    @Override
    public byte[] chaddr() {
        return chaddr.clone();
    }

    public Optional<DhcpOption> option(DhcpOptionCode code) {
        return options.stream().filter(o -> o.code() == code.code()).findFirst();
    }

    /** Option 53, when present and one octet long. */
    public Optional<DhcpMessageType> messageType() {
        return option(DhcpOptionCode.DHCP_MESSAGE_TYPE).filter(o -> o.data().length == 1)
                .flatMap(o -> DhcpMessageType.of(o.data()[0] & 0xff));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpMessage m && m.op == op && m.htype == htype && m.hlen == hlen && m.hops == hops
                && m.xid == xid && m.secs == secs && m.flags == flags && m.ciaddr == ciaddr && m.yiaddr == yiaddr
                && m.siaddr == siaddr && m.giaddr == giaddr && Arrays.equals(m.chaddr, chaddr) && m.options.equals(options);
    }

    @Override
    public int hashCode() {
        return 31 * xid + options.hashCode();
    }
}
