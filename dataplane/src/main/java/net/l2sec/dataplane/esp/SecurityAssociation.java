package net.l2sec.dataplane.esp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.RecyclingBuffers;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * One direction of a transport-mode ESP SA (RFC 4303): SPI, transform and keys, sequence number or anti-replay
 * window, and the byte lifetime. Confined to the event loop thread; {@link #seal} works in the segment's buffer
 * (allocating only when that lacks room or is shared), {@link #open} takes one buffer for the plaintext, this
 * thread's last released one ({@link RecyclingBuffers}; the JCE itself needs a parameter spec per packet).
 *
 * <p>Failures return null and leave the reason in {@link #lastDrop()}, so the packet path allocates no result.
 */
public final class SecurityAssociation {
    /** Next Header for UDP (IANA protocol number 17): all we carry is L2TP over UDP. */
    public static final int NEXT_HEADER_UDP = 17;
    /** Next Header of a tunnel-mode SA carrying an IPv4 packet (IANA protocol number 4, IP-in-IP). */
    public static final int NEXT_HEADER_IPV4 = 4;
    /** Next Header of a tunnel-mode SA carrying an IPv6 packet (IANA protocol number 41). */
    public static final int NEXT_HEADER_IPV6 = 41;
    /** Next Header of a dummy packet (RFC 4303 section 2.6: "no next header"), discarded by the receiver. */
    public static final int NEXT_HEADER_NONE = 59;
    /** Without ESN the sequence number must not cycle (RFC 4303 section 3.3.3). */
    static final long MAX_SEQUENCE = 0xffff_ffffL;
    /** The byte lifetime is "soft" (time to rekey) at this fraction of the hard one. */
    static final double SOFT_FRACTION = 0.9;

    public enum Direction { INBOUND, OUTBOUND }

    /**
     * Per thread (the event loop): where a received packet in direct memory is copied before it is decrypted. As
     * large as a UDP payload can be; it holds ciphertext only, never keys or plaintext.
     */
    private static final FastThreadLocal<ByteBuf> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.wrappedBuffer(new byte[65_535]).clear();
        }
    };

    private final Direction direction;
    private final int spi;
    private final EspTransform transform;
    private final ByteBufAllocator alloc;
    private final ReplayWindow replay;
    private final long lifetimeBytes;
    private long seq;
    private long bytes;
    private boolean softReported;
    private boolean dead;
    private EspDropReason lastDrop;
    private int lastNextHeader;

    /**
     * @param keymat        encryption key (and GCM's 4-octet salt), then the integrity key (RFC 4106 section 8.1,
     *                      RFC 2409 section 5.5); this SA copies what it needs, the caller wipes {@code keymat}
     * @param lifetimeBytes hard byte lifetime, 0 for none
     * @param replayWindow  anti-replay window size (inbound only)
     */
    public SecurityAssociation(Direction direction, int spi, EspCipher cipher, int keyBits, EspIntegrity integrity,
                               byte[] keymat, long lifetimeBytes, int replayWindow, ByteBufAllocator alloc) {
        this(direction, spi, cipher, keyBits, integrity, keymat, lifetimeBytes, replayWindow, alloc, null);
    }

    /** @param ivSource CBC IVs, null for the SA's own {@link CbcIvGenerator}; a fixed source only in known-answer tests */
    SecurityAssociation(Direction direction, int spi, EspCipher cipher, int keyBits, EspIntegrity integrity,
                        byte[] keymat, long lifetimeBytes, int replayWindow, ByteBufAllocator alloc,
                        CbcTransform.IvSource ivSource) {
        if (spi >= 0 && spi < 256) throw new IllegalArgumentException("SPI " + spi + " is reserved (RFC 4303 section 2.1)");
        int keyLength = (cipher.fixedKeyBits() != 0 ? cipher.fixedKeyBits() : keyBits) / 8;
        int saltLength = cipher.aead() ? GcmTransform.SALT_LENGTH : 0;
        int integrityLength = cipher.aead() ? 0 : integrity.keyBits() / 8;
        if (cipher.aead() && integrity != EspIntegrity.NONE) throw new IllegalArgumentException("AEAD with " + integrity);
        if (keymat.length < keyLength + saltLength + integrityLength) {
            throw new IllegalArgumentException("KEYMAT of " + keymat.length + " octets, " + cipher + "/" + keyBits
                    + " with " + integrity + " needs " + (keyLength + saltLength + integrityLength));
        }
        byte[] key = Arrays.copyOfRange(keymat, 0, keyLength);
        if (cipher.aead()) {
            transform = new GcmTransform(key, Arrays.copyOfRange(keymat, keyLength, keyLength + saltLength));
        } else {
            byte[] integrityKey = Arrays.copyOfRange(keymat, keyLength, keyLength + integrityLength);
            try {
                transform = new CbcTransform(cipher, key, integrity, integrityKey, ivSource != null ? ivSource
                        : direction == Direction.OUTBOUND ? new CbcIvGenerator(new SecureRandom()) : iv -> {
                            throw new IllegalStateException("no IVs on an inbound SA");
                        });
            } finally {
                Arrays.fill(integrityKey, (byte) 0); // the Mac keeps its own copy
            }
        }
        this.direction = direction;
        this.spi = spi;
        this.alloc = alloc;
        this.lifetimeBytes = lifetimeBytes;
        this.replay = direction == Direction.INBOUND ? new ReplayWindow(replayWindow) : null;
    }

    public Direction direction() {
        return direction;
    }

    public int spi() {
        return spi;
    }

    public String transformName() {
        return transform.name();
    }

    /** Octets of payload protected so far. */
    public long bytes() {
        return bytes;
    }

    /** Outbound: the last sequence number sent; inbound: the highest one accepted. */
    public long sequence() {
        return direction == Direction.OUTBOUND ? seq : replay.top();
    }

    /** Outbound: true once the sequence number space is used up and nothing more can be sent. */
    public boolean exhausted() {
        return direction == Direction.OUTBOUND && seq >= MAX_SEQUENCE;
    }

    public EspDropReason lastDrop() {
        return lastDrop;
    }

    /**
     * True once, the first time the byte count passes the soft lifetime or (outbound) the sequence number passes the
     * same fraction of its space; the owner then asks for a rekey.
     */
    public boolean takeSoftLimit() {
        if (softReported) return false;
        boolean bytesSoft = lifetimeBytes > 0 && bytes >= lifetimeBytes * SOFT_FRACTION;
        boolean seqSoft = direction == Direction.OUTBOUND && seq >= MAX_SEQUENCE * SOFT_FRACTION;
        if (!bytesSoft && !seqSoft) return false;
        softReported = true;
        return true;
    }

    /** True when the byte lifetime is used up: the SA must go. */
    public boolean hardLimitReached() {
        return lifetimeBytes > 0 && bytes >= lifetimeBytes;
    }

    /**
     * Builds the ESP packet for {@code segment} (a transport-layer segment with Next Header {@code nextHeader}) in
     * place: SPI, sequence number and IV go in front of the segment, padding, trailer and ICV behind it, and the
     * payload is encrypted where it is. When the segment's buffer lacks the room or must not be written
     * ({@link PacketBuffers#prepend}) it is copied once into a new one first. Takes ownership of {@code segment};
     * the packet returned (the same buffer or the copy) starts at the SPI. Returns null when the SA refuses to send
     * (sequence numbers or lifetime used up, SA dead); {@link #lastDrop()} says why.
     */
    public ByteBuf seal(ByteBuf segment, int nextHeader) {
        if (direction != Direction.OUTBOUND) {
            segment.release();
            throw new IllegalStateException("seal on an inbound SA");
        }
        if (dead || hardLimitReached()) return release(segment, EspDropReason.LIFETIME);
        if (seq >= MAX_SEQUENCE) return release(segment, EspDropReason.SEQ_EXHAUSTED);
        int payload = segment.readableBytes();
        int align = transform.alignment();
        int padding = (align - (payload + 2) % align) % align;
        int plaintext = payload + padding + 2;
        int header = 8 + transform.ivLength();
        ByteBuf packet = PacketBuffers.prepend(segment, header, padding + 2 + transform.icvLength());
        try {
            int start = packet.readerIndex();
            seq++;
            packet.setInt(start, spi).setInt(start + 4, (int) seq);
            for (int i = 1; i <= padding; i++) packet.writeByte(i); // RFC 4303 section 2.4 default contents
            packet.writeByte(padding).writeByte(nextHeader);
            transform.seal(packet, start, plaintext, seq);
            packet.writerIndex(packet.writerIndex() + transform.icvLength());
            bytes += payload;
            return packet;
        } catch (RuntimeException e) {
            packet.release();
            throw e;
        }
    }

    private ByteBuf release(ByteBuf segment, EspDropReason reason) {
        segment.release();
        return fail(reason);
    }

    /**
     * Verifies and decrypts {@code packet} (from the SPI on; not released here). Returns the inner transport-layer
     * segment with Next Header {@link #NEXT_HEADER_UDP} in a new buffer the caller owns, or null; {@link #lastDrop()}
     * says why. Order as RFC 4303 section 3.4: replay check, ICV, then the window update, then the trailer.
     *
     * <p>A packet in direct memory (as the socket delivers datagrams) is first copied into this thread's scratch
     * array: the JCE's AES-GCM would otherwise stage it through temporary arrays of its own, which costs more than
     * one copy into memory that stays in the cache.
     */
    public ByteBuf open(ByteBuf packet) {
        ByteBuf payload = openPayload(packet);
        if (payload == null || lastNextHeader == NEXT_HEADER_UDP) return payload;
        bytes -= payload.readableBytes();   // as before tunnel mode: a refused payload is not counted
        payload.release();
        return fail(EspDropReason.NOT_UDP);
    }

    /**
     * As {@link #open}, for any Next Header: returns the payload (for tunnel mode a whole IP packet, RFC 4303
     * section 3.1.2) in a new buffer the caller owns, and leaves the trailer's Next Header in
     * {@link #lastNextHeader()}; null on failure, {@link #lastDrop()} says why. The caller checks the Next Header.
     */
    public ByteBuf openPayload(ByteBuf packet) {
        if (direction != Direction.INBOUND) throw new IllegalStateException("open on an outbound SA");
        if (dead || hardLimitReached()) return fail(EspDropReason.LIFETIME);
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        int ciphertext = length < 8 ? -1 : transform.ciphertextLength(length);
        if (ciphertext < 0) return fail(EspDropReason.MALFORMED);
        long sequence = packet.getUnsignedInt(start + 4);
        if (!replay.check(sequence)) return fail(EspDropReason.REPLAY);
        ByteBuf in = packet;
        if (!packet.hasArray()) {
            in = SCRATCH.get().clear();
            if (packet.nioBufferCount() == 1) {
                // absolute bulk get from the buffer's own NIO view: getBytes would make a ByteBuffer per call
                ByteBuffer view = packet.internalNioBuffer(start, length);
                view.get(view.position(), in.array(), in.arrayOffset(), length);
                in.writerIndex(length);
            } else {
                in.writeBytes(packet, start, length);
            }
            start = 0;
        }
        ByteBuf out = RecyclingBuffers.take(alloc, ciphertext);
        try {
            EspDropReason failed = transform.open(in, start, length, out);
            if (failed != null) return fail(failed);
            replay.update(sequence);
            int padding = out.getUnsignedByte(ciphertext - 2);
            int nextHeader = out.getUnsignedByte(ciphertext - 1);
            if (padding > ciphertext - 2) return fail(EspDropReason.BAD_PADDING);
            int payload = ciphertext - 2 - padding;
            for (int i = 1; i <= padding; i++) {
                if (out.getUnsignedByte(payload + i - 1) != i) return fail(EspDropReason.BAD_PADDING);
            }
            lastNextHeader = nextHeader;
            bytes += payload;
            out.writerIndex(payload);
            ByteBuf result = out;
            out = null;
            return result;
        } finally {
            if (out != null) out.release();
        }
    }

    /** The Next Header of the last packet {@link #openPayload} returned. */
    public int lastNextHeader() {
        return lastNextHeader;
    }

    private ByteBuf fail(EspDropReason reason) {
        lastDrop = reason;
        return null;
    }

    /** Ends the SA: overwrites the raw keys it holds; nothing is sealed or opened afterwards. */
    public void wipe() {
        dead = true;
        transform.wipe();
    }

    /** For tests: continue as if {@code last} sequence numbers had been sent. */
    void skipTo(long last) {
        seq = last;
    }

    @Override
    public String toString() {
        return "SA[" + direction + " spi=" + Integer.toHexString(spi) + " " + transform.name() + "]";
    }
}
