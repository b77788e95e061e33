package net.l2sec.dataplane.ip;

import io.netty.buffer.ByteBuf;

/** Where IP packets (IPv4 and IPv6) from clients go: the TUN device, i.e. the kernel's routing. */
@FunctionalInterface
public interface IpEgress {
    /** Writes one IPv4 or IPv6 packet (starting at the IP header). Ownership passes to the egress (it releases it). */
    void write(ByteBuf packet);
}
