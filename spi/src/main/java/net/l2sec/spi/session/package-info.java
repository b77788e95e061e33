/**
 * Established PPP sessions as accounting and administration see them: a snapshot of who and where
 * ({@link ActiveSession}), traffic counters, the RFC 2866 terminate cause, the events a session emits
 * ({@link SessionObserver}) and the control surface an operator or a RADIUS Disconnect/CoA reaches them through
 * ({@link SessionControl}). Plain values and interfaces: no Netty, no RADIUS.
 */
package net.l2sec.spi.session;
