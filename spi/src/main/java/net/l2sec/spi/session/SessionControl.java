package net.l2sec.spi.session;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The established sessions, from any thread: look-up for Disconnect/CoA (RFC 5176) and the admin interface,
 * live counters for Interim-Update, and disconnecting. Every method hops to the event loop that owns the
 * sessions and completes there.
 */
public interface SessionControl {
    /** Every established session, at the moment the stage completes. */
    CompletionStage<List<ActiveSession>> sessions();

    /** The session's counters now; empty when it has ended. */
    CompletionStage<Optional<SessionCounters>> counters(String acctSessionId);

    /**
     * An operator's disconnect: ends the session from our side (LCP Terminate, then CDN) with
     * {@link EndCause#ADMIN_DISCONNECT}, and accounting reports {@code cause} even if the session was already
     * ending for another reason; completes with false when no such session is established. {@code cause} must be
     * {@link TerminateCause#ADMIN_RESET} (RFC 2866 section 5.10), the only operator's cause there is.
     *
     * @throws IllegalArgumentException for any other {@code cause}
     */
    CompletionStage<Boolean> disconnect(String acctSessionId, TerminateCause cause);

    /**
     * Change of Authorization (RFC 5176): new session and/or idle timeouts for a running session, counted as
     * before (session time from authorization, idle time from the last packet); completes with false when no
     * such session is established.
     */
    CompletionStage<Boolean> reauthorize(String acctSessionId, java.util.Optional<java.time.Duration> sessionTimeout,
                                         java.util.Optional<java.time.Duration> idleTimeout);
}
