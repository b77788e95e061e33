package net.l2sec.dataplane.auth.eap;

/** An EAP packet that violates its format: the receiver discards it and counts it under {@link #discard()}. */
public final class MalformedEapException extends Exception {
    private static final long serialVersionUID = 1L;

    private final EapDiscard discard;

    public MalformedEapException(EapDiscard discard, String message) {
        super(message, null, false, false);
        this.discard = discard;
    }

    public EapDiscard discard() {
        return discard;
    }
}
