package net.l2sec.concentrator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.l2sec.dataplane.ikev2.RemoteAccess;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.dataplane.session.RemoteAccessSession;
import net.l2sec.dataplane.session.RemoteAccessSessions;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;

/**
 * The IKEv2 responder's view of one worker's sessions ({@link RemoteAccess}) over the dataplane's
 * {@link RemoteAccessSessions}: the same pools, registry, accounting and packet path as that worker's PPP sessions.
 */
record RemoteAccessPort(RemoteAccessSessions sessions) implements RemoteAccess {
    @Override
    public SessionContext context(String ikeSaTag, InetSocketAddress peer, ClientIdentity client) {
        return sessions.context(ikeSaTag, peer, client);
    }

    @Override
    public Opening open(SessionContext context, AuthMethod method, AuthResult.Accept accept, ClientIdentity client,
                        boolean wantsIpv6, TunnelSender toClient, Consumer<EndCause> disconnectRequested) {
        return switch (sessions.open(context.withClient(client), method, accept, wantsIpv6, toClient, disconnectRequested::accept)) {
            case RemoteAccessSessions.Refused r -> new Opening.Refused(r.cause(), r.detail());
            case RemoteAccessSessions.Opened o -> {
                List<InetAddress> dns = new ArrayList<>(o.dns());
                dns.addAll(o.dns6());
                yield new Opening.Opened(new Session(o.session()), o.address(), o.address6(), dns, o.nbns(), o.routes(), o.domain());
            }
        };
    }

    /** The session as the responder holds it: its tunnel's inner packets, its end, its peer's moves. */
    private record Session(RemoteAccessSession session) implements RemoteAccess.Session {
        @Override
        public void receive(io.netty.buffer.ByteBuf innerIpPacket) {
            session.receive(innerIpPacket);
        }

        @Override
        public void close(EndCause cause) {
            session.close(cause);
        }

        @Override
        public void peerMoved(InetSocketAddress peer) {
            session.peerMoved(peer);
        }
    }
}
