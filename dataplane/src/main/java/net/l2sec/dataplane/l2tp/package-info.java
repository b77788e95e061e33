/**
 * The L2TPv2 LNS (RFC 2661). {@link net.l2sec.dataplane.l2tp.L2tpNetworkServer} takes every datagram;
 * {@link net.l2sec.dataplane.l2tp.L2tpCodec} turns bytes into {@code ControlMessage}s and {@code DataMessage}s and
 * back (no state); {@link net.l2sec.dataplane.l2tp.ControlChannel} delivers control messages reliably (section
 * 5.8); {@link net.l2sec.dataplane.l2tp.Tunnel} and {@link net.l2sec.dataplane.l2tp.Session} are the control
 * connection and the incoming call (sections 7.2, 7.4.2). Who owns each {@code ByteBuf} is written where it passes.
 *
 * <p>A call carries PPP: the session is the {@link net.l2sec.dataplane.PppLink} PPP writes to and closes with an
 * {@link net.l2sec.spi.session.EndCause} ({@code CallDisconnect} chooses the CDN's Result Code for it), and tells
 * its {@link net.l2sec.dataplane.PppEndpoint} why the call went away ({@link
 * net.l2sec.dataplane.l2tp.TeardownCause#endCause()}). Metric tags come from enums:
 * {@link net.l2sec.dataplane.l2tp.L2tpDropReason}, {@link net.l2sec.dataplane.l2tp.TeardownCause}.
 */
package net.l2sec.dataplane.l2tp;
