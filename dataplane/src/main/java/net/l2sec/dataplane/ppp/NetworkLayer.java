package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.DhcpInform;
import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.dhcp.ClasslessRoutes;
import net.l2sec.dataplane.dhcp.InformResponder;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv4;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.LayerActions;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.dataplane.ppp.ipcp.IpcpOptions;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Network-Layer Protocol phase for IPv4 (RFC 1661 section 3.4) of one LCP opening: IPCP (RFC 1332, with the
 * DNS and NBNS options of RFC 1877) gives the client its assigned address. While IPCP is Opened the address is
 * routed to the session's {@link PacketPath} and the path is open, with the session's MSS clamp and a
 * {@link DhcpInform} that answers with the authorization's routes and domain.
 */
final class NetworkLayer {
    /** The session's log lines, under the session's logger. */
    private static final Logger log = LoggerFactory.getLogger(PppSession.class);

    /** What the session hears from IPCP. */
    interface Actions {
        void send(PppProtocol protocol, byte[] packet);

        /** IPCP opened: the session is established (again). */
        void ipcpOpened();

        /** What the client said about itself, for the "ipcp up" line. */
        ClientIdentity client();

        /** IPCP cannot go on: {@link EndCause#IPCP_TIMEOUT}, {@link EndCause#IPCP_CLOSED} or {@link EndCause#ADDRESS_IN_USE}. */
        void ipcpFailed(EndCause cause);
    }

    private final String tag;
    private final int clientAddress;
    private final List<Inet4Address> dns;
    private final ClientRoutes routes;
    private final PacketPath path;
    private final PppMeters meters;
    private final Actions actions;
    private final NegotiationAutomaton ipcp;
    private final int mssLimit;
    private final Optional<RateLimit> rateLimit;
    private final DhcpInform dhcp;
    private boolean opened;
    private boolean everOpened;

    /**
     * @param clientAddress the address {@link AddressAssignment} gave the client for this phase
     * @param authorization its DNS servers, when it names any, replace the configured ones (RFC 1877); its routes
     *                      and domain are what a DHCPINFORM is answered with
     * @param mssLimit      the largest MSS of TCP SYNs through the session, 0 for no clamping
     */
    NetworkLayer(String tag, PppServices services, NegotiationAutomaton.Limits limits, Authorization authorization,
                 int clientAddress, int mssLimit, PacketPath path, Actions actions) {
        PppSettings settings = services.settings();
        this.tag = tag;
        this.clientAddress = clientAddress;
        this.dns = authorization.dns().isEmpty() ? settings.dns() : authorization.dns();
        this.routes = services.routes();
        this.path = path;
        this.meters = services.meters();
        this.actions = actions;
        this.mssLimit = mssLimit;
        this.rateLimit = authorization.rateLimit();
        int local = Ipv4.toInt(settings.localAddress());
        int mask = settings.subnetPrefixLength() == 0 ? 0 : -1 << (32 - settings.subnetPrefixLength());
        List<ClasslessRoutes.Route> routes = authorization.routes().stream().map(r -> route(r, local)).toList();
        this.dhcp = new DhcpInform(tag, new InformResponder(new InformResponder.Answers(local, mask, dns,
                authorization.domain(), routes)), meters, services.refusals(), log);
        var options = new IpcpOptions(Ipv4.toInt(settings.localAddress()), clientAddress, dns, settings.wins());
        this.ipcp = new NegotiationAutomaton(options, new IpcpActions(), services.scheduler(), limits,
                services.random().nextInt(256));
    }

    /** A route through the tunnel: via our address, the client's PPP peer. */
    private static ClasslessRoutes.Route route(Ipv4Route r, int local) {
        return new ClasslessRoutes.Route(Ipv4.toInt(r.destination()), r.prefixLength(), local);
    }

    /** The Network phase began: IPCP negotiates. */
    void start() {
        ipcp.open();
        ipcp.up();
    }

    /** One IPCP packet from the peer. */
    void receive(ControlPacket packet) {
        ipcp.receive(packet);
    }

    /** The peer sent an LCP Protocol-Reject for IPCP: without IPCP the session has no purpose (RXJ-). */
    void rejected() {
        ipcp.rxjMinus();
    }

    /** LCP went down or the session ends (RFC 1661 section 4.4: tld is the NCPs' Down event). */
    void stop() {
        ipcp.down();                       // Opened: tld, the route goes
        ipcp.shutdown();
        down();
    }

    boolean isOpened() {
        return opened;
    }

    private void down() {
        if (!opened) return;
        opened = false;
        path.close();
        routes.unregister(clientAddress, path);
        meters.ipcpDown();
    }

    private final class IpcpActions implements LayerActions {
        @Override
        public void send(ControlPacket packet) {
            actions.send(PppProtocol.IPCP, ControlPacketCodec.encode(packet));
        }

        @Override
        public void thisLayerUp() {
            if (!routes.register(clientAddress, path)) {
                log.warn("session={} address {} already routed to another session", tag, Ipv4.fromInt(clientAddress).getHostAddress());
                actions.ipcpFailed(EndCause.ADDRESS_IN_USE);
                return;
            }
            opened = true;
            everOpened = true;
            path.rateLimit(rateLimit);
            path.open(clientAddress, mssLimit, dhcp);
            meters.ipcpUp();
            actions.ipcpOpened();
            ClientIdentity client = actions.client();
            log.info("session={} ipcp up address={} dns={} mss-clamp={} rate-limit={} client={} host={}", tag,
                    Ipv4.fromInt(clientAddress).getHostAddress(), dns.stream().map(Inet4Address::getHostAddress).toList(),
                    mssLimit == 0 ? "off" : mssLimit, rateLimit.map(Object::toString).orElse("none"), client.kind().label(),
                    LogText.quote(client.host().orElse(null)));
        }

        @Override
        public void thisLayerDown() {
            down();
        }

        @Override
        public void thisLayerFinished() {
            actions.ipcpFailed(everOpened ? EndCause.IPCP_CLOSED : EndCause.IPCP_TIMEOUT);
        }
    }
}
