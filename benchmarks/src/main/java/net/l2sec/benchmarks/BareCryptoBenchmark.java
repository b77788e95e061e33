package net.l2sec.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import net.l2sec.dataplane.esp.SecurityAssociation;
import net.l2sec.dataplane.esp.SecurityAssociation.Direction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baseline for {@link PacketPathBenchmark}: only the JCE work one packet of the path needs, on an ESP packet of
 * exactly the path's size (1400-octet IPv4 packet, PPP, L2TP data header and inner UDP header: 1420 octets of
 * payload, 1424 with padding and trailer), with the Cipher and Mac instances reused and the buffers the path uses
 * (the received packet in a pooled direct buffer as the socket delivers it, the decrypted text and the packet being
 * sealed in pooled heap buffers), but allocated once instead of per packet. Inbound reads the same kind of packet
 * ring as {@link PacketPathBenchmark}: {@value PacketPathBenchmark#RING} distinct sealed packets in their own direct
 * buffers, one after the other, so both read the same amount of memory per packet (a single hot packet would
 * compare the path on cold buffers against the crypto on a buffer that never leaves the L1 cache).
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
@Fork(jvmArgsAppend = {EstablishedSession.EVENT_LOOP_ALLOCATION_CACHE, EstablishedSession.EVENT_LOOP_MAGAZINES})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BareCryptoBenchmark {
    private static final int HEADER = 8;

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
    /** Genuine ESP packets to open, each in a direct buffer like a received datagram. */
    private ByteBuf[] ring;
    private int next;
    /** Where decrypted text goes. */
    private ByteBuf plain;
    /** The packet sealed in place: header, IV, padded payload, room for the ICV. */
    private ByteBuf outgoing;
    private long seq;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
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
            ring[i] = PooledByteBufAllocator.DEFAULT.directBuffer(heap.readableBytes()).writeBytes(heap);
            heap.release();
        }
        sa.wipe();
        ByteBuf sealed = ring[0];
        textLength = sealed.readableBytes() - HEADER - ivLength - icvLength;
        plain = PooledByteBufAllocator.DEFAULT.heapBuffer(textLength + icvLength);
        outgoing = PooledByteBufAllocator.DEFAULT.heapBuffer(sealed.readableBytes());
        outgoing.writeBytes(sealed, 0, sealed.readableBytes());
        for (int i = 0; i < ring.length; i++) {
            if (!inbound()) throw new IllegalStateException("the baseline cannot open the path's packet " + i);
        }
    }

    /** Verify and decrypt one received packet; true when the ICV matched. */
    @Benchmark
    public boolean inbound() throws GeneralSecurityException {
        ByteBuf sealed = ring[next];
        if (++next == ring.length) next = 0;
        int textAt = HEADER + ivLength;
        if (transform.cipher.aead()) {
            sealed.getBytes(HEADER, iv, 4, ivLength);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(sealed.nioBuffer(0, HEADER));
            try {
                cipher.doFinal(sealed.nioBuffer(textAt, textLength + icvLength), plain.nioBuffer(0, textLength));
                return true;
            } catch (javax.crypto.AEADBadTagException e) {
                return false;
            }
        }
        int icvAt = textAt + textLength;
        mac.update(sealed.nioBuffer(0, icvAt));
        mac.doFinal(full, 0);
        System.arraycopy(full, 0, computed, 0, icvLength);
        sealed.getBytes(icvAt, received);
        if (!MessageDigest.isEqual(computed, received)) return false;
        sealed.getBytes(HEADER, iv);
        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
        cipher.doFinal(sealed.nioBuffer(textAt, textLength), plain.nioBuffer(0, textLength));
        return true;
    }

    /** Encrypt and authenticate one packet in place. */
    @Benchmark
    public ByteBuf outbound() throws GeneralSecurityException {
        int textAt = HEADER + ivLength;
        if (transform.cipher.aead()) {
            outgoing.setLong(HEADER, ++seq);
            outgoing.getBytes(HEADER, iv, 4, ivLength);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(outgoing.nioBuffer(0, HEADER));
            cipher.doFinal(outgoing.nioBuffer(textAt, textLength), outgoing.nioBuffer(textAt, textLength + icvLength));
            return outgoing;
        }
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        cipher.doFinal(outgoing.nioBuffer(textAt, textLength), outgoing.nioBuffer(textAt, textLength));
        mac.update(outgoing.nioBuffer(0, textAt + textLength));
        mac.doFinal(full, 0);
        outgoing.setBytes(textAt + textLength, full, 0, icvLength);
        return outgoing;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf b : ring) b.release();
        plain.release();
        outgoing.release();
        Arrays.fill(iv, (byte) 0);
    }
}
