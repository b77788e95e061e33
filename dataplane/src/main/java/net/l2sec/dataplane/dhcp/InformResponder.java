package net.l2sec.dataplane.dhcp;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ip.Ipv4;

/**
 * The answer to a DHCPINFORM on one client's PPP link (RFC 2131 section 3.4: a client that has its address asks for
 * its other parameters; section 4.3.5: the server answers with a DHCPACK, without a lease time and without
 * {@code yiaddr}). The ACK carries what {@link Answers} has and the client asked for in its Parameter Request List
 * (all of it when the client sent none, RFC 2131 section 4.3.1): Subnet Mask (1), Domain Name Server (6), Domain
 * Name (15) and the split-tunnel routes as Classless Static Routes (121, RFC 3442) and Microsoft's 249, the
 * option Windows asks for; always DHCP Message Type and Server Identifier (RFC 2131 table 3). No Router option:
 * a client given classless routes ignores it (RFC 3442), and one given none keeps the tunnel as its default route.
 * Stateless: one per session, used on its loop.
 */
public final class InformResponder {
    /**
     * What the ACKs say.
     *
     * @param serverIdentifier our address on the link (the concentrator's tunnel address), also the routes' router
     * @param subnetMask       the mask of the clients' subnet
     * @param dns              Domain Name Servers, in order
     * @param domain           the DNS domain name
     * @param routes           the networks reached through the tunnel
     */
    public record Answers(int serverIdentifier, int subnetMask, List<Inet4Address> dns, Optional<String> domain,
                          List<ClasslessRoutes.Route> routes) {
        public Answers {
            dns = List.copyOf(dns);
            routes = List.copyOf(routes);
        }
    }

    /** What to do with a request. */
    public sealed interface Outcome {
        /** Send {@code ack} to the client. */
        record Reply(DhcpMessage ack) implements Outcome {}

        /** Send nothing. */
        record Drop(DhcpDropReason reason, String detail) implements Outcome {}
    }

    private static final int[] ANSWERABLE = {
            DhcpOptionCode.SUBNET_MASK.code(), DhcpOptionCode.DOMAIN_NAME_SERVER.code(), DhcpOptionCode.DOMAIN_NAME.code(),
            DhcpOptionCode.CLASSLESS_STATIC_ROUTE.code(), DhcpOptionCode.MS_CLASSLESS_STATIC_ROUTE.code()};

    private final Answers answers;

    public InformResponder(Answers answers) {
        this.answers = answers;
    }

    public Answers answers() {
        return answers;
    }

    public Outcome answer(DhcpMessage request) {
        if (request.op() != DhcpMessage.BOOTREQUEST) return new Outcome.Drop(DhcpDropReason.MALFORMED, "op " + request.op());
        Optional<DhcpMessageType> type = request.messageType();
        if (type.isEmpty()) return new Outcome.Drop(DhcpDropReason.NOT_INFORM, "no DHCP Message Type");
        if (type.get() != DhcpMessageType.DHCPINFORM) return new Outcome.Drop(DhcpDropReason.NOT_INFORM, type.get().name());
        Optional<byte[]> asked = request.option(DhcpOptionCode.PARAMETER_REQUEST_LIST).map(DhcpOption::data);
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.DHCPACK.code()}));
        options.add(new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, address(answers.serverIdentifier())));
        for (int code : ANSWERABLE) {
            if (asked.isPresent() && !contains(asked.get(), code)) continue;
            Optional<byte[]> data = data(code);
            if (data.isEmpty()) continue;
            if (data.get().length > 255) {
                return new Outcome.Drop(DhcpDropReason.REPLY_TOO_LARGE, "option " + code + " would be " + data.get().length + " octets");
            }
            options.add(new DhcpOption(code, data.get()));
        }
        DhcpMessage ack = new DhcpMessage(DhcpMessage.BOOTREPLY, request.htype(), request.hlen(), 0, request.xid(), 0,
                request.flags(), request.ciaddr(), 0, 0, request.giaddr(), request.chaddr(), options);
        int limit = maxMessage(request);
        int length = DhcpCodec.encodedLength(ack);
        if (length > limit) {
            return new Outcome.Drop(DhcpDropReason.REPLY_TOO_LARGE, "the DHCPACK would be " + length + " octets, the client takes " + limit);
        }
        return new Outcome.Reply(ack);
    }

    /** RFC 2131 section 2 and RFC 2132 section 9.10: 576 octets of IP datagram unless the client allows more. */
    private static int maxMessage(DhcpMessage request) {
        int datagram = request.option(DhcpOptionCode.MAXIMUM_DHCP_MESSAGE_SIZE).map(DhcpOption::data)
                .filter(d -> d.length == 2).map(d -> (d[0] & 0xff) << 8 | d[1] & 0xff)
                .filter(v -> v >= DhcpCodec.DEFAULT_MAX_DATAGRAM).orElse(DhcpCodec.DEFAULT_MAX_DATAGRAM);
        return Math.min(datagram, 1500) - 20 - 8;
    }

    private Optional<byte[]> data(int code) {
        return switch (DhcpOptionCode.of(code).orElseThrow()) {
            case SUBNET_MASK -> Optional.of(address(answers.subnetMask()));
            case DOMAIN_NAME_SERVER -> {
                if (answers.dns().isEmpty()) yield Optional.empty();
                byte[] d = new byte[4 * answers.dns().size()];
                for (int i = 0; i < answers.dns().size(); i++) System.arraycopy(answers.dns().get(i).getAddress(), 0, d, 4 * i, 4);
                yield Optional.of(d);
            }
            case DOMAIN_NAME -> answers.domain().map(d -> d.getBytes(StandardCharsets.US_ASCII));
            case CLASSLESS_STATIC_ROUTE, MS_CLASSLESS_STATIC_ROUTE ->
                    answers.routes().isEmpty() ? Optional.empty() : Optional.of(ClasslessRoutes.encode(answers.routes()));
            default -> Optional.empty();
        };
    }

    private static boolean contains(byte[] list, int code) {
        for (byte b : list) if ((b & 0xff) == code) return true;
        return false;
    }

    private static byte[] address(int a) {
        return Ipv4.fromInt(a).getAddress();
    }
}
