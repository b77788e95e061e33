package net.l2sec.dataplane.udp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;

/**
 * Adapts the UDP/4500 channel to {@link UdpEncapsulationDemux}: the payload of every datagram goes in, with
 * ownership. {@code local} is what this socket is bound to (the channel's local address may be a wildcard).
 */
public final class EncapsulatedDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final UdpEncapsulationDemux demux;
    private final InetSocketAddress local;

    public EncapsulatedDatagramHandler(UdpEncapsulationDemux demux, InetSocketAddress local) {
        super(false); // the demux takes ownership of the content
        this.demux = demux;
        this.local = local;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        demux.receive(packet.sender(), local, packet.content());
    }
}
