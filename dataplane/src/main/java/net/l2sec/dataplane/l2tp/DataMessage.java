package net.l2sec.dataplane.l2tp;

import io.netty.buffer.ByteBuf;

/**
 * A data message (T bit clear) carrying one PPP frame. The payload is a retained slice of the datagram: whoever
 * holds the message owns one reference and passes it on or releases it.
 *
 * @param sequenced whether the S bit was set (then {@code ns} and {@code nr} are meaningful)
 * @param ns        data sequence number when sequenced
 * @param nr        reserved in data messages (RFC 2661 section 3.1), kept as received
 */
public record DataMessage(int tunnelId, int sessionId, boolean sequenced, int ns, int nr, ByteBuf payload)
        implements L2tpMessage {
}
