package net.l2sec.spi.session;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv6Framing;

/**
 * An established session (authenticated, address assigned, IPCP opened): what accounting reports and what a
 * Disconnect-Request or an operator selects on.
 *
 * @param acctSessionId  unique per session and concentrator run (RFC 2866 section 5.5 Acct-Session-Id)
 * @param tag            the log tag, {@code t<tunnel>/s<session>}
 * @param user           the user name the backend accepted
 * @param method         how the user authenticated
 * @param peer           the client's public address and port (Calling-Station-Id, Tunnel-Client-Endpoint)
 * @param address        the client's tunnel address (Framed-IP-Address)
 * @param nasPort        NAS-Port: our L2TP tunnel ID in the high 16 bits, session ID in the low 16
 * @param authorized     when the session was authorized (Acct-Session-Time counts from here)
 * @param authorization  what the policy gave the user (rule, classes, groups, timeouts)
 * @param client         what the client said about itself (host, vendor, LCP Identification, IKE vendor IDs and
 *                       DH group) and the {@link ClientKind} that makes of it
 * @param ipv6           the session's IPv6: the /64 reserved for it (Framed-IPv6-Prefix) and the prefix delegated to
 *                       it (Delegated-IPv6-Prefix); {@link Ipv6Framing#none()} for an IPv4-only session
 * @param protocol       what carries the session: L2TP/PPP or IKEv2 tunnel mode (the shorter constructors: L2TP)
 */
public record ActiveSession(String acctSessionId, String tag, String user, AuthMethod method, InetSocketAddress peer,
                            Inet4Address address, long nasPort, Instant authorized, Authorization authorization,
                            ClientIdentity client, Ipv6Framing ipv6, SessionProtocol protocol) {
    public ActiveSession {
        if (client == null) client = ClientIdentity.NONE;
        if (ipv6 == null) ipv6 = Ipv6Framing.none();
        if (protocol == null) protocol = SessionProtocol.L2TP;
    }

    /** An L2TP session. */
    public ActiveSession(String acctSessionId, String tag, String user, AuthMethod method, InetSocketAddress peer,
                         Inet4Address address, long nasPort, Instant authorized, Authorization authorization,
                         ClientIdentity client, Ipv6Framing ipv6) {
        this(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization, client, ipv6,
                SessionProtocol.L2TP);
    }

    /** A client that said nothing about itself, IPv4 only. */
    public ActiveSession(String acctSessionId, String tag, String user, AuthMethod method, InetSocketAddress peer,
                         Inet4Address address, long nasPort, Instant authorized, Authorization authorization) {
        this(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization, ClientIdentity.NONE,
                Ipv6Framing.none());
    }

    /** IPv4 only. */
    public ActiveSession(String acctSessionId, String tag, String user, AuthMethod method, InetSocketAddress peer,
                         Inet4Address address, long nasPort, Instant authorized, Authorization authorization,
                         ClientIdentity client) {
        this(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization, client, Ipv6Framing.none());
    }

    /** A client that said nothing about itself. */
    public ActiveSession(String acctSessionId, String tag, String user, AuthMethod method, InetSocketAddress peer,
                         Inet4Address address, long nasPort, Instant authorized, Authorization authorization,
                         Ipv6Framing ipv6) {
        this(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization, ClientIdentity.NONE, ipv6);
    }

    public ActiveSession withClient(ClientIdentity identity) {
        return new ActiveSession(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization,
                identity, ipv6, protocol);
    }

    public ActiveSession withIpv6(Ipv6Framing next) {
        return new ActiveSession(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization,
                client, next, protocol);
    }

    /** The client reaches us from {@code next} now (IKEv2: MOBIKE or NAT rebinding). */
    public ActiveSession withPeer(InetSocketAddress next) {
        return new ActiveSession(acctSessionId, tag, user, method, next, address, nasPort, authorized, authorization,
                client, ipv6, protocol);
    }

    public ActiveSession withProtocol(SessionProtocol next) {
        return new ActiveSession(acctSessionId, tag, user, method, peer, address, nasPort, authorized, authorization,
                client, ipv6, next);
    }
}
