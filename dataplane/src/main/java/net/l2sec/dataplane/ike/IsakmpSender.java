package net.l2sec.dataplane.ike;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.DatagramSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts our ISAKMP messages on the wire, from the local address and port the SA is on: on UDP/4500 behind the
 * non-ESP marker (RFC 3948 section 2.2), in fragments when the peer announced IKEv1 fragmentation and a message
 * does not fit our datagram size ({@link IsakmpFragmentation}). Each datagram is a new buffer the
 * {@link DatagramSender} takes over.
 */
final class IsakmpSender {
    private static final Logger LOG = LoggerFactory.getLogger(IsakmpSender.class);
    /** UDP-encapsulated ESP and IKE after NAT-T's float (RFC 3947 section 4, RFC 3948). */
    static final int NAT_T_PORT = 4500;

    private final Supplier<IkeSettings> settings;
    private final DatagramSender sender;

    IsakmpSender(Supplier<IkeSettings> settings, DatagramSender sender) {
        this.settings = settings;
        this.sender = sender;
    }

    /** Sends {@code msg} to the SA's peer, in fragments when the peer announced fragmentation and it is too large. */
    void send(IkeSa ike, byte[] msg) {
        IkeSettings.Fragmentation f = settings.get().fragmentation();
        int overhead = (ike.peer.getAddress() instanceof Inet6Address ? 40 : 20) + 8
                + (ike.local.getPort() == NAT_T_PORT ? 4 : 0);
        if (!f.enabled() || !ike.peerFragmentation || overhead + msg.length <= f.maxDatagram()) {
            send(ike.local, ike.peer, msg);
            return;
        }
        int maxData = f.maxDatagram() - overhead - IsakmpHeader.LENGTH - IsakmpFragmentation.FRAGMENT_HEADER;
        ike.lastFragmentId = ike.lastFragmentId + 1 & 0xffff;
        List<byte[]> fragments = IsakmpFragmentation.fragment(msg, ike.lastFragmentId, maxData);
        LOG.debug("{} peer={} sending {} octets in {} fragments", ike.tag, ike.peerText(), msg.length, fragments.size());
        for (byte[] fragment : fragments) send(ike.local, ike.peer, fragment);
    }

    /**
     * An unencrypted Informational with one notification about the ISAKMP SA (RFC 2408 section 4.8): how a phase 1
     * that failed before keys were agreed, or that the peer cannot decrypt, is told to the peer.
     */
    void sendUnprotectedNotify(InetSocketAddress peer, InetSocketAddress local, long ckyI, long ckyR, NotifyType type) {
        byte[] spi = ByteBuffer.allocate(16).putLong(ckyI).putLong(ckyR).array();
        IsakmpHeader h = new IsakmpHeader(ckyI, ckyR, 0, IsakmpHeader.VERSION_1_0, ExchangeType.INFORMATIONAL, 0, 0, 0);
        send(local, peer, IsakmpCodec.encode(h, List.of(new Payload.Notify(Doi.IPSEC, ProtocolId.PROTO_ISAKMP, type, spi,
                new byte[0]))));
    }

    /** Sends {@code msg} whole from {@code local} to {@code peer} (behind the non-ESP marker on UDP/4500). */
    void send(InetSocketAddress local, InetSocketAddress peer, byte[] msg) {
        boolean natT = local.getPort() == NAT_T_PORT;
        ByteBuf b = Unpooled.buffer(msg.length + (natT ? 4 : 0));
        if (natT) b.writeInt(0); // non-ESP marker (RFC 3948 section 2.2)
        b.writeBytes(msg);
        sender.send(local, peer, b);
    }
}
