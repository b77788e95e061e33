/**
 * PPP (RFC 1661) over an L2TP call, server side: we are the authenticator and give the client its address.
 *
 * <p>{@link net.l2sec.dataplane.ppp.PppSession} is one session. It dispatches the frames it receives and makes the
 * phase transitions of RFC 1661 section 3.2 (Establish, Authenticate, Network, Terminate, Dead); the work of each
 * phase is an object of its own: {@code LinkMaintenance} (LCP Echo keepalive and Protocol-Reject),
 * {@code Authentication} (one of {@code auth}'s protocols against the {@link net.l2sec.spi.auth.Authenticator}),
 * {@link net.l2sec.dataplane.session.AddressAssignment} (pool or RADIUS Framed-IP-Address),
 * {@link net.l2sec.dataplane.session.SessionLimits} (Session-Timeout, Idle-Timeout, their CoA changes),
 * {@code NetworkLayer} (IPCP), with an IPv6 pool {@code PrefixAssignment} (a /64
 * from the pool or RADIUS Framed-IPv6-Prefix) and {@code Ipv6NetworkLayer} (IPV6CP, Router Advertisements, Router
 * Solicitations), {@code PacketPath} (IPv4 and IPv6 both ways, anti-spoofing, counters) and
 * {@code Accounting} (what {@link net.l2sec.dataplane.session.SessionRegistry} tells accounting). What is not PPP's
 * own (the registry, the address, the limits, the token bucket, the DHCPINFORM server) lives in {@code session} and
 * serves IKEv2 clients' sessions too; {@code ppp} depends on {@code session}, never the reverse. A session ends for
 * one {@link net.l2sec.spi.session.EndCause}, which it hands to the lower layer and to accounting.
 * {@link net.l2sec.dataplane.ppp.PppSessionFactory} starts sessions on new calls.
 *
 * <p>Sub-packages: {@code cp}, the option negotiation automaton of RFC 1661 section 4 that LCP, IPCP and IPV6CP share, with
 * the control packet codec; {@code lcp}, {@code ipcp} and {@code ipv6cp}, their option rules; {@code auth}, PAP, CHAP with MD5 or
 * MS-CHAPv2, and EAP (local EAP-MSCHAPv2 and EAP-MD5, or pass-through); {@code frame}, the frame codec and the
 * protocol numbers. Metric tags come from enums: {@link net.l2sec.dataplane.ppp.PppDropReason},
 * {@link net.l2sec.dataplane.ppp.PppIpDropReason}, and the failures among the {@code EndCause}s.
 */
package net.l2sec.dataplane.ppp;
