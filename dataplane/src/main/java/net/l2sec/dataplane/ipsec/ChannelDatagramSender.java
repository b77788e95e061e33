package net.l2sec.dataplane.ipsec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * {@link DatagramSender} over our two IPsec UDP channels, chosen by the local port the caller names (the IKE
 * port, normally 500, or the NAT-T port, normally 4500). The source address is whatever the socket is bound to.
 * A payload for a port we have no socket for is released and the call fails.
 */
public final class ChannelDatagramSender implements DatagramSender {
    private final int ikePort;
    private final Channel ikeChannel;
    private final int nattPort;
    private final Channel nattChannel;

    public ChannelDatagramSender(int ikePort, Channel ikeChannel, int nattPort, Channel nattChannel) {
        this.ikePort = ikePort;
        this.ikeChannel = ikeChannel;
        this.nattPort = nattPort;
        this.nattChannel = nattChannel;
    }

    @Override
    public void send(InetSocketAddress local, InetSocketAddress peer, ByteBuf payload) {
        Channel channel = local.getPort() == nattPort ? nattChannel : local.getPort() == ikePort ? ikeChannel : null;
        if (channel == null) {
            payload.release();
            throw new IllegalArgumentException("no IPsec socket on local port " + local.getPort());
        }
        channel.writeAndFlush(new DatagramPacket(payload, peer), channel.voidPromise());
    }
}
