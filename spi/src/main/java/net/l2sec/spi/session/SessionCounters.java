package net.l2sec.spi.session;

/**
 * IP traffic of a session since it was authorized, as accounting reports it (RFC 2866 sections 5.3-5.8: "input"
 * is what the NAS received from the client). 64-bit; RADIUS splits octets into Gigawords (RFC 2869 section 5.1).
 */
public record SessionCounters(long inputOctets, long outputOctets, long inputPackets, long outputPackets) {
    public static final SessionCounters ZERO = new SessionCounters(0, 0, 0, 0);
}
