/**
 * The packet path of the concentrator: the IKEv1 responder ({@code ike}), ESP ({@code esp}) and what they share
 * ({@code ipsec}), the sockets of every local address ({@code udp}), the L2TPv2 LNS ({@code l2tp}), PPP
 * ({@code ppp}), the IPv4 hand-off to the Linux TUN device ({@code ip}, {@code tun}). This module never imports
 * RADIUS or LDAP classes: authentication and accounting reach it only through the contracts of module
 * {@code spi} ({@link net.l2sec.spi.auth.Authenticator}, {@code net.l2sec.spi.session}).
 */
package net.l2sec.dataplane;
