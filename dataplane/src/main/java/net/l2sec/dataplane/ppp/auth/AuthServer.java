package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import net.l2sec.dataplane.ppp.frame.PppProtocol;

/** The authenticator side of one authentication protocol, for one session. */
public sealed interface AuthServer permits PapServer, ChapServer, EapServer {
    PppProtocol protocol();

    /** Begins the exchange (CHAP and EAP send the first packet; PAP waits for the peer). */
    void start();

    /** One packet of {@link #protocol()} from the peer; the buffer stays owned by the caller. */
    void receive(ByteBuf packet);

    /** Stops retransmitting; later results are ignored. */
    void stop();
}
