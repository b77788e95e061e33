package net.l2sec.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Function;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.udp.LocalAddressSockets;

/**
 * {@link DatagramSender} over our IPsec sockets: the local address and port the caller names pick the socket, so
 * that the datagram leaves from the address the peer sent to ({@link #over}). A payload for a port we have no
 * socket on is released and the call fails. Call on the event loop.
 */
public final class ChannelDatagramSender implements DatagramSender {
    private final Function<InetSocketAddress, Channel> sockets;

    /** @param sockets the socket to send from for a local address and port, null when there is none */
    public ChannelDatagramSender(Function<InetSocketAddress, Channel> sockets) {
        this.sockets = sockets;
    }

    /** Over the IKE port's sockets (normally UDP/500) and the NAT-T port's (normally UDP/4500). */
    public static ChannelDatagramSender over(LocalAddressSockets ike, LocalAddressSockets natt) {
        int ikePort = ike.listen().getPort();
        int nattPort = natt.listen().getPort();
        return new ChannelDatagramSender(local -> local.getPort() == nattPort ? natt.channelFor(local.getAddress())
                : local.getPort() == ikePort ? ike.channelFor(local.getAddress()) : null);
    }

    @Override
    public void send(InetSocketAddress local, InetSocketAddress peer, ByteBuf payload) {
        Channel channel = sockets.apply(local);
        if (channel == null) {
            payload.release();
            throw new IllegalArgumentException("no IPsec socket on local port " + local.getPort());
        }
        channel.writeAndFlush(new DatagramPacket(payload, peer), channel.voidPromise());
    }
}
