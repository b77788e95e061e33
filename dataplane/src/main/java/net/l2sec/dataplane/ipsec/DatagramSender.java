package net.l2sec.dataplane.ipsec;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Sends a UDP payload from one of our IPsec sockets. For IKE on UDP/4500 the caller prepends the 4-octet
 * non-ESP marker itself (RFC 3948 section 2.2); for ESP it sends the ESP packet as is.
 */
@FunctionalInterface
public interface DatagramSender {
    /** @param local which of our sockets (port 500 or 4500) to send from; ownership of payload passes */
    void send(InetSocketAddress local, InetSocketAddress peer, ByteBuf payload);
}
