package net.l2sec.dataplane.udp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import net.l2sec.dataplane.ipsec.IkeDatagramSink;

/** Adapts the UDP/500 channel to IKE: every payload is an ISAKMP message (no marker on port 500). */
public final class IkeDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final IkeDatagramSink ike;
    private final InetSocketAddress local;

    public IkeDatagramHandler(IkeDatagramSink ike, InetSocketAddress local) {
        super(false); // the sink takes ownership of the content
        this.ike = ike;
        this.local = local;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ike.receive(packet.sender(), local, packet.content());
    }
}
