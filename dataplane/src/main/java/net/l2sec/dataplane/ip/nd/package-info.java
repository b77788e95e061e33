/**
 * IPv6 router discovery on a client's PPP link (RFC 4861 sections 4.1, 4.2, 4.6 and 6.1; RFC 4191 Default Router
 * Preference; RFC 8106 RDNSS): {@link net.l2sec.dataplane.ip.nd.NdMessage} Router Solicitations and Advertisements
 * with their {@link net.l2sec.dataplane.ip.nd.NdOption}s, and {@link net.l2sec.dataplane.ip.nd.NdCodec}, which
 * turns whole IPv6 packets into messages (with the section 6.1 validity checks) and back (hop limit 255, ICMPv6
 * checksum). What a session advertises and when is the PPP layer's business ({@code Ipv6NetworkLayer}).
 */
package net.l2sec.dataplane.ip.nd;
