package net.l2sec.dataplane.ppp;

import net.l2sec.dataplane.session.SessionRegistry;
import java.net.Inet4Address;
import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Ipv6Framing;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.session.SessionCounters;

/**
 * What accounting (RFC 2866) sees of one session, through the {@link SessionRegistry}: the session is
 * established the first time IPCP opens, and stops once, with its final counters and the Acct-Terminate-Cause of
 * the {@link EndCause} it ended with; for an operator's disconnect, the operator's cause, even when the session was
 * already ending for another one ({@code SessionControl.disconnect}). A session never established is never reported.
 */
final class Accounting {
    private final PppSession session;
    private final SessionContext context;
    private final SessionRegistry registry;
    private final long startedNanos;
    private ActiveSession active;
    private EndCause disconnectCause;

    /** @param startedNanos the scheduler's time at {@code context.started()} */
    Accounting(PppSession session, SessionContext context, SessionRegistry registry, long startedNanos) {
        this.session = session;
        this.context = context;
        this.registry = registry;
        this.startedNanos = startedNanos;
    }

    /** IPCP opened; the first time, the session becomes established, authorized at {@code authorizedNanos}. */
    void ipcpOpened(AuthMethod method, AuthResult.Accept accept, Inet4Address address, long authorizedNanos) {
        ipcpOpened(method, accept, address, authorizedNanos, ClientIdentity.NONE, Ipv6Framing.none());
    }

    /**
     * IPCP opened; the first time, the session becomes established, authorized at {@code authorizedNanos}, with what
     * the client said about itself until then and the session's IPv6 prefixes (reported as Framed-IPv6-Prefix and
     * Delegated-IPv6-Prefix).
     */
    void ipcpOpened(AuthMethod method, AuthResult.Accept accept, Inet4Address address, long authorizedNanos,
                    ClientIdentity client, Ipv6Framing ipv6) {
        if (active != null) return;
        active = new ActiveSession(context.acctSessionId(), context.tag(), accept.user(), method, context.peer(), address,
                context.nasPort(), context.started().plusNanos(authorizedNanos - startedNanos), accept.authorization(),
                client, ipv6);
        registry.started(session, active);
    }

    /** An operator disconnects the session: the first such cause is what the stop reports. */
    void disconnected(EndCause operatorCause) {
        if (disconnectCause == null) disconnectCause = operatorCause;
    }

    /** The session ended for {@code cause}. */
    void stopped(SessionCounters counters, EndCause cause) {
        if (active != null) registry.stopped(session, active, counters, disconnectCause != null ? disconnectCause : cause);
    }

    Optional<ActiveSession> active() {
        return Optional.ofNullable(active);
    }
}
