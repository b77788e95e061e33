package net.l2sec.dataplane.ike.message;

/** Bytes that are not a well-formed ISAKMP message; the edge counts it under {@link #reason()} and drops it. */
public final class IkeDecodeException extends Exception {
    private final DropReason reason;

    public IkeDecodeException(DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public DropReason reason() {
        return reason;
    }
}
