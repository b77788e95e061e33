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

    /**
     * An established session's client moved (IKEv2: MOBIKE's UPDATE_SA_ADDRESSES, RFC 4555 section 3.5, or a NAT
     * rebinding, RFC 7296 section 2.23): {@code session} is the same session with its new {@link ActiveSession#peer},
     * which the records from now on carry (Calling-Station-Id, Tunnel-Client-Endpoint); the Stop's session has it
     * too. {@code from} is where it was. Ignored by default.
     */
    default void peerMoved(ActiveSession session, java.net.InetSocketAddress from) {
    }

    SessionObserver NONE = new SessionObserver() {
        @Override
        public void started(ActiveSession session) {}

        @Override
        public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {}
    };
}
