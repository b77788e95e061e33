package net.l2sec.dataplane.esp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import net.l2sec.dataplane.esp.SecurityAssociation.Direction;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * The remote side of a child SA pair, as a client's IPsec stack would hold it: its outbound SA is our inbound one
 * (same SPI and KEYMAT) and vice versa. Builds the spec IKE would hand to {@link EspEndpoint}.
 */
final class EspPeer {
    static final InetSocketAddress LOCAL = new InetSocketAddress("192.0.2.1", 4500);

    final InetSocketAddress address;
    final ChildSaSpec spec;
    final SecurityAssociation out;
    final SecurityAssociation in;
    int l2tpPort = 1701;

    EspPeer(String tag, InetSocketAddress address, int inboundSpi, int outboundSpi, EspCipher cipher, int bits,
            EspIntegrity integrity, Duration lifetime, long lifetimeBytes) {
        this.address = address;
        Random r = new Random(inboundSpi);
        byte[] inKeymat = new byte[100];
        byte[] outKeymat = new byte[100];
        r.nextBytes(inKeymat);
        r.nextBytes(outKeymat);
        out = new SecurityAssociation(Direction.OUTBOUND, inboundSpi, cipher, bits, integrity, inKeymat, 0, 128,
                PooledByteBufAllocator.DEFAULT);
        in = new SecurityAssociation(Direction.INBOUND, outboundSpi, cipher, bits, integrity, outKeymat, 0, 128,
                PooledByteBufAllocator.DEFAULT);
        spec = new ChildSaSpec(tag, address, LOCAL, inboundSpi, outboundSpi, cipher, bits, integrity, inKeymat,
                outKeymat, lifetime, lifetimeBytes, 1701);
    }

    EspPeer(String tag, InetSocketAddress address, int inboundSpi, int outboundSpi) {
        this(tag, address, inboundSpi, outboundSpi, EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA1_96,
                Duration.ofHours(1), 0);
    }

    /** An ESP packet carrying UDP {@code l2tpPort} -> {@code destinationPort} around {@code payload} (released). */
    ByteBuf esp(ByteBuf payload, int destinationPort) {
        ByteBuf segment = PooledByteBufAllocator.DEFAULT.heapBuffer();
        segment.writeShort(l2tpPort).writeShort(destinationPort).writeShort(8 + payload.readableBytes()).writeShort(0);
        segment.writeBytes(payload);
        payload.release();
        return out.seal(segment, SecurityAssociation.NEXT_HEADER_UDP);
    }

    ByteBuf esp(byte[] payload) {
        return esp(PooledByteBufAllocator.DEFAULT.heapBuffer().writeBytes(payload), 1701);
    }

    /** Decrypts one of our packets to this peer; returns the UDP payload (ports checked), the caller releases it. */
    ByteBuf open(ByteBuf packet) {
        try {
            ByteBuf segment = in.open(packet);
            if (segment == null) throw new AssertionError("peer cannot open: " + in.lastDrop());
            if (segment.getUnsignedShort(0) != 1701 || segment.getUnsignedShort(2) != l2tpPort
                    || segment.getUnsignedShort(4) != segment.readableBytes() || segment.getUnsignedShort(6) != 0) {
                String h = ByteBufUtil.hexDump(segment, 0, 8);
                segment.release();
                throw new AssertionError("bad inner UDP header " + h);
            }
            return segment.skipBytes(8);
        } finally {
            packet.release();
        }
    }

    String openHex(ByteBuf packet) {
        ByteBuf b = open(packet);
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }
}
