package net.l2sec.aaa.radius;

import java.util.Locale;

/**
 * Why a request is dropped unanswered (RFC 5176 section 3: silently discarded): the {@code reason} tag of
 * {@code l2sec.radius.dynauth.requests} with {@code result="dropped"} ({@link #DUPLICATE} also with
 * {@code result="resent"}), and of the log line.
 */
public enum DynamicAuthorizationDiscardReason {
    UNKNOWN_CLIENT, MALFORMED, UNSUPPORTED_CODE, BAD_AUTHENTICATOR, BAD_MESSAGE_AUTHENTICATOR,
    /** A retransmission: answered again without executing it, or dropped while the first copy is in progress. */
    DUPLICATE,
    NO_EVENT_TIMESTAMP, STALE_EVENT_TIMESTAMP;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
