package net.l2sec.dataplane.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import net.l2sec.dataplane.RefusalLog;
import net.l2sec.dataplane.dhcp.DhcpCodec;
import net.l2sec.dataplane.dhcp.DhcpMessage;
import net.l2sec.dataplane.dhcp.InformResponder;
import net.l2sec.dataplane.dhcp.MalformedDhcpException;
import net.l2sec.dataplane.dhcp.DhcpDropReason;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ip.Udp;
import org.slf4j.Logger;

/**
 * The DHCP server end of a session's link (PPP, or an IKEv2 client's tunnel): a DHCPINFORM the client sends after IPCP (Windows does, to learn
 * its routes and domain) is answered here, on the session's loop, and never reaches the TUN device. It claims UDP
 * to port 67 sent to the limited broadcast address or to our own address (RFC 2131 section 4.4.3: the client
 * broadcasts it, or sends it to a server it knows); a DHCP message to any other address is the client's business
 * with a server behind us and passes. The ACK goes to the client's address, port 68 (RFC 2131 section 4.3.5:
 * to {@code ciaddr}, which on a PPP link is that address). Whatever cannot be answered is dropped and counted.
 */
public final class DhcpInform {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    private static final int LIMITED_BROADCAST = 0xffffffff;

    /** What a {@link DhcpInform} counts: the session kind's own meters. */
    public interface Meters {
        void dhcpReplied();

        void dhcpDropped(DhcpDropReason reason);
    }

    private final Logger log;
    private final String tag;
    private final InformResponder responder;
    private final Meters meters;
    private final RefusalLog refusals;
    private boolean answeredOnce;

    /**
     * @param log      the session's logger
     * @param refusals where dropped messages are logged, rate-limited
     */
    public DhcpInform(String tag, InformResponder responder, Meters meters, RefusalLog refusals, Logger log) {
        this.log = log;
        this.tag = tag;
        this.responder = responder;
        this.meters = meters;
        this.refusals = refusals;
    }

    /** True when {@code packet} (well-formed IPv4 from the client) is for this server. */
    public boolean claims(ByteBuf packet) {
        int destination = Ipv4.destination(packet);
        return (destination == LIMITED_BROADCAST || destination == responder.answers().serverIdentifier())
                && Udp.isTo(packet, SERVER_PORT);
    }

    /** The ACK for the request in {@code packet} (claimed), or null when it is dropped. Does not release {@code packet}. */
    public ByteBuf answer(ByteBuf packet, int clientAddress, ByteBufAllocator alloc) {
        int payload = Udp.checkedPayload(packet);
        if (payload < 0) return drop(DhcpDropReason.MALFORMED, "bad UDP length or checksum");
        DhcpMessage request;
        try {
            request = DhcpCodec.decode(packet.slice(payload, Udp.payloadLength(packet)));
        } catch (MalformedDhcpException e) {
            return drop(e.reason(), e.getMessage());
        }
        return switch (responder.answer(request)) {
            case InformResponder.Outcome.Drop d -> drop(d.reason(), d.detail());
            case InformResponder.Outcome.Reply r -> {
                meters.dhcpReplied();
                if (!answeredOnce) {
                    answeredOnce = true;
                    var a = responder.answers();
                    log.info("session={} dhcpinform answered routes={} domain={}", tag,
                            a.routes().stream().map(x -> Ipv4.fromInt(x.subnet()).getHostAddress() + "/" + x.width()).toList(),
                            a.domain().orElse("-"));
                }
                yield Udp.datagram(alloc, responder.answers().serverIdentifier(), clientAddress, SERVER_PORT, CLIENT_PORT,
                        DhcpCodec.encodedLength(r.ack()), out -> DhcpCodec.encode(r.ack(), out));
            }
        };
    }

    private ByteBuf drop(DhcpDropReason reason, String detail) {
        meters.dhcpDropped(reason);
        refusals.refused(reason, "session={} dhcp message dropped reason={}: {}", tag, reason.tag(), detail);
        return null;
    }
}
