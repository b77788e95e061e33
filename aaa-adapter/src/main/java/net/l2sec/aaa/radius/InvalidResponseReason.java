package net.l2sec.aaa.radius;

import java.util.Locale;

/**
 * Why a datagram received for one of our RADIUS requests is not taken as its response: the {@code reason} tag of
 * {@code l2sec.aaa.radius.invalid.responses} and of the log line.
 */
public enum InvalidResponseReason {
    /** Not from the server the request went to. */
    SOURCE,
    /** Not a well-formed RADIUS packet (RFC 2865 section 3), or one the codec cannot read. */
    MALFORMED,
    /** No request of ours holds this Identifier, and the datagram answers none that held it before. */
    IDENTIFIER,
    /** The Response Authenticator does not verify (RFC 2865 section 3): a shared secret mismatch. */
    RESPONSE_AUTHENTICATOR,
    /** The Message-Authenticator does not verify (RFC 3579 section 3.2). */
    MESSAGE_AUTHENTICATOR,
    /** An Access-Accept, -Reject or -Challenge without Message-Authenticator where one is required (BlastRADIUS). */
    MISSING_MESSAGE_AUTHENTICATOR,
    /**
     * A genuine answer to a request already answered or given up: the server answered a retransmission as well, or
     * answered after our timeout. Not a security event (logged at DEBUG); many of them mean the timeout is too short
     * for the server.
     */
    LATE;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
