package net.l2sec.dataplane.l2tp;

/** A datagram that is not a well-formed L2TPv2 message; the edge counts it under {@link #reason()} and drops it. */
public final class L2tpDecodeException extends Exception {
    private final L2tpDropReason reason;

    public L2tpDecodeException(L2tpDropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public L2tpDropReason reason() {
        return reason;
    }
}
