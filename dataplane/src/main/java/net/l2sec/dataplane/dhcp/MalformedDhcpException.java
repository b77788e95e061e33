package net.l2sec.dataplane.dhcp;

/** A DHCP message {@link DhcpCodec} could not decode, and why. */
public final class MalformedDhcpException extends Exception {
    private final DhcpDropReason reason;

    public MalformedDhcpException(DhcpDropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public DhcpDropReason reason() {
        return reason;
    }
}
