package net.l2sec.dataplane.l2tp;

/** Why an incoming datagram was dropped: the {@code reason} tag of {@code l2sec.l2tp.packets.dropped}. */
public enum L2tpDropReason {
    MALFORMED_HEADER, BAD_VERSION, BAD_LENGTH, BAD_CONTROL_BITS, BAD_AVP, BAD_HIDDEN_AVP, UNKNOWN_TUNNEL,
    UNKNOWN_SESSION, WRONG_PEER, UNEXPECTED_MESSAGE, OUT_OF_WINDOW, SESSION_NOT_ESTABLISHED,
    /** A bug: handling the datagram threw. Counted so that it shows on a dashboard, logged with the stack trace. */
    INTERNAL_ERROR;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
