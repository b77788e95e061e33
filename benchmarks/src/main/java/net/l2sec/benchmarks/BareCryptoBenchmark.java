package net.l2sec.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.esp.SecurityAssociation;
import net.l2sec.dataplane.esp.SecurityAssociation.Direction;
import net.l2sec.dataplane.l2tp.L2tpCodec;
import net.l2sec.dataplane.ppp.frame.PppFrameCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The baseline for {@link PacketPathBenchmark}: only the JCE work one packet of the path needs, on an ESP packet of
 * exactly the path's size (1400-octet IPv4 packet, PPP, L2TP data header and inner UDP header: 1420 octets of
 * payload, 1424 with padding and trailer), done the cheapest way the JCE offers: Cipher and Mac instances reused,
 * heap arrays and the JCE's array methods (no {@code ByteBuffer} views; for direct memory the JCE's AES-GCM would
 * stage the data through arrays of its own). Inbound decrypts from a ring of {@value PacketPathBenchmark#RING}
 * distinct sealed packets in pooled heap buffers, as many as the path's inbound ring, into one reused array.
 * Outbound seals, in place and where the path does, the same kind of batch of buffers as the path gets
 * ({@link TunReader}: {@value TunReader#BATCH} packets read on another thread, untimed), so both start from the
 * same memory state; the baseline frees its batch untimed, the path frees its packets in the measurement. What the
 * path does beyond this is path cost: inbound it receives the packet in direct memory, as the socket delivers it,
 * and copies it into a heap array first, and it allocates a buffer per packet for the plaintext; outbound it writes
 * the headers, padding and trailer, makes an unpredictable CBC IV and frees the buffer.
 *
 * <ul>
 *   <li>{@code AES128_CBC_SHA1}, inbound: HmacSHA1 over SPI, sequence number, IV and ciphertext, the 96-bit ICV
 *       compared in constant time, then AES/CBC/NoPadding decryption of the padded payload (a new
 *       {@code IvParameterSpec} per packet, as the JCE requires). Outbound: AES/CBC/NoPadding encryption in place
 *       with a fixed IV (the path makes an unpredictable one per packet; that is path cost here), then HmacSHA1 over
 *       header and ciphertext and the ICV written.
 *   <li>{@code AES128_GCM16}: AES/GCM/NoPadding with a 128-bit tag, the nonce from salt and sequence number, SPI
 *       and sequence number as AAD (RFC 4106), decrypting and verifying (inbound) or encrypting and tagging in
 *       place with a new sequence number per packet (outbound; the JCE refuses a repeated nonce).
 * </ul>
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = {EventLoopThreads.EXECUTOR, EventLoopThreads.EXECUTOR_CLASS})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BareCryptoBenchmark {
    private static final int HEADER = 8;
    /** Inner UDP header, L2TP data header (with Length), PPP header: the path's ESP payload in front of the IP packet. */
    private static final int ENCAPSULATION = 8 + L2tpCodec.DATA_HEADER_LENGTH + PppFrameCodec.HEADER_LENGTH;

    @Param({"AES128_CBC_SHA1", "AES128_GCM16"})
    public Transform transform;

    private Cipher cipher;
    private Mac mac;
    private SecretKeySpec key;
    private byte[] iv;
    private final byte[] full = new byte[20];
    private final byte[] computed = new byte[12];
    private final byte[] received = new byte[12];
    private int ivLength;
    private int icvLength;
    private int textLength;
    /** Genuine ESP packets to open, each in a heap buffer of its own (see the class comment). */
    private ByteBuf[] ring;
    private int next;
    /**
     * Where decrypted text goes: an array of its own. (Pooled heap buffers share their chunk's array, and the JCE's
     * AES-GCM copies into a new array the size of the whole chunk when input and output are one array and the
     * output lies behind the input; the path's {@code GcmTransform} avoids that the same way.)
     */
    private ByteBuf plain;
    /**
     * Packets sealed in place, as the path's outbound batch: made by the same {@link TunReader}, untimed, before
     * each invocation, each an IP packet at {@link PacketBuffers#HEADROOM} in a buffer of its own.
     */
    private final ByteBuf[] batch = new ByteBuf[TunReader.BATCH];
    private final TunReader tunReader = new TunReader();
    private ByteBuf ipPacket;
    private long seq;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        EventLoopThreads.requireEventLoopThread();
        byte[] keymat = new byte[transform.keymatLength()];
        new Random(1).nextBytes(keymat);
        int keyLength = transform.keyBits / 8;
        key = new SecretKeySpec(keymat, 0, keyLength, "AES");
        if (transform.cipher.aead()) {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            iv = new byte[12];
            System.arraycopy(keymat, keyLength, iv, 0, 4); // salt
            ivLength = 8;
            icvLength = 16;
        } else {
            cipher = Cipher.getInstance("AES/CBC/NoPadding");
            mac = Mac.getInstance(transform.integrity.jceName());
            mac.init(new SecretKeySpec(keymat, keyLength, keymat.length - keyLength, transform.integrity.jceName()));
            iv = new byte[16];
            ivLength = 16;
            icvLength = 12;
        }
        // the same packet the path's client seals: inner UDP + L2TP data header + PPP header + 1400-octet IP packet
        SecurityAssociation sa = new SecurityAssociation(Direction.OUTBOUND, 0x4000_0001, transform.cipher,
                transform.keyBits, transform.integrity, keymat, 0, 0, PooledByteBufAllocator.DEFAULT);
        ring = new ByteBuf[PacketPathBenchmark.RING];
        for (int i = 0; i < ring.length; i++) {
            ByteBuf segment = PooledByteBufAllocator.DEFAULT.heapBuffer(8 + 8 + 4 + EstablishedSession.IP_PACKET_LENGTH);
            segment.writeZero(8 + 8 + 4).writeBytes(EstablishedSession.ipPacket(1, 2, i));
            ByteBuf heap = sa.seal(segment, SecurityAssociation.NEXT_HEADER_UDP);
            ring[i] = PooledByteBufAllocator.DEFAULT.heapBuffer(heap.readableBytes()).writeBytes(heap);
            heap.release();
        }
        sa.wipe();
        ByteBuf sealed = ring[0];
        textLength = sealed.readableBytes() - HEADER - ivLength - icvLength;
        plain = Unpooled.wrappedBuffer(new byte[textLength + icvLength]);
        ipPacket = Unpooled.wrappedBuffer(EstablishedSession.ipPacket(2, 1, -1));
        for (int i = 0; i < ring.length; i++) {
            if (!inbound()) throw new IllegalStateException("the baseline cannot open the path's packet " + i);
        }
    }

    /** Verify and decrypt one received packet; true when the ICV matched. */
    @Benchmark
    public boolean inbound() throws GeneralSecurityException {
        ByteBuf sealed = ring[next];
        if (++next == ring.length) next = 0;
        byte[] a = sealed.array();
        int at = sealed.arrayOffset();
        int textAt = HEADER + ivLength;
        if (transform.cipher.aead()) {
            System.arraycopy(a, at + HEADER, iv, 4, ivLength);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(a, at, HEADER);
            try {
                cipher.doFinal(a, at + textAt, textLength + icvLength, plain.array(), plain.arrayOffset());
                return true;
            } catch (javax.crypto.AEADBadTagException e) {
                return false;
            }
        }
        int icvAt = textAt + textLength;
        mac.update(a, at, icvAt);
        mac.doFinal(full, 0);
        System.arraycopy(full, 0, computed, 0, icvLength);
        System.arraycopy(a, at + icvAt, received, 0, icvLength);
        if (!MessageDigest.isEqual(computed, received)) return false;
        System.arraycopy(a, at + HEADER, iv, 0, ivLength);
        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
        cipher.doFinal(a, at + textAt, textLength, plain.array(), plain.arrayOffset());
        return true;
    }

    /** The next batch, untimed; the last one is freed here (the path frees its packets in the measurement). */
    @Setup(Level.Invocation)
    public void readFromTun(BenchmarkParams params) {
        if (!params.getBenchmark().endsWith(".outbound")) return;
        for (ByteBuf b : batch) {
            if (b != null) b.release();
        }
        tunReader.read(batch, ipPacket);
    }

    /**
     * Encrypt and authenticate each packet of the batch in place, where the path does: the ESP payload (inner UDP,
     * L2TP and PPP headers in front of the IP packet, padding and trailer behind it) starts {@value #ENCAPSULATION}
     * octets in front of the IP packet, SPI, sequence number and IV in front of that.
     */
    @Benchmark
    @OperationsPerInvocation(TunReader.BATCH)
    public void outbound(Blackhole blackhole) throws GeneralSecurityException {
        for (ByteBuf outgoing : batch) {
            byte[] a = outgoing.array();
            int start = PacketBuffers.HEADROOM - ENCAPSULATION - ivLength - HEADER;
            int at = outgoing.arrayOffset() + start;
            int textAt = at + HEADER + ivLength;
            if (transform.cipher.aead()) {
                outgoing.setLong(start + HEADER, ++seq);
                System.arraycopy(a, at + HEADER, iv, 4, ivLength);
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                cipher.updateAAD(a, at, HEADER);
                cipher.doFinal(a, textAt, textLength, a, textAt);
            } else {
                cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
                cipher.doFinal(a, textAt, textLength, a, textAt);
                mac.update(a, at, HEADER + ivLength + textLength);
                mac.doFinal(full, 0);
                System.arraycopy(full, 0, a, textAt + textLength, icvLength);
            }
            blackhole.consume(outgoing);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf b : ring) b.release();
        plain.release();
        for (ByteBuf b : batch) {
            if (b != null) b.release();
        }
        ipPacket.release();
        tunReader.close();
        Arrays.fill(iv, (byte) 0);
    }
}
