package net.l2sec.dataplane.ikev2.message;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Cert;
import net.l2sec.dataplane.ikev2.message.Payload.CertReq;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Delete;
import net.l2sec.dataplane.ikev2.message.Payload.Eap;
import net.l2sec.dataplane.ikev2.message.Payload.Encrypted;
import net.l2sec.dataplane.ikev2.message.Payload.EncryptedFragment;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Ke;
import net.l2sec.dataplane.ikev2.message.Payload.Nonce;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelector;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ikev2.message.Payload.Transform;
import net.l2sec.dataplane.ikev2.message.Payload.Unknown;
import net.l2sec.dataplane.ikev2.message.Payload.VendorId;

/**
 * Decodes and encodes IKEv2 messages (RFC 7296 section 3). The decoder checks every length against its container
 * and throws {@link Ikev2DecodeException} with a drop reason for anything malformed; it never reads outside the
 * array. The Encrypted payload ends the chain: its body is the rest of the message.
 */
public final class Ikev2Codec {
    /** Payloads one message (or one decrypted Encrypted payload) may carry; more is a malformed message. */
    static final int MAX_PAYLOADS = 64;
    private static final int GENERIC_HEADER = 4;
    private static final int CRITICAL = 0x80;

    private Ikev2Codec() {
    }

    /** A decoded message: its header and its payloads in order (an Encrypted payload is last and still sealed). */
    public record Message(Ikev2Header header, List<Payload> payloads) {
        /** The first payload of type {@code type}, if any. */
        public <P extends Payload> java.util.Optional<P> first(Class<P> type) {
            for (Payload p : payloads) if (type.isInstance(p)) return java.util.Optional.of(type.cast(p));
            return java.util.Optional.empty();
        }
    }

    // --- decoding ------------------------------------------------------------------------------------------------

