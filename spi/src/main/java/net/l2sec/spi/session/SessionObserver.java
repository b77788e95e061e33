package net.l2sec.spi.session;

/**
 * Told when a session becomes established and when it ends: accounting (RADIUS Start/Stop), per-user session
 * counts, the admin view. Called on the dataplane's event loop: implementations must return at once (hand blocking
 * work to a virtual thread) and must not throw.
 */
public interface SessionObserver {
    /** The session is established: authenticated, address assigned, IPCP opened. */
    void started(ActiveSession session);

    /** An established session ended; {@code counters} are final. */
    void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause);

    SessionObserver NONE = new SessionObserver() {
        @Override
        public void started(ActiveSession session) {}

        @Override
        public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {}
    };
}
