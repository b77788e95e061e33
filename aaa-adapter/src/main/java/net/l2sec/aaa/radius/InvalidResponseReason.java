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
    /** The Identifier is not our request's. */
    IDENTIFIER,
    /** The Response Authenticator does not verify (RFC 2865 section 3): a shared secret mismatch. */
    RESPONSE_AUTHENTICATOR,
    /** The Message-Authenticator does not verify (RFC 3579 section 3.2). */
    MESSAGE_AUTHENTICATOR,
    /** An Access-Accept, -Reject or -Challenge without Message-Authenticator where one is required (BlastRADIUS). */
    MISSING_MESSAGE_AUTHENTICATOR;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
