package net.l2sec.loadgen.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.dhcp.ClasslessRoutes;
import net.l2sec.dataplane.dhcp.DhcpCodec;
import net.l2sec.dataplane.dhcp.DhcpMessage;
import net.l2sec.dataplane.dhcp.DhcpMessageType;
import net.l2sec.dataplane.dhcp.DhcpOption;
import net.l2sec.dataplane.dhcp.DhcpOptionCode;
import net.l2sec.dataplane.dhcp.MalformedDhcpException;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Udp;

/**
 * {@code --dhcp-inform}: the DHCPINFORM Windows' RAS client sends over its PPP link once IPCP is up (RFC 2131
 * section 3.4), shaped like Windows': from its PPP address, port 68, to 255.255.255.255 port 67, {@code ciaddr} its
 * address, a made-up Ethernet {@code chaddr}, Vendor Class "MSFT 5.0" and a Parameter Request List asking for the
 * mask, domain, router, DNS, NetBIOS options and the classless static routes 121 and 249. Also reads the answer.
 */
public final class DhcpInformClient {
    static final int CLIENT_PORT = 68;
    static final int SERVER_PORT = 67;
    static final byte[] PARAMETER_REQUEST_LIST = {1, 15, 3, 6, 44, 46, 47, 31, 33, 121, (byte) 249, 43};

    /** What a DHCPACK said. */
    public record Ack(int xid, List<ClasslessRoutes.Route> routes121, List<ClasslessRoutes.Route> routes249, Optional<String> domain) {
        /** {@code 10.1.0.0/16,192.168.50.0/24} from option 249 (Windows' option). */
        public String routes() {
            return String.join(",", routes249.stream().map(r -> Ipv4.fromInt(r.subnet()).getHostAddress() + "/" + r.width()).toList());
        }
    }

    private DhcpInformClient() {}

    public static ByteBuf inform(ByteBufAllocator alloc, Inet4Address client, int xid, int clientNumber) {
        byte[] chaddr = new byte[16];
        byte[] mac = HexFormat.of().parseHex("02004c470000");     // locally administered, "LG" and the client number
        mac[4] = (byte) (clientNumber >>> 8);
        mac[5] = (byte) clientNumber;
        System.arraycopy(mac, 0, chaddr, 0, 6);
        byte[] clientId = new byte[7];
        clientId[0] = 1;
        System.arraycopy(mac, 0, clientId, 1, 6);
        DhcpMessage m = new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, xid, 0, 0, Ipv4.toInt(client), 0, 0, 0, chaddr, List.of(
                new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.DHCPINFORM.code()}),
                new DhcpOption(61, clientId),
                new DhcpOption(12, ("LOADGEN-" + clientNumber).getBytes(StandardCharsets.US_ASCII)),
                new DhcpOption(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER, "MSFT 5.0".getBytes(StandardCharsets.US_ASCII)),
                new DhcpOption(DhcpOptionCode.PARAMETER_REQUEST_LIST, PARAMETER_REQUEST_LIST)));
        return Udp.datagram(alloc, Ipv4.toInt(client), 0xffffffff, CLIENT_PORT, SERVER_PORT, DhcpCodec.encodedLength(m),
                out -> DhcpCodec.encode(m, out));
    }

    /** The DHCPACK in {@code packet} (an IPv4 packet), or empty when it is something else. Does not release it. */
    public static Optional<Ack> ack(ByteBuf packet) {
        if (!Ipv4.isWellFormed(packet) || !Udp.isTo(packet, CLIENT_PORT)) return Optional.empty();
        int payload = Udp.checkedPayload(packet);
        if (payload < 0) return Optional.empty();
        try {
            DhcpMessage m = DhcpCodec.decode(packet.slice(payload, Udp.payloadLength(packet)));
            if (m.messageType().orElse(null) != DhcpMessageType.DHCPACK) return Optional.empty();
            List<ClasslessRoutes.Route> r121 = m.option(DhcpOptionCode.CLASSLESS_STATIC_ROUTE).isPresent()
                    ? ClasslessRoutes.decode(m.option(DhcpOptionCode.CLASSLESS_STATIC_ROUTE).get().data()) : List.of();
            List<ClasslessRoutes.Route> r249 = m.option(DhcpOptionCode.MS_CLASSLESS_STATIC_ROUTE).isPresent()
                    ? ClasslessRoutes.decode(m.option(DhcpOptionCode.MS_CLASSLESS_STATIC_ROUTE).get().data()) : List.of();
            return Optional.of(new Ack(m.xid(), r121, r249,
                    m.option(DhcpOptionCode.DOMAIN_NAME).map(o -> new String(o.data(), StandardCharsets.US_ASCII))));
        } catch (MalformedDhcpException e) {
            return Optional.empty();
        }
    }
}
