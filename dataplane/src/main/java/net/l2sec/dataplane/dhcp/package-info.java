/**
 * DHCP (RFC 2131, options RFC 2132) as much as a PPP server needs: the answer to a client's DHCPINFORM (RFC 2131
 * section 4.3.5) on its PPP link, carrying the split-tunnel routes as Classless Static Routes (RFC 3442, and
 * Microsoft's option 249 of the same format), the domain name and the DNS servers. {@link DhcpCodec} turns
 * octets into {@link DhcpMessage}s and back and knows nothing of PPP; {@link InformResponder} decides the answer.
 */
package net.l2sec.dataplane.dhcp;
