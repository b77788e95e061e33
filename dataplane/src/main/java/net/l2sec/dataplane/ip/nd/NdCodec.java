package net.l2sec.dataplane.ip.nd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ip.nd.NdMessage.RouterAdvertisement;
import net.l2sec.dataplane.ip.nd.NdMessage.RouterSolicitation;
import net.l2sec.dataplane.ip.nd.NdOption.Mtu;
import net.l2sec.dataplane.ip.nd.NdOption.PrefixInformation;
import net.l2sec.dataplane.ip.nd.NdOption.RecursiveDnsServer;
import net.l2sec.dataplane.ip.nd.NdOption.SourceLinkLayerAddress;
import net.l2sec.dataplane.ip.nd.NdOption.Unknown;

/**
 * Whole IPv6 packets carrying Router Solicitations and Router Advertisements, to {@link NdMessage} and back. The
 * decoder applies the validity checks of RFC 4861 section 6.1 (the IP Hop Limit is 255, so the message was not
 * forwarded; the ICMPv6 checksum; Code 0; the length; no option of length 0; no Source Link-Layer Address option
 * from the unspecified address). The encoder writes the IPv6 header (Hop Limit 255) and the ICMPv6 checksum over
 * the pseudo-header of RFC 8200 section 8.1.
 */
public final class NdCodec {
    private static final int ICMP_HEADER = 4;
    private static final int RS_LENGTH = 8;
    private static final int RA_LENGTH = 16;
    /** Section 6.1.1: a Neighbor Discovery message was not forwarded by a router. */
    public static final int HOP_LIMIT = 255;

    private NdCodec() {}

    /** Whether the IPv6 packet carries ICMPv6 directly (no extension header) with {@code type}; not consumed. */
    public static boolean isIcmpv6(ByteBuf packet, int type) {
        return Ipv6.nextHeader(packet) == Ipv6.NEXT_HEADER_ICMPV6 && Ipv6.payloadLength(packet) >= 1
                && packet.getUnsignedByte(packet.readerIndex() + Ipv6.HEADER) == type;
    }

    /** Decodes the IPv6 packet at the reader index (checked well-formed by the caller) without consuming it. */
    public static NdMessage decode(ByteBuf packet) throws InvalidNdMessageException {
        int r = packet.readerIndex();
        if (Ipv6.nextHeader(packet) != Ipv6.NEXT_HEADER_ICMPV6) throw new InvalidNdMessageException("not ICMPv6");
        if (Ipv6.hopLimit(packet) != HOP_LIMIT) throw new InvalidNdMessageException("hop limit " + Ipv6.hopLimit(packet) + ", not 255");
        int length = Ipv6.payloadLength(packet);
        int icmp = r + Ipv6.HEADER;
        if (length < RS_LENGTH) throw new InvalidNdMessageException("ICMPv6 length " + length + " below 8");
        if (checksum(packet, length) != 0) throw new InvalidNdMessageException("bad ICMPv6 checksum");
        int type = packet.getUnsignedByte(icmp);
        if (packet.getUnsignedByte(icmp + 1) != 0) throw new InvalidNdMessageException("ICMP code not 0");
        return switch (type) {
            case NdMessage.ROUTER_SOLICITATION -> {
                List<NdOption> options = options(packet, icmp + RS_LENGTH, length - RS_LENGTH);
                boolean unspecified = Ipv6.sourceHigh(packet) == 0 && Ipv6.sourceLow(packet) == 0;
                if (unspecified && options.stream().anyMatch(o -> o instanceof SourceLinkLayerAddress)) {
                    throw new InvalidNdMessageException("source link-layer address option from the unspecified address");
                }
                yield new RouterSolicitation(options);
            }
            case NdMessage.ROUTER_ADVERTISEMENT -> {
                if (length < RA_LENGTH) throw new InvalidNdMessageException("RA length " + length + " below 16");
                if (!Ipv6.isLinkLocal(Ipv6.sourceHigh(packet))) throw new InvalidNdMessageException("RA source not link-local");
                int flags = packet.getUnsignedByte(icmp + 5);
                yield new RouterAdvertisement(packet.getUnsignedByte(icmp + 4), (flags & 0x80) != 0, (flags & 0x40) != 0,
                        RouterPreference.ofBits(flags >>> 3), packet.getUnsignedShort(icmp + 6), packet.getUnsignedInt(icmp + 8), packet.getUnsignedInt(icmp + 12),
                        options(packet, icmp + RA_LENGTH, length - RA_LENGTH));
            }
            default -> throw new InvalidNdMessageException("ICMPv6 type " + type + " is not router discovery");
        };
    }

    /** Section 4.6: Type, Length in units of 8 octets (never 0), data. */
    private static List<NdOption> options(ByteBuf p, int at, int length) throws InvalidNdMessageException {
        List<NdOption> options = new ArrayList<>();
        int end = at + length;
        while (at < end) {
            if (end - at < 2) throw new InvalidNdMessageException("option header truncated");
            int type = p.getUnsignedByte(at);
            int octets = p.getUnsignedByte(at + 1) * 8;
            if (octets == 0) throw new InvalidNdMessageException("option of length 0");
            if (at + octets > end) throw new InvalidNdMessageException("option overflows the message");
            options.add(option(p, type, at, octets));
            at += octets;
        }
        return options;
    }

