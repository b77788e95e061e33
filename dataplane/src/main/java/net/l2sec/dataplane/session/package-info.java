/**
 * What a client's session is, whatever carries it: PPP over L2TP ({@code ppp}) or an IKEv2 client's tunnel-mode
 * ESP ({@link net.l2sec.dataplane.session.RemoteAccessSession}). One {@link net.l2sec.dataplane.session.SessionRegistry}
 * holds every established {@link net.l2sec.dataplane.session.ClientSession} for accounting, the admin interface,
 * RADIUS Disconnect/CoA and the per-user and per-rule session limits; {@link net.l2sec.dataplane.session.AddressAssignment}
 * gives the IPv4 address (pool or Framed-IP-Address), {@link net.l2sec.dataplane.session.SessionLimits} runs the
 * Session-Timeout and Idle-Timeout, {@link net.l2sec.dataplane.session.TokenBucket} polices a bandwidth limit and
 * {@link net.l2sec.dataplane.session.DhcpInform} answers DHCPINFORM. Depends on {@code ip}, {@code ipsec},
 * {@code dhcp} and the SPI; {@code ppp} depends on this package, never the reverse.
 */
package net.l2sec.dataplane.session;
