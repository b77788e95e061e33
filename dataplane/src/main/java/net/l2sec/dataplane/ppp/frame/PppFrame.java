package net.l2sec.dataplane.ppp.frame;

import io.netty.buffer.ByteBuf;

/**
 * One received PPP frame: the protocol field and the information field (padding included). {@code information}
 * is the received buffer itself with its reader index moved past the header; whoever holds the frame owns it.
 */
public record PppFrame(int protocol, ByteBuf information) {}
