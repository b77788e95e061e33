package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;

/** Where IPv4 packets addressed to one client go: that client's PPP session. Called on its event loop. */
@FunctionalInterface
public interface IpSink {
    /** Sends one IPv4 packet (starting at the IP header) to the client. Ownership passes to the sink. */
    void sendIp(ByteBuf packet);
}
