package net.l2sec.dataplane.ip.nd;

/** A Neighbor Discovery message that fails the validity checks of RFC 4861 section 6.1; it is silently discarded. */
public final class InvalidNdMessageException extends Exception {
    public InvalidNdMessageException(String reason) {
        super(reason, null, false, false);
    }
}
