package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;

/** Where IP packets (IPv4 and IPv6) addressed to one client go: that client's PPP session. Called on its event loop. */
@FunctionalInterface
public interface IpSink {
    /**
     * Sends one IPv4 or IPv6 packet (starting at the IP header) to the client. Ownership passes to the sink, and the
     * buffer may be written in front of its reader index and behind its writer index (the lower layers' headers and
     * ESP's trailer, see {@link net.l2sec.dataplane.PacketBuffers}); pass a retained buffer to keep it intact.
     */
    void sendIp(ByteBuf packet);
}
