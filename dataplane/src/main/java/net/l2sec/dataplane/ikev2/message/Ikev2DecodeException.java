package net.l2sec.dataplane.ikev2.message;

/** A datagram that is not a well-formed IKEv2 message; carries the drop reason for the counter. */
public final class Ikev2DecodeException extends Exception {
    private final Ikev2DropReason reason;

    public Ikev2DecodeException(Ikev2DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Ikev2DropReason reason() {
        return reason;
    }
}
