package net.l2sec.dataplane.ipsec;

import io.netty.buffer.ByteBuf;

/**
 * Where the inner IP packets of a tunnel-mode ESP SA go (RFC 4303 section 3.1.2): the client's session. Called on
 * the event loop that owns the SA.
 */
@FunctionalInterface
public interface TunnelEnd {
    /**
     * One IPv4 or IPv6 packet (starting at its IP header) that arrived decrypted and authenticated, its header
     * already checked against the ESP Next Header and its length trimmed to the IP length. Ownership passes.
     */
    void receive(ByteBuf innerIpPacket);
}
