package net.l2sec.dataplane.ipsec;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** Where IKE messages arriving on UDP/500 or UDP/4500 (non-ESP marker already removed) go. */
@FunctionalInterface
public interface IkeDatagramSink {
    /**
     * @param peer     the sender's address and port
     * @param local    the local address and port it arrived on (500 or 4500)
     * @param message  the ISAKMP message; ownership passes to the sink
     */
    void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf message);
}
