package net.l2sec.loadgen.ike;

/** An exchange failed; {@link #getMessage()} is the reason as progress lines show it ({@code auth_failed}). */
final class IkeFailure extends Exception {
    IkeFailure(String reason) {
        super(reason, null, false, false);
    }
}
