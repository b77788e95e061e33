/**
 * The Netty side of our UDP ports: the sockets of every local address ({@link
 * net.l2sec.dataplane.udp.LocalAddressSockets}, following the host's addresses with {@link
 * net.l2sec.dataplane.udp.LocalAddressMonitor}), the thin channel handlers that hand each datagram with its local
 * address to the protocol that owns the port (IKE on UDP/500, RFC 3948 demultiplexing on UDP/4500, L2TP on
 * UDP/1701), and the sender that picks the socket a reply must leave from. No protocol logic lives here.
 */
package net.l2sec.dataplane.udp;
