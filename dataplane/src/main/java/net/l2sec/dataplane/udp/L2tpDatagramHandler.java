package net.l2sec.dataplane.udp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.l2tp.L2tpTransport;

/**
 * Adapts a UDP channel (port 1701) to {@link L2tpNetworkServer}: each datagram goes in with the channel as its
 * transport; replies go out as {@link DatagramPacket}s on the same channel. Must run on the server's event loop.
 */
public final class L2tpDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final L2tpNetworkServer server;
    private L2tpTransport transport;

    public L2tpDatagramHandler(L2tpNetworkServer server) {
        super(false); // the server takes ownership of the content and releases it
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        transport = (peer, datagram) -> channel.writeAndFlush(new DatagramPacket(datagram, peer), channel.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        server.receive(packet.sender(), packet.content(), transport);
    }
}
