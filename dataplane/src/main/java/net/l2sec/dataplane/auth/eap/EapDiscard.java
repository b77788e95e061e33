package net.l2sec.dataplane.auth.eap;

import java.util.Locale;

/**
 * Why the authenticator discarded an EAP packet from the peer (RFC 3748 section 4.1: a Response that does not answer
 * the outstanding Request is silently discarded; we count it): a metric's {@code reason} label ({@link #label()}).
 */
public enum EapDiscard {
    /** Shorter than its header, or than the Length field says (section 4). */
    TRUNCATED,
    /** A Length field below the header size or one that disagrees with the octets the lower layer carried. */
    BAD_LENGTH,
    /** A Code other than Response (a peer sends only Responses, section 4), or an unknown Code. */
    NOT_A_RESPONSE,
    /** The Identifier is not that of the outstanding Request (section 4.1). */
    WRONG_IDENTIFIER,
    /** A Type that does not answer the outstanding Request (section 4.1), nor a Nak to it. */
    UNEXPECTED_TYPE,
    /** EAP-MSCHAPv2 Type-Data of the wrong OpCode, MS-Length, Value-Size or MS-CHAPv2-ID. */
    BAD_MSCHAPV2,
    /** EAP-MD5-Challenge Type-Data whose Value-Size is not 16 or exceeds the data. */
    BAD_MD5,
    /** A Response while none is expected (the backend is deciding, or the conversation is over). */
    NOT_EXPECTED;

    /** The metric label: the constant's name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
