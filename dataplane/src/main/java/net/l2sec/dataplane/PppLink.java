package net.l2sec.dataplane;

import io.netty.buffer.ByteBuf;
import net.l2sec.spi.session.EndCause;

/**
 * The lower layer a PPP session runs over: an established L2TP session (later: the same inside ESP).
 * Called only on the session's event loop.
 */
public interface PppLink {
    /**
     * Sends one PPP frame to the peer. The frame starts with the HDLC address and control fields
     * ({@code FF 03}) unless Address-and-Control-Field-Compression was negotiated, followed by the PPP protocol
     * field and the information field. Ownership of {@code frame} passes to the link (it releases it), and the
     * buffer may be written in front of its reader index and behind its writer index: the link prepends its header
     * there when the buffer has the room and is not shared ({@link PacketBuffers}), else it copies the frame once.
     */
    void send(ByteBuf frame);

    /**
     * PPP has ended (Terminate done, dead peer, auth failure) for {@code cause}: tear down the carrying L2TP
     * session. The lower layer chooses what it tells its peer from {@code cause}.
     */
    void close(EndCause cause);

    /** Bytes of the largest PPP frame the link can carry without fragmentation of the outer packet. */
    int mtu();
}
