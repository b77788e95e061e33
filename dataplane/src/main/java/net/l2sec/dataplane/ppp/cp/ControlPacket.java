package net.l2sec.dataplane.ppp.cp;

import java.util.List;

/**
 * Control protocol packets (RFC 1661 section 5), shared by LCP and the NCPs. Byte arrays are never mutated after
 * decoding; they are carried as received.
 */
public sealed interface ControlPacket {
    int identifier();

    /** The packets that carry a list of Configuration Options. */
    sealed interface Configure extends ControlPacket {
        List<ConfigOption> options();
    }

    record ConfigureRequest(int identifier, List<ConfigOption> options) implements Configure {
        public ConfigureRequest { options = List.copyOf(options); }
    }

    record ConfigureAck(int identifier, List<ConfigOption> options) implements Configure {
        public ConfigureAck { options = List.copyOf(options); }
    }

    record ConfigureNak(int identifier, List<ConfigOption> options) implements Configure {
        public ConfigureNak { options = List.copyOf(options); }
    }

    record ConfigureReject(int identifier, List<ConfigOption> options) implements Configure {
        public ConfigureReject { options = List.copyOf(options); }
    }

    record TerminateRequest(int identifier, byte[] data) implements ControlPacket {}

    record TerminateAck(int identifier, byte[] data) implements ControlPacket {}

    /** @param rejectedPacket the rejected packet from its Code field on */
    record CodeReject(int identifier, byte[] rejectedPacket) implements ControlPacket {}

    /** LCP only (section 5.7). */
    record ProtocolReject(int identifier, int rejectedProtocol, byte[] rejectedInformation) implements ControlPacket {}

    /** LCP only (section 5.8). */
    record EchoRequest(int identifier, int magicNumber, byte[] data) implements ControlPacket {}

    /** LCP only (section 5.8). */
    record EchoReply(int identifier, int magicNumber, byte[] data) implements ControlPacket {}

    /** LCP only (section 5.9). */
    record DiscardRequest(int identifier, int magicNumber, byte[] data) implements ControlPacket {}

    /**
     * LCP only (RFC 1570 section 2.1): the sender names itself, e.g. Windows' {@code MSRASV5.20} and
     * {@code MSRAS-0-<computer name>}. Never answered.
     *
     * @param message the Message field as sent (implementation dependent, meant to be human readable)
     */
    record Identification(int identifier, int magicNumber, byte[] message) implements ControlPacket {}

    /** A code this protocol does not know; answered with Code-Reject. {@code packet} is the whole packet. */
    record UnknownCode(int identifier, int code, byte[] packet) implements ControlPacket {}
}
