/**
 * The packet path of the concentrator: L2TPv2 LNS ({@code l2tp}), PPP ({@code ppp}), the IPv4 hand-off to the
 * Linux TUN device ({@code ip}, {@code tun}); IKEv1 and ESP come later. Types in this top-level package and in
 * {@code auth} and {@code time} are the contracts the other modules see. This module never imports RADIUS or
 * LDAP classes: authentication reaches it only through {@link net.l2sec.dataplane.auth.Authenticator}.
 */
package net.l2sec.dataplane;
