/**
 * Established PPP sessions as accounting and administration see them: a snapshot of who and where
 * ({@link ActiveSession}), which device is calling ({@link ClientIdentity}, classified as a {@link ClientKind}),
 * traffic counters, why a session ends ({@link EndCause}, which carries the RFC 2866 Acct-Terminate-Cause,
 * {@link TerminateCause}), the events a session emits
 * ({@link SessionObserver}) and the control surface an operator or a RADIUS Disconnect/CoA reaches them through
 * ({@link SessionControl}). Plain values and interfaces: no Netty, no RADIUS.
 */
package net.l2sec.spi.session;
