package net.l2sec.dataplane.ike.message;

/** Bytes that are not a well-formed ISAKMP message; the edge counts it under {@link #reason()} and drops it. */
public final class IkeDecodeException extends Exception {
    private final IkeDropReason reason;

    public IkeDecodeException(IkeDropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public IkeDropReason reason() {
        return reason;
    }
}
