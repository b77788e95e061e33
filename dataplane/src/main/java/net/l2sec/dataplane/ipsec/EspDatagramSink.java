package net.l2sec.dataplane.ipsec;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** Where UDP-encapsulated ESP packets (RFC 3948: UDP payload starting with a non-zero SPI) go. */
@FunctionalInterface
public interface EspDatagramSink {
    /** @param packet the ESP packet from the SPI on; ownership passes to the sink */
    void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf packet);
}
