package net.l2sec.dataplane.ike.message;

/** Why an IKE datagram was dropped; {@link #tag()} is the bounded {@code reason} tag of the drop counter. */
public enum IkeDropReason {
    TRUNCATED("truncated"),
    BAD_LENGTH("bad_length"),
    BAD_VERSION("bad_version"),
    ZERO_COOKIE("zero_cookie"),
    UNSUPPORTED_EXCHANGE("unsupported_exchange"),
    MALFORMED_PAYLOAD("malformed_payload"),
    TOO_MANY_PAYLOADS("too_many_payloads"),
    UNKNOWN_SA("unknown_sa"),
    UNEXPECTED_MESSAGE("unexpected_message"),
    DECRYPT_FAILED("decrypt_failed"),
    BAD_HASH("bad_hash"),
    /**
     * An authenticated-looking message that starts an exchange under a message ID the ISAKMP SA has carried already
     * (RFC 2409 section 5.7): a replay, or one of our own messages reflected; neither processed nor moving the SA.
     */
    REUSED_MESSAGE_ID("reused_message_id"),
    /** An unencrypted Informational: logged (it explains many failures on the peer's side), never acted on. */
    UNAUTHENTICATED("unauthenticated"),
    RATE_LIMITED("rate_limited"),
    /**
     * A phase-1 message whose Diffie-Hellman (or signature check) the crypto workers cannot take: all busy, their queue full (a connect
     * storm). Nothing changes; the client resends the message and is served when there is room.
     */
    CRYPTO_BUSY("crypto_busy"),
    /**
     * The peer's message again while the keys it asked for are still being computed (Main Mode message 3,
     * Aggressive Mode message 1) or its signatures checked (message 5): not computed twice; our answer goes out
     * when the work is done.
     */
    KEYING_IN_PROGRESS("keying_in_progress"),
    /**
     * The oldest IKE message waiting for the event loop behind established clients' packets, dropped for a newer one
     * when {@link net.l2sec.dataplane.ike.IkeBacklog#CAPACITY} wait (a connect storm); the client resends it.
     */
    BACKLOG_FULL("backlog_full"),
    HALF_OPEN_LIMIT("half_open_limit"),
    AGGRESSIVE_MODE_REFUSED("aggressive_mode_refused"),
    /** A fragment that breaks the reassembly rules (number, duplicate last, not alone in its datagram). */
    FRAGMENT_INVALID("fragment_invalid"),
    /** Fragments of one message beyond the count or size limit: the whole message is dropped. */
    FRAGMENT_LIMIT("fragment_limit"),
    /** A fragmented message not completed within the reassembly timeout. */
    FRAGMENT_TIMEOUT("fragment_timeout"),
    INTERNAL_ERROR("internal_error");

    private final String tag;

    IkeDropReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