    /** The IKE header of {@code m}, checked: version 2, length equal to the datagram's. */
    public static Ikev2Header header(byte[] m) throws Ikev2DecodeException {
        if (m.length < Ikev2Header.LENGTH) throw new Ikev2DecodeException(Ikev2DropReason.TRUNCATED, m.length + " octets");
        int version = m[17] & 0xff;
        if (version >> 4 != 2) throw new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, "major version " + (version >> 4));
        int length = u32(m, 24);
        if (length != m.length) {
            throw new Ikev2DecodeException(Ikev2DropReason.BAD_LENGTH, "header length " + (length & 0xffffffffL) + ", datagram " + m.length);
        }
        return new Ikev2Header(u64(m, 0), u64(m, 8), m[16] & 0xff, m[18] & 0xff, m[19] & 0xff, u32(m, 20), length);
    }

    /** The whole message. */
    public static Message decode(byte[] m) throws Ikev2DecodeException {
        Ikev2Header h = header(m);
        return new Message(h, payloads(h.nextPayload(), m, Ikev2Header.LENGTH, m.length));
    }

    /** The payload chain starting with type {@code first} in {@code buf[from, end)} (a message, or decrypted SK content). */
    public static List<Payload> payloads(int first, byte[] buf, int from, int end) throws Ikev2DecodeException {
        List<Payload> out = new ArrayList<>();
        int type = first;
        int at = from;
        while (type != 0) {
            if (out.size() == MAX_PAYLOADS) throw new Ikev2DecodeException(Ikev2DropReason.TOO_MANY_PAYLOADS, ">" + MAX_PAYLOADS);
            if (end - at < GENERIC_HEADER) throw new Ikev2DecodeException(Ikev2DropReason.TRUNCATED, "payload header of type " + type);
            int next = buf[at] & 0xff;
            boolean critical = (buf[at + 1] & CRITICAL) != 0;
            int length = u16(buf, at + 2);
            if (length < GENERIC_HEADER || length > end - at) {
                throw new Ikev2DecodeException(Ikev2DropReason.BAD_LENGTH, "payload type " + type + " length " + length);
            }
            int body = at + GENERIC_HEADER;
            int bodyEnd = at + length;
            PayloadType known = PayloadType.of(type).orElse(null);
            if (known == PayloadType.SK || known == PayloadType.SKF) {
                if (bodyEnd != end) throw new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, "encrypted payload not last");
                out.add(known == PayloadType.SK ? new Encrypted(next, Arrays.copyOfRange(buf, body, bodyEnd))
                        : fragment(next, buf, body, bodyEnd));
                return out;
            }
            if (known == null || known == PayloadType.NONE) {
                if (critical) {
                    throw new Ikev2DecodeException(Ikev2DropReason.UNSUPPORTED_CRITICAL, "payload type " + type);
                }
                out.add(new Unknown(type, Arrays.copyOfRange(buf, body, bodyEnd)));
            } else {
                out.add(decode(known, buf, body, bodyEnd));
            }
            type = next;
            at = bodyEnd;
        }
        return out;
    }

    private static Payload decode(PayloadType type, byte[] b, int at, int end) throws Ikev2DecodeException {
        int n = end - at;
        return switch (type) {
            case SA -> new Sa(proposals(b, at, end));
            case KE -> {
                need(n, 4, type);
                yield new Ke(u16(b, at), Arrays.copyOfRange(b, at + 4, end));
            }
            case IDI, IDR -> {
                need(n, 4, type);
                yield new Identification(type == PayloadType.IDI, b[at] & 0xff, Arrays.copyOfRange(b, at + 4, end));
            }
            case CERT -> {
                need(n, 1, type);
                yield new Cert(b[at] & 0xff, Arrays.copyOfRange(b, at + 1, end));
            }
            case CERTREQ -> {
                need(n, 1, type);
                yield new CertReq(b[at] & 0xff, Arrays.copyOfRange(b, at + 1, end));
            }
            case AUTH -> {
                need(n, 4, type);
                yield new Auth(b[at] & 0xff, Arrays.copyOfRange(b, at + 4, end));
            }
            case NONCE -> {
                if (n < 16 || n > 256) throw malformed(type, "nonce of " + n + " octets");
                yield new Nonce(Arrays.copyOfRange(b, at, end));
            }
            case NOTIFY -> {
                need(n, 4, type);
                int spiSize = b[at + 1] & 0xff;
                need(n, 4 + spiSize, type);
                yield new Notify(b[at] & 0xff, Arrays.copyOfRange(b, at + 4, at + 4 + spiSize), u16(b, at + 2),
                        Arrays.copyOfRange(b, at + 4 + spiSize, end));
            }
            case DELETE -> {
                need(n, 4, type);
                int protocol = b[at] & 0xff;
                int spiSize = b[at + 1] & 0xff;
                int count = u16(b, at + 2);
                if ((long) spiSize * count != n - 4) throw malformed(type, count + " SPIs of " + spiSize + " in " + (n - 4));
                // SPI size 0 is the IKE SA's, which names no SPI (section 3.11); a count with it would make that many
                // empty SPIs out of no octets (65535 per 8-octet payload)
                if (spiSize == 0 && count != 0) throw malformed(type, count + " SPIs of size 0");
                List<byte[]> spis = new ArrayList<>(count);
                for (int i = 0; i < count; i++) spis.add(Arrays.copyOfRange(b, at + 4 + i * spiSize, at + 4 + (i + 1) * spiSize));
                yield new Delete(protocol, spiSize, spis);
            }
            case VENDOR_ID -> new VendorId(Arrays.copyOfRange(b, at, end));
            case TSI, TSR -> new TrafficSelectors(type == PayloadType.TSI, selectors(b, at, end));
            case CP -> {
                need(n, 4, type);
                List<ConfigAttribute> attributes = new ArrayList<>();
                int p = at + 4;
                while (p < end) {
                    if (end - p < 4) throw malformed(type, "attribute header");
                    int attrType = u16(b, p) & 0x7fff;
                    int len = u16(b, p + 2);
                    if (len > end - p - 4) throw malformed(type, "attribute length " + len);
                    if (attributes.size() == MAX_PAYLOADS) throw malformed(type, "too many attributes");
                    attributes.add(new ConfigAttribute(attrType, Arrays.copyOfRange(b, p + 4, p + 4 + len)));
                    p += 4 + len;
                }
                yield new Config(b[at] & 0xff, attributes);
            }
            case EAP -> {
                // RFC 3748 section 4: Code, Identifier, Length; the length must be the payload's
                need(n, 4, type);
                if (u16(b, at + 2) != n) throw malformed(type, "EAP length " + u16(b, at + 2) + " in " + n);
                yield new Eap(Arrays.copyOfRange(b, at, end));
            }
            case NONE, SK, SKF -> throw malformed(type, "not here");
        };
    }

    private static EncryptedFragment fragment(int next, byte[] b, int at, int end) throws Ikev2DecodeException {
        need(end - at, 4, PayloadType.SKF);
        int number = u16(b, at);
        int total = u16(b, at + 2);
        if (number == 0 || total == 0 || number > total) {
            throw new Ikev2DecodeException(Ikev2DropReason.FRAGMENT_INVALID, "fragment " + number + " of " + total);
        }
        return new EncryptedFragment(next, number, total, Arrays.copyOfRange(b, at + 4, end));
    }

    private static List<Proposal> proposals(byte[] b, int at, int end) throws Ikev2DecodeException {
        List<Proposal> out = new ArrayList<>();
        int p = at;
        boolean more = true;
        while (more) {
            if (end - p < 8) throw malformed(PayloadType.SA, "proposal header");
            more = (b[p] & 0xff) == 2;
            int length = u16(b, p + 2);
            if (length < 8 || length > end - p) throw malformed(PayloadType.SA, "proposal length " + length);
            int number = b[p + 4] & 0xff;
            int protocol = b[p + 5] & 0xff;
            int spiSize = b[p + 6] & 0xff;
            int count = b[p + 7] & 0xff;
            if (8 + spiSize > length) throw malformed(PayloadType.SA, "SPI size " + spiSize);
            byte[] spi = Arrays.copyOfRange(b, p + 8, p + 8 + spiSize);
            List<Transform> transforms = new ArrayList<>(count);
            int t = p + 8 + spiSize;
            int proposalEnd = p + length;
            for (int i = 0; i < count; i++) {
                if (proposalEnd - t < 8) throw malformed(PayloadType.SA, "transform header");
                int tlen = u16(b, t + 2);
                if (tlen < 8 || tlen > proposalEnd - t) throw malformed(PayloadType.SA, "transform length " + tlen);
                int keyBits = 0;
                for (int a = t + 8; a < t + tlen; ) {
                    if (t + tlen - a < 4) throw malformed(PayloadType.SA, "attribute");
                    int attr = u16(b, a);
                    if ((attr & 0x8000) != 0) {
                        if ((attr & 0x7fff) == 14) keyBits = u16(b, a + 2);
                        a += 4;
                    } else {
                        int alen = u16(b, a + 2);
                        if (alen > t + tlen - a - 4) throw malformed(PayloadType.SA, "attribute length");
                        a += 4 + alen;
                    }
                }
                transforms.add(new Transform(b[t + 4] & 0xff, u16(b, t + 6), keyBits));
                if (out.size() * 8 + transforms.size() > 8 * MAX_PAYLOADS) throw malformed(PayloadType.SA, "too many transforms");
                t += tlen;
            }
            if (t != proposalEnd) throw malformed(PayloadType.SA, "proposal " + number + " has trailing octets");
            if (out.size() == MAX_PAYLOADS) throw malformed(PayloadType.SA, "too many proposals");
            out.add(new Proposal(number, protocol, spi, transforms));
            p = proposalEnd;
        }
        if (p != end) throw malformed(PayloadType.SA, "octets after the last proposal");
        return out;
    }

    private static List<TrafficSelector> selectors(byte[] b, int at, int end) throws Ikev2DecodeException {
        need(end - at, 4, PayloadType.TSI);
        int count = b[at] & 0xff;
        List<TrafficSelector> out = new ArrayList<>(count);
        int p = at + 4;
        for (int i = 0; i < count; i++) {
            if (end - p < 8) throw malformed(PayloadType.TSI, "selector header");
            int tsType = b[p] & 0xff;
            int length = u16(b, p + 2);
            int addr = tsType == TrafficSelector.TS_IPV4_ADDR_RANGE ? 4 : tsType == TrafficSelector.TS_IPV6_ADDR_RANGE ? 16 : -1;
            if (length > end - p || length < 8) throw malformed(PayloadType.TSI, "selector length " + length);
            if (addr > 0) {
                if (length != 8 + 2 * addr) throw malformed(PayloadType.TSI, "selector length " + length);
                out.add(new TrafficSelector(tsType, b[p + 1] & 0xff, u16(b, p + 4), u16(b, p + 6),
                        Arrays.copyOfRange(b, p + 8, p + 8 + addr), Arrays.copyOfRange(b, p + 8 + addr, p + 8 + 2 * addr)));
            } // other types (e.g. RFC 4595 FC) are skipped: we select on IP only
            p += length;
        }
        if (p != end) throw malformed(PayloadType.TSI, "octets after the selectors");
        return out;
    }

    private static void need(int have, int need, PayloadType type) throws Ikev2DecodeException {
        if (have < need) throw malformed(type, have + " octets, needs " + need);
    }

    private static Ikev2DecodeException malformed(PayloadType type, String what) {
        return new Ikev2DecodeException(Ikev2DropReason.MALFORMED_PAYLOAD, type + ": " + what);
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    static int u32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    static long u64(byte[] b, int at) {
        return (long) u32(b, at) << 32 | u32(b, at + 4) & 0xffffffffL;
    }

    // --- encoding ------------------------------------------------------------------------------------------------

    /** The wire type of {@code p} (for an {@link Unknown}, its own). */
    public static int typeOf(Payload p) {
        return p instanceof Unknown u ? u.payloadType() : p.type().code();
    }

    /** A whole plaintext message: the header (its next payload and length are filled in) and the payloads. */
    public static byte[] encode(Ikev2Header header, List<Payload> payloads) {
        byte[] body = encodePayloads(payloads);
        int length = Ikev2Header.LENGTH + body.length;
        byte[] m = new byte[length];
        writeHeader(m, header.withLength(length).withNextPayload(payloads.isEmpty() ? 0 : typeOf(payloads.getFirst())));
        System.arraycopy(body, 0, m, Ikev2Header.LENGTH, body.length);
        return m;
    }

    /** Writes the 28-octet header into the start of {@code m}. */
    public static void writeHeader(byte[] m, Ikev2Header h) {
        put64(m, 0, h.initiatorSpi());
        put64(m, 8, h.responderSpi());
        m[16] = (byte) h.nextPayload();
        m[17] = (byte) Ikev2Header.VERSION;
        m[18] = (byte) h.exchange();
        m[19] = (byte) h.flags();
        put32(m, 20, h.messageId());
        put32(m, 24, h.length());
    }

    /**
     * The payload chain, each payload's generic header naming the next one's type, the last naming none (an
     * {@link Encrypted} or {@link EncryptedFragment} names its first inner payload instead, RFC 7296 section 3.14).
     */
    public static byte[] encodePayloads(List<Payload> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        for (int i = 0; i < payloads.size(); i++) {
            Payload p = payloads.get(i);
            byte[] body = body(p);
            int next = switch (p) {
                case Encrypted e -> e.firstInner();
                case EncryptedFragment f -> f.firstInner();
                default -> i + 1 < payloads.size() ? typeOf(payloads.get(i + 1)) : 0;
            };
            int length = GENERIC_HEADER + body.length;
            if (length > 0xffff) {
                throw new IllegalArgumentException(p.type() + " payload of " + length + " octets: Payload Length is 16 bits (section 3.2)");
            }
            out.write(next);
            out.write(0);
            out.write(length >> 8);
            out.write(length);
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private static byte[] body(Payload p) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(64);
        switch (p) {
            case Sa sa -> {
                for (int i = 0; i < sa.proposals().size(); i++) {
                    Proposal pr = sa.proposals().get(i);
                    ByteArrayOutputStream t = new ByteArrayOutputStream();
                    for (int j = 0; j < pr.transforms().size(); j++) {
                        Transform tr = pr.transforms().get(j);
                        int len = tr.keyBits() > 0 ? 12 : 8;
                        t.write(j + 1 < pr.transforms().size() ? 3 : 0);
                        t.write(0);
                        w16(t, len);
                        t.write(tr.type());
                        t.write(0);
                        w16(t, tr.id());
                        if (tr.keyBits() > 0) {
                            w16(t, 0x8000 | 14);
                            w16(t, tr.keyBits());
                        }
                    }
                    o.write(i + 1 < sa.proposals().size() ? 2 : 0);
                    o.write(0);
                    w16(o, 8 + pr.spi().length + t.size());
                    o.write(pr.number());
                    o.write(pr.protocol());
                    o.write(pr.spi().length);
                    o.write(count(pr.transforms().size(), "transforms in a proposal"));
                    o.writeBytes(pr.spi());
                    o.writeBytes(t.toByteArray());
                }
            }
            case Ke ke -> {
                w16(o, ke.group());
                w16(o, 0);
                o.writeBytes(ke.data());
            }
            case Identification id -> o.writeBytes(id.body());
            case Cert c -> {
                o.write(c.encoding());
                o.writeBytes(c.data());
            }
            case CertReq c -> {
                o.write(c.encoding());
                o.writeBytes(c.authorities());
            }
            case Auth a -> {
                o.write(a.method());
                o.writeBytes(new byte[3]);
                o.writeBytes(a.data());
            }
            case Nonce n -> o.writeBytes(n.data());
            case Notify n -> {
                o.write(n.protocol());
                o.write(n.spi().length);
                w16(o, n.notifyType());
                o.writeBytes(n.spi());
                o.writeBytes(n.data());
            }
            case Delete d -> {
                o.write(d.protocol());
                o.write(d.spiSize());
                w16(o, d.spis().size());
                for (byte[] spi : d.spis()) o.writeBytes(spi);
            }
            case VendorId v -> o.writeBytes(v.data());
            case TrafficSelectors ts -> {
                o.write(count(ts.selectors().size(), "traffic selectors in a payload"));
                o.writeBytes(new byte[3]);
                for (TrafficSelector s : ts.selectors()) {
                    o.write(s.tsType());
                    o.write(s.ipProtocol());
                    w16(o, 8 + s.start().length + s.end().length);
                    w16(o, s.startPort());
                    w16(o, s.endPort());
                    o.writeBytes(s.start());
                    o.writeBytes(s.end());
                }
            }
            case Config c -> {
                o.write(c.cfgType());
                o.writeBytes(new byte[3]);
                for (ConfigAttribute a : c.attributes()) {
                    w16(o, a.attributeType() & 0x7fff);
                    w16(o, a.value().length);
                    o.writeBytes(a.value());
                }
            }
            case Eap e -> o.writeBytes(e.packet());
            case Encrypted e -> o.writeBytes(e.body());
            case EncryptedFragment f -> {
                w16(o, f.number());
                w16(o, f.total());
                o.writeBytes(f.body());
            }
            case Unknown u -> o.writeBytes(u.body());
        }
        return o.toByteArray();
    }

    /** A one-octet count (Number of Transforms, Number of TSs): more is the caller's error, not a wrapped count. */
    private static int count(int n, String what) {
        if (n > 0xff) throw new IllegalArgumentException(n + " " + what + ": the count is one octet");
        return n;
    }

    private static void w16(ByteArrayOutputStream o, int v) {
        o.write(v >> 8);
        o.write(v);
    }

    static void put32(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }

    static void put64(byte[] b, int at, long v) {
        put32(b, at, (int) (v >> 32));
        put32(b, at + 4, (int) v);
    }
}