    private static NdOption option(ByteBuf p, int type, int at, int octets) throws InvalidNdMessageException {
        return switch (NdOptionType.of(type).orElse(null)) {
            case SOURCE_LINK_LAYER_ADDRESS -> new SourceLinkLayerAddress(bytes(p, at + 2, octets - 2));
            case PREFIX_INFORMATION -> {
                if (octets != 32) throw new InvalidNdMessageException("prefix information of length " + octets);
                int prefixLength = p.getUnsignedByte(at + 2);
                if (prefixLength > 64) yield new Unknown(type, bytes(p, at + 2, octets - 2));   // not a prefix we use
                int flags = p.getUnsignedByte(at + 3);
                long high = p.getLong(at + 16) & Ipv6Prefix.mask(prefixLength);
                yield new PrefixInformation(new Ipv6Prefix(high, prefixLength), (flags & 0x80) != 0, (flags & 0x40) != 0,
                        p.getUnsignedInt(at + 4), p.getUnsignedInt(at + 8));
            }
            case MTU -> {
                if (octets != 8) throw new InvalidNdMessageException("MTU option of length " + octets);
                yield new Mtu(p.getUnsignedInt(at + 4));
            }
            case RECURSIVE_DNS_SERVER -> {
                // RFC 8106 section 5.1: Length is 1 + 2 * servers, at least 3
                if (octets < 24 || (octets - 8) % 16 != 0) throw new InvalidNdMessageException("RDNSS of length " + octets);
                List<Inet6Address> servers = new ArrayList<>();
                for (int i = at + 8; i < at + octets; i += 16) servers.add(Ipv6.address(p.getLong(i), p.getLong(i + 8)));
                yield new RecursiveDnsServer(p.getUnsignedInt(at + 4), servers);
            }
            case null, default -> new Unknown(type, bytes(p, at + 2, octets - 2));
        };
    }

    private static byte[] bytes(ByteBuf p, int at, int n) {
        byte[] b = new byte[n];
        p.getBytes(at, b);
        return b;
    }

    /**
     * The IPv6 packet carrying {@code message} from {@code source} to {@code destination} (each as upper and lower
     * 64 bits), with {@code headroom} free octets in front for the lower layers' headers. Unknown options are not
     * sent.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, int headroom, NdMessage message, long sourceHigh, long sourceLow,
                                 long destinationHigh, long destinationLow) {
        ByteBuf body = alloc.heapBuffer(128);
        try {
            switch (message) {
                case RouterSolicitation s -> body.writeByte(NdMessage.ROUTER_SOLICITATION).writeByte(0).writeShort(0).writeInt(0);
                case RouterAdvertisement a -> body.writeByte(NdMessage.ROUTER_ADVERTISEMENT).writeByte(0).writeShort(0)
                        .writeByte(a.curHopLimit())
                        .writeByte((a.managed() ? 0x80 : 0) | (a.other() ? 0x40 : 0) | a.preference().bits() << 3)
                        .writeShort(a.routerLifetime()).writeInt((int) a.reachableTime()).writeInt((int) a.retransTimer());
            }
            for (NdOption o : message.options()) writeOption(body, o);
            int length = body.readableBytes();
            ByteBuf out = alloc.buffer(headroom + Ipv6.HEADER + length);
            out.writerIndex(headroom).readerIndex(headroom);
            out.writeInt(0x6000_0000).writeShort(length).writeByte(Ipv6.NEXT_HEADER_ICMPV6).writeByte(HOP_LIMIT)
                    .writeLong(sourceHigh).writeLong(sourceLow).writeLong(destinationHigh).writeLong(destinationLow)
                    .writeBytes(body);
            out.setShort(out.readerIndex() + Ipv6.HEADER + 2, checksum(out, length));
            return out;
        } finally {
            body.release();
        }
    }

    private static void writeOption(ByteBuf b, NdOption o) {
        switch (o) {
            case SourceLinkLayerAddress s -> {
                int octets = (2 + s.address().length + 7) / 8 * 8;
                b.writeByte(NdOptionType.SOURCE_LINK_LAYER_ADDRESS.code()).writeByte(octets / 8).writeBytes(s.address())
                        .writeZero(octets - 2 - s.address().length);
            }
            case PrefixInformation p -> b.writeByte(NdOptionType.PREFIX_INFORMATION.code()).writeByte(4)
                    .writeByte(p.prefix().length()).writeByte((p.onLink() ? 0x80 : 0) | (p.autonomous() ? 0x40 : 0))
                    .writeInt((int) p.validLifetime()).writeInt((int) p.preferredLifetime()).writeInt(0)
                    .writeLong(p.prefix().high()).writeLong(0);
            case Mtu m -> b.writeByte(NdOptionType.MTU.code()).writeByte(1).writeShort(0).writeInt((int) m.mtu());
            case RecursiveDnsServer d -> {
                b.writeByte(NdOptionType.RECURSIVE_DNS_SERVER.code()).writeByte(1 + 2 * d.servers().size()).writeShort(0)
                        .writeInt((int) d.lifetime());
                for (Inet6Address a : d.servers()) b.writeBytes(a.getAddress());
            }
            case Unknown u -> { }
        }
    }

    /**
     * The Internet checksum (RFC 1071) of the ICMPv6 message of {@code length} octets after the IPv6 header of the
     * packet at the reader index, with the pseudo-header of RFC 8200 section 8.1: 0 when a received message's
     * checksum is right; for a message with a zero Checksum field, the value to put in it.
     */
    public static int checksum(ByteBuf packet, int length) {
        int r = packet.readerIndex();
        long sum = 0;
        for (int i = 8; i < 40; i += 2) sum += packet.getUnsignedShort(r + i);   // source and destination
        sum += length >>> 16;
        sum += length & 0xffff;
        sum += Ipv6.NEXT_HEADER_ICMPV6;
        int icmp = r + Ipv6.HEADER;
        int i = 0;
        for (; i + 1 < length; i += 2) sum += packet.getUnsignedShort(icmp + i);
        if (i < length) sum += packet.getUnsignedByte(icmp + i) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }
}
