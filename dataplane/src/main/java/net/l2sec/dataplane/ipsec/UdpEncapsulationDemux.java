package net.l2sec.dataplane.ipsec;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts UDP/4500 payloads the way RFC 3948 section 2 lays them out: a single 0xFF octet is a NAT-keepalive
 * (section 2.3, dropped and counted), four zero octets are the non-ESP marker in front of an IKE message
 * (section 2.2, stripped, the rest to IKE), anything else is an ESP packet starting with its non-zero SPI
 * (section 2.1). Counts {@code l2sec.esp.natt.keepalives} and {@code l2sec.esp.packets.dropped{reason=malformed}}.
 */
public final class UdpEncapsulationDemux {
    private static final Logger log = LoggerFactory.getLogger(UdpEncapsulationDemux.class);
    /** SPI and Sequence Number: the shortest thing that can be ESP at all. */
    static final int MIN_ESP_LENGTH = 8;
    static final int NON_ESP_MARKER_LENGTH = 4;

    private final IkeDatagramSink ike;
    private final EspDatagramSink esp;
    private final Counter keepalives;
    private final Counter malformed;

    public UdpEncapsulationDemux(IkeDatagramSink ike, EspDatagramSink esp, MeterRegistry registry) {
        this.ike = ike;
        this.esp = esp;
        this.keepalives = Counter.builder("l2sec.esp.natt.keepalives").description("NAT-keepalives received (RFC 3948)")
                .register(registry);
        this.malformed = Counter.builder("l2sec.esp.packets.dropped").tag("reason", "malformed")
                .description("ESP packets dropped").register(registry);
    }

    /** One UDP/4500 payload; ownership passes here. */
    public void receive(InetSocketAddress peer, InetSocketAddress local, ByteBuf payload) {
        int length = payload.readableBytes();
        int start = payload.readerIndex();
        if (length == 1 && payload.getUnsignedByte(start) == 0xff) {
            keepalives.increment();
            payload.release();
        } else if (length >= NON_ESP_MARKER_LENGTH && payload.getInt(start) == 0) {
            payload.skipBytes(NON_ESP_MARKER_LENGTH);
            ike.receive(peer, local, payload);
        } else if (length < MIN_ESP_LENGTH) {
            malformed.increment();
            if (log.isDebugEnabled()) log.debug("peer={} udp/4500 payload dropped: {} octets", peer, length);
            payload.release();
        } else {
            esp.receive(peer, local, payload);
        }
    }
}
