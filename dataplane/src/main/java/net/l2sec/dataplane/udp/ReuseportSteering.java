package net.l2sec.dataplane.udp;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which shard (worker event loop) owns a client, and the kernel program that makes the SO_REUSEPORT group of a
 * port deliver every datagram of that client to the owner's socket.
 *
 * <p>Each shard binds its own UDP socket with SO_REUSEPORT to the same address and port (500, 4500, 1701). The
 * kernel's default choice of socket in such a group hashes the 4-tuple, so one client's IKE datagrams (port 500)
 * and its NAT-T datagrams (port 4500, another source port) could land on different shards. {@link #attach}
 * installs a classic BPF program ({@code SO_ATTACH_REUSEPORT_CBPF}) that picks the socket index from the source
 * IP address alone, with the same function as {@link #shardOf}. The socket index is the order in which the
 * sockets joined the group (were bound): the i-th socket bound must belong to shard i.
 *
 * <p>{@link #shardOf} is the correctness path: a datagram that still arrives on another shard's socket (NIO
 * transport, program not attached, a socket closed and the group reordered by the kernel) is handed to the owner
 * in Java. The program only makes that hand-off rare.
 */
@SuppressWarnings("restricted") // native access is the point of attach(); the JVM is run with --enable-native-access
public final class ReuseportSteering {
    private static final Logger log = LoggerFactory.getLogger(ReuseportSteering.class);

    /** The multiplier of the hash: 2^32 divided by the golden ratio, odd (Knuth's multiplicative hashing). */
    static final int GOLDEN = 0x9E3779B1;

    // classic BPF (linux/filter.h, Documentation/networking/filter.rst)
    static final int BPF_LD = 0x00;
    static final int BPF_ALU = 0x04;
    static final int BPF_JMP = 0x05;
    static final int BPF_RET = 0x06;
    static final int BPF_W = 0x00;
    static final int BPF_B = 0x10;
    static final int BPF_ABS = 0x20;
    static final int BPF_K = 0x00;
    static final int BPF_A = 0x10;
    static final int BPF_MUL = 0x20;
    static final int BPF_RSH = 0x70;
    static final int BPF_MOD = 0x90;
    static final int BPF_JA = 0x00;
    static final int BPF_JEQ = 0x10;
    /** Loads at SKF_NET_OFF + k read the network (IP) header, whatever the skb's data points at. */
    static final int SKF_NET_OFF = -0x100000;
    /** struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }. */
    static final int SOCK_FILTER_SIZE = 8;

    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private ReuseportSteering() {}

    /**
     * The shard that owns the client at {@code source}, in {@code [0, shards)}; 0 when {@code shards <= 1}.
     *
     * <p>{@code a} is the IPv4 address as a big-endian 32-bit number, or the last 4 bytes of an IPv6 address;
     * {@code h = a * 0x9E3779B1} (32-bit, wrapping); the shard is {@code (h >>> 16) mod shards}, unsigned. The upper
     * half of the product mixes all of the address's bits, so neighbouring addresses spread over the shards.
     *
     * <p>This is exactly what the kernel program of {@link #attach} computes from each datagram's IP header to pick
     * the socket of a reuseport group: the two must stay the same function.
     */
    public static int shardOf(InetAddress source, int shards) {
        if (shards <= 1) return 0;
        int a;
        if (source instanceof Inet4Address v4) {
            // the address as a big-endian int, without the copy getAddress() makes (this runs per datagram);
            // ReuseportSteeringTest's fixed values check that it is the address
            a = v4.hashCode();
        } else {
            byte[] b = source.getAddress();
            int n = b.length; // 16: the last four bytes
            a = (b[n - 4] & 0xff) << 24 | (b[n - 3] & 0xff) << 16 | (b[n - 2] & 0xff) << 8 | (b[n - 1] & 0xff);
        }
        int h = a * GOLDEN;
        return Integer.remainderUnsigned(h >>> 16, shards);
    }

    /**
     * The classic BPF program, as the bytes of its {@code struct sock_filter} array in native byte order, that
     * returns {@link #shardOf}'s index for the datagram it runs on:
     *
     * <pre>
     *   0: ldb [net+0]        A = first byte of the IP header
     *   1: rsh #4             A = IP version
     *   2: jeq #6, 3, 5
     *   3: ld  [net+20]       IPv6: last word of the source address (bytes 8..23 of the header)
     *   4: ja  6
     *   5: ld  [net+12]       IPv4: the source address
     *   6: mul #0x9E3779B1
     *   7: rsh #16
     *   8: mod #shards
     *   9: ret a
     * </pre>
     *
     * When the program runs for a reuseport group the skb's data points past the UDP header, so the IP header is
     * read at negative offsets from SKF_NET_OFF, relative to the network header. Word loads are big-endian, as
     * {@link #shardOf} reads the address. Over UDP/IPv6 a dual-stack socket also sees IPv4 datagrams: those have
     * version 4 and an IPv4 header, and Java gives their sender as an Inet4Address, so both sides agree.
     *
     * @throws IllegalArgumentException when {@code shards < 1} (the kernel rejects {@code mod #0})
     */
    static byte[] program(int shards) {
        if (shards < 1) throw new IllegalArgumentException("shards " + shards + " < 1");
        int[][] insns = {
            {BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_NET_OFF},
            {BPF_ALU | BPF_RSH | BPF_K, 0, 0, 4},
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 6},
            {BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_NET_OFF + 20},
            {BPF_JMP | BPF_JA, 0, 0, 1},
            {BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_NET_OFF + 12},
            {BPF_ALU | BPF_MUL | BPF_K, 0, 0, GOLDEN},
            {BPF_ALU | BPF_RSH | BPF_K, 0, 0, 16},
            {BPF_ALU | BPF_MOD | BPF_K, 0, 0, shards},
            {BPF_RET | BPF_A, 0, 0, 0},
        };
        MemorySegment out = MemorySegment.ofArray(new byte[insns.length * SOCK_FILTER_SIZE]);
        for (int i = 0; i < insns.length; i++) {
            long at = (long) i * SOCK_FILTER_SIZE;
            out.set(Native.U16, at, (short) insns[i][0]);
            out.set(ValueLayout.JAVA_BYTE, at + 2, (byte) insns[i][1]);
            out.set(ValueLayout.JAVA_BYTE, at + 3, (byte) insns[i][2]);
            out.set(Native.U32, at + 4, insns[i][3]);
        }
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Attaches the program of {@link #program} for {@code shards} sockets to the SO_REUSEPORT group of
     * {@code channel}'s socket ({@code setsockopt(SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF)}). The program belongs to
     * the group: attaching it through one member (typically the first one bound) steers the datagrams of all of
     * them, and a second attach replaces it. The socket must have SO_REUSEPORT set; it may be bound already.
     *
     * <p>Never throws for what this host cannot do: returns false, with the reason logged at info the first time,
     * for a channel that is not an {@link EpollDatagramChannel} (NIO gives no file descriptor), a platform other
     * than Linux on x86-64 or aarch64, native access not granted, or a setsockopt error. Datagrams then go where the
     * kernel's 4-tuple hash sends them and the Java hand-off by {@link #shardOf} does the steering.
     *
     * @return true when the kernel took the program
     * @throws IllegalArgumentException when {@code shards < 1}
     */
    public static boolean attach(Channel channel, int shards) {
        Objects.requireNonNull(channel, "channel");
        byte[] program = program(shards);
        if (!(channel instanceof EpollDatagramChannel epoll)) {
            return unsupported("channel {} is not an epoll datagram channel ({}): no reuseport steering program, "
                    + "datagrams on the wrong shard are handed over in Java", channel, channel.getClass().getSimpleName());
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("Linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return unsupported("{} {}: no reuseport steering program (SO_ATTACH_REUSEPORT_CBPF is wired for Linux "
                    + "x86-64 and aarch64), datagrams on the wrong shard are handed over in Java", os, arch);
        }
        if (!channel.isOpen()) {
            // its descriptor number may already be another socket's
            return unsupported("channel {} is closed: no reuseport steering program", channel);
        }
        int fd;
        try {
            fd = epoll.fd().intValue();
        } catch (RuntimeException e) {
            return unsupported("channel {}: no file descriptor ({}): no reuseport steering program", channel, e.toString());
        }
        int errno;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment filter = a.allocate(program.length, 8);
            filter.copyFrom(MemorySegment.ofArray(program));
            MemorySegment fprog = a.allocate(Native.SOCK_FPROG);
            fprog.set(ValueLayout.JAVA_SHORT, 0, (short) (program.length / SOCK_FILTER_SIZE));
            fprog.set(ValueLayout.ADDRESS, Native.SOCK_FPROG_FILTER, filter);
            MemorySegment state = a.allocate(Native.CAPTURE_STATE);
            int r = Native.setsockopt(state, fd, Native.SOL_SOCKET, Native.SO_ATTACH_REUSEPORT_CBPF, fprog,
                    (int) fprog.byteSize());
            if (r == 0) {
                log.debug("reuseport steering program for {} shards attached to {}", shards, channel);
                return true;
            }
            errno = Native.errno(state);
        } catch (LinkageError | IllegalCallerException | IllegalStateException e) {
            // the native library or native access is not there (IllegalCallerException without
            // --enable-native-access when it is enforced), or the downcall could not be made
            return unsupported("no reuseport steering program: native call unavailable ({})", e.toString());
        }
        return unsupported("channel {}: setsockopt(SO_ATTACH_REUSEPORT_CBPF) failed: {}: no reuseport steering "
                + "program, datagrams on the wrong shard are handed over in Java", channel, Native.strerror(errno));
    }

    private static boolean unsupported(String format, Object... args) {
        if (LOGGED.compareAndSet(false, true)) {
            log.info(format, args);
        } else {
            log.debug(format, args);
        }
        return false;
    }

    /** setsockopt(2) through the FFM API, and the Linux constants and layouts it needs (asm-generic/socket.h). */
    private static final class Native {
        static final int SOL_SOCKET = 1;
        static final int SO_ATTACH_REUSEPORT_CBPF = 51;

        static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
        static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

        /** struct sock_fprog { unsigned short len; (padding) struct sock_filter *filter; }: 16 bytes on LP64. */
        static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
                ValueLayout.JAVA_SHORT.withName("len"),
                MemoryLayout.paddingLayout(ValueLayout.ADDRESS.byteAlignment() - ValueLayout.JAVA_SHORT.byteSize()),
                ValueLayout.ADDRESS.withName("filter"));
        static final long SOCK_FPROG_FILTER = SOCK_FPROG.byteOffset(MemoryLayout.PathElement.groupElement("filter"));

        static final StructLayout CAPTURE_STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        private static final Linker LINKER = Linker.nativeLinker();

        // created on first use, so that a platform without them fails in attach() (caught) and not in class init
        private static final class Handles {
            static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno"));
            static final MethodHandle STRERROR = handle("strerror", FunctionDescriptor.of(
                    ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));

            private static MethodHandle handle(String function, FunctionDescriptor descriptor, Linker.Option... options) {
                MemorySegment symbol = LINKER.defaultLookup().find(function)
                        .orElseThrow(() -> new UnsatisfiedLinkError("libc function " + function + " not found"));
                return LINKER.downcallHandle(symbol, descriptor, options);
            }
        }

        private Native() {}

        static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, int length) {
            try {
                return (int) Handles.SETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
            } catch (Error | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("native call failed", t);
            }
        }

        static int errno(MemorySegment captured) {
            return (int) ERRNO.get(captured, 0L);
        }

        /** strerror(3) with the number, e.g. "Invalid argument (errno 22)". */
        static String strerror(int errno) {
            try {
                MemorySegment s = (MemorySegment) Handles.STRERROR.invokeExact(errno);
                return s.getString(0, StandardCharsets.UTF_8) + " (errno " + errno + ")";
            } catch (Throwable t) {
                return "errno " + errno;
            }
        }
    }
}
