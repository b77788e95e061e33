package net.l2sec.dataplane.ike.message;

/**
 * The fixed ISAKMP header (RFC 2408 section 3.1).
 *
 * @param initiatorCookie CKY-I
 * @param responderCookie CKY-R, 0 in an initiator's first message
 * @param nextPayload     type of the first payload
 * @param version         major/minor, 0x10 for IKEv1
 * @param flags           {@link #ENCRYPTED}, {@link #COMMIT}, {@link #AUTH_ONLY}
 * @param length          total message length in octets, header included
 */
public record IsakmpHeader(long initiatorCookie, long responderCookie, int nextPayload, int version,
                           ExchangeType exchangeType, int flags, int messageId, int length) {
    public static final int LENGTH = 28;
    public static final int VERSION_1_0 = 0x10;
    public static final int ENCRYPTED = 0x01;
    public static final int COMMIT = 0x02;
    public static final int AUTH_ONLY = 0x04;

    public boolean encrypted() {
        return (flags & ENCRYPTED) != 0;
    }

    public IsakmpHeader withLength(int newLength) {
        return new IsakmpHeader(initiatorCookie, responderCookie, nextPayload, version, exchangeType, flags, messageId,
                newLength);
    }
}
