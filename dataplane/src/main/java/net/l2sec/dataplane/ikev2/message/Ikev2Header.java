package net.l2sec.dataplane.ikev2.message;

/**
 * The IKE header (RFC 7296 section 3.1), 28 octets.
 *
 * @param initiatorSpi the IKE SA initiator's SPI
 * @param responderSpi the responder's SPI, zero in the first IKE_SA_INIT request
 * @param nextPayload  the type of the first payload
 * @param exchange     the exchange type's wire code ({@link ExchangeType})
 * @param flags        {@link #INITIATOR}, {@link #RESPONSE}
 * @param messageId    the message ID (section 2.2)
 * @param length       the whole message's length in octets
 */
public record Ikev2Header(long initiatorSpi, long responderSpi, int nextPayload, int exchange, int flags, int messageId,
                          int length) {
    public static final int LENGTH = 28;
    /** Major version 2, minor version 0. */
    public static final int VERSION = 0x20;
    /** I: sent by the original initiator of the IKE SA. */
    public static final int INITIATOR = 0x08;
    /** V: the sender can speak a higher major version (never set by us, ignored when received). */
    public static final int VERSION_FLAG = 0x10;
    /** R: this message is a response. */
    public static final int RESPONSE = 0x20;

    public boolean response() {
        return (flags & RESPONSE) != 0;
    }

    public boolean fromInitiator() {
        return (flags & INITIATOR) != 0;
    }

    public Ikev2Header withLength(int newLength) {
        return new Ikev2Header(initiatorSpi, responderSpi, nextPayload, exchange, flags, messageId, newLength);
    }

    public Ikev2Header withNextPayload(int type) {
        return new Ikev2Header(initiatorSpi, responderSpi, type, exchange, flags, messageId, length);
    }

    @Override
    public String toString() {
        return String.format("Ikev2Header[spi=%016x/%016x exchange=%d flags=%02x mid=%d length=%d]", initiatorSpi,
                responderSpi, exchange, flags, messageId & 0xffffffffL, length);
    }
}
