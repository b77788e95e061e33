package net.l2sec.dataplane;

import io.netty.buffer.ByteBuf;
import net.l2sec.spi.session.EndCause;

/** The PPP end of a session, as the lower layer (L2TP) sees it. Called only on the session's event loop. */
public interface PppEndpoint {
    /**
     * One PPP frame from the peer, exactly the L2TP data message payload: it may or may not begin with
     * {@code FF 03}. Ownership passes to the endpoint (it releases it).
     */
    void receive(ByteBuf frame);

    /** The lower layer went away (CDN, StopCCN, tunnel timeout) for {@code cause}: end PPP without sending anything. */
    void lowerLayerDown(EndCause cause);
}
