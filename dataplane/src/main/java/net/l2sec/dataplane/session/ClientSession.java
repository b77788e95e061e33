package net.l2sec.dataplane.session;

import java.time.Duration;
import java.util.Optional;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.time.Scheduler;

/**
 * One client's session as the {@link SessionRegistry} sees it, whatever carries it: a PPP session over L2TP, or an
 * IKEv2 client's {@link RemoteAccessSession}. Every method but {@link #scheduler()} is called on that scheduler's
 * event loop.
 */
public interface ClientSession {
    /** The session as accounting and the admin interface see it, once established. */
    Optional<ActiveSession> active();

    /** Traffic so far: input is what we received from the client (RFC 2866 section 5.3). */
    SessionCounters counters();

    /**
     * An operator's disconnect ({@code SessionControl.disconnect}, RADIUS Disconnect-Request): the session ends,
     * and accounting reports {@code operatorCause} even when it was already ending for another cause.
     */
    void disconnect(EndCause operatorCause);

    /** RFC 5176 Change of Authorization: new session and idle limits (empty: unchanged), counted as before. */
    void reauthorize(Optional<Duration> sessionTimeout, Optional<Duration> idleTimeout);

    /** The event loop this session belongs to; any thread may ask. */
    Scheduler scheduler();
}
