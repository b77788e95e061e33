package net.l2sec.dataplane.ikev2.message;

/** Why an IKEv2 datagram was dropped; {@link #tag()} is the bounded {@code reason} tag of the drop counter. */
public enum Ikev2DropReason {
    TRUNCATED("truncated"),
    BAD_LENGTH("bad_length"),
    MALFORMED_PAYLOAD("malformed_payload"),
    TOO_MANY_PAYLOADS("too_many_payloads"),
    /** A payload type we do not know with the critical bit set (RFC 7296 section 2.5). */
    UNSUPPORTED_CRITICAL("unsupported_critical"),
    UNSUPPORTED_EXCHANGE("unsupported_exchange"),
    /** A message with the Response flag: we never send requests that could have led to it, or it came late. */
    UNEXPECTED_RESPONSE("unexpected_response"),
    UNKNOWN_SA("unknown_sa"),
    /** A request whose message ID is neither the next expected one nor the last one (answered again). */
    INVALID_MESSAGE_ID("invalid_message_id"),
    /** The Encrypted payload's ICV or AEAD tag does not verify, or its padding is wrong. */
    DECRYPT_FAILED("decrypt_failed"),
    UNEXPECTED_MESSAGE("unexpected_message"),
    RATE_LIMITED("rate_limited"),
    /** An IKE_SA_INIT without our COOKIE (or with a stale one) while under load: answered with a COOKIE instead. */
    COOKIE_REQUIRED("cookie_required"),
    HALF_OPEN_LIMIT("half_open_limit"),
    CRYPTO_BUSY("crypto_busy"),
    FRAGMENT_INVALID("fragment_invalid"),
    FRAGMENT_LIMIT("fragment_limit"),
    INTERNAL_ERROR("internal_error");

    private final String tag;

    Ikev2DropReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
