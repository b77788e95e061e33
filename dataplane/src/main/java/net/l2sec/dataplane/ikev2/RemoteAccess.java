package net.l2sec.dataplane.ikev2;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ipsec.TunnelEnd;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;

/**
 * What the IKEv2 responder needs from the sessions every kind of client shares (registry, pools, accounting,
 * Disconnect/CoA, the TUN packet path): the wiring adapts the dataplane's session layer to it. Called on the IKE
 * SA's event loop.
 */
public interface RemoteAccess {
    /**
     * The identity of a new client's session-to-be: its Acct-Session-Id and NAS-Port, unique per run, logged under
     * the IKE SA's tag {@code ikeSaTag}. Taken before authentication: the Access-Request carries it.
     */
    SessionContext context(String ikeSaTag, InetSocketAddress peer, ClientIdentity client);

    /**
     * Opens the session of an authenticated client: its internal address and what the configuration payload
     * tells it (RFC 7296 section 3.15), or why not.
     *
     * @param toClient             sends the client's IP packets into its tunnel (follows child SA rekeys)
     * @param disconnectRequested  called when an operator, RADIUS Disconnect or a session/idle timeout ends the
     *                             session: the responder then deletes the IKE SA and calls {@link Session#close}
     */
    Opening open(SessionContext context, AuthMethod method, AuthResult.Accept accept, ClientIdentity client,
                 boolean wantsIpv6, TunnelSender toClient, java.util.function.Consumer<EndCause> disconnectRequested);

    /** The outcome of {@link #open}. */
    sealed interface Opening {
        record Opened(Session session, Inet4Address address, Optional<Inet6Address> address6, List<InetAddress> dns,
                      List<Inet4Address> nbns, List<Ipv4Route> routes, Optional<String> domain) implements Opening {}

        /**
         * @param cause  why: an address cause ({@link EndCause#NO_POOL}, {@link EndCause#POOL_EXHAUSTED},
         *               {@link EndCause#ADDRESS_IN_USE}) or a session limit
         * @param detail for the log
         */
        record Refused(EndCause cause, String detail) implements Opening {}
    }

    /** An open session: the inner packets of its tunnel go to it ({@link TunnelEnd}); closed once. */
    interface Session extends TunnelEnd {
        void close(EndCause cause);

        /** The peer moved (MOBIKE or NAT rebinding): accounting reports the new address from now on. */
        default void peerMoved(InetSocketAddress peer) {
        }
    }
}
