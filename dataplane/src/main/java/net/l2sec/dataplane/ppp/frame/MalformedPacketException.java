package net.l2sec.dataplane.ppp.frame;

/** A frame or packet that violates its wire format; the receiver discards it and counts it, never more. */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
