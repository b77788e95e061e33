package net.l2sec.dataplane.l2tp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * The path L2TP datagrams take to a peer: plain UDP now, later an ESP security association. A tunnel stays bound
 * to the transport it was created through and accepts datagrams only from that same transport.
 */
@FunctionalInterface
public interface L2tpTransport {
    /**
     * Sends one datagram to {@code peer}; ownership of {@code datagram} passes to the transport, and the buffer may
     * be written in front of its reader index and behind its writer index (ESP's headers, padding and ICV, in place
     * when the buffer has the room and is not shared: {@link net.l2sec.dataplane.PacketBuffers}).
     */
    void send(InetSocketAddress peer, ByteBuf datagram);
}
