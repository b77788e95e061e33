package net.l2sec.dataplane.ipsec;

import io.netty.buffer.ByteBuf;

/**
 * Sends IP packets to one IKE SA's client through its tunnel-mode ESP: the newest outbound SA the IKE SA installed
 * (so sending follows rekeys), from the address and port the peer reaches us on, to where it is now (NAT
 * rebinding, MOBIKE). One handle per IKE SA, valid for its whole life: before the first install and after the last
 * delete, sends fail. Called on the event loop that owns the SAs.
 */
@FunctionalInterface
public interface TunnelSender {
    /**
     * Encrypts and sends one IPv4 or IPv6 packet (starting at its IP header). Ownership passes, and the buffer may
     * be written in front of its reader index and behind its writer index ({@link net.l2sec.dataplane.PacketBuffers}).
     *
     * @return false when nothing was sent (no SA, sequence numbers or lifetime used up, not an IP packet): the packet
     *         is released and the drop counted
     */
    boolean send(ByteBuf ipPacket);
}
