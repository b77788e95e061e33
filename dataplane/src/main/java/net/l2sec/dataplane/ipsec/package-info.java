/**
 * Contracts between IKE ({@code ike}) and ESP ({@code esp}) and the UDP ports they share: the child SA that a
 * Quick Mode hands to ESP, the sinks and the sender for datagrams, the algorithms they agree on, and the UDP/4500
 * demultiplexing of RFC 3948 (non-ESP marker for IKE, NAT keepalive, ESP). Neither {@code ike} nor {@code esp}
 * depends on the other; both depend on this package. The Netty handlers and sockets are in {@code udp}.
 */
package net.l2sec.dataplane.ipsec;
