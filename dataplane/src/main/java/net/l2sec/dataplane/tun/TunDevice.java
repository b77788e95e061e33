package net.l2sec.dataplane.tun;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import net.l2sec.dataplane.PacketBuffers;
import net.l2sec.dataplane.ip.IpEgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux TUN device in IFF_TUN|IFF_NO_PI mode: every read or write is one bare IPv4 (or IPv6) packet. All the
 * native code of the dataplane lives here, through the Foreign Function and Memory API (no JNI); the JVM needs
 * {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>Life cycle: {@link #open(String, MeterRegistry)} creates the device (needs root or CAP_NET_ADMIN),
 * {@link #configure} gives it an address, netmask and MTU and brings it up, {@link #startReader} starts the
 * platform thread that hands the packets the kernel routes into the device to a callback, in batches of what one
 * wake-up finds queued (at most {@value #READ_BATCH}), {@link #write} sends
 * packets from clients to the kernel, {@link #close} removes the device. A device belongs to the network
 * namespace of the thread that opened it.
 */
@SuppressWarnings("restricted") // native access is this class's purpose; the JVM is run with --enable-native-access
public final class TunDevice implements IpEgress, AutoCloseable {
    /** Largest packet read or written: the largest IPv4 datagram. */
    public static final int MAX_PACKET = 65_535;
    /** IFNAMSIZ - 1: interface names are at most 15 bytes plus the terminating NUL. */
    public static final int MAX_NAME_LENGTH = 15;
    /** How long the reader blocks in poll() before it looks at the closed flag again. */
    static final int POLL_TIMEOUT_MILLIS = 100;
    /**
     * Most packets the reader hands over at once: what it read after one poll() until the queue was empty. One
     * hand-off per batch instead of per packet (a task on the event loop each) is what a burst costs less with;
     * the bound keeps a batch's latency and memory small.
     */
    public static final int READ_BATCH = 64;

    private static final Logger log = LoggerFactory.getLogger(TunDevice.class);

    private final String name;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment writeBuffer = arena.allocate(MAX_PACKET);
    private final MemorySegment writeErrno = arena.allocate(Libc.CAPTURE_STATE);
    private final Object writeLock = new Object();
    private final Optional<Counter> writeErrors;
    private final Optional<Counter> readErrors;
    private volatile boolean closed;
    private Thread reader;

    private TunDevice(String name, int fd, MeterRegistry registry) {
        this.name = name;
        this.fd = fd;
        Optional<MeterRegistry> r = Optional.ofNullable(registry);
        this.writeErrors = r.map(m -> errorCounter(m, name, "write"));
        this.readErrors = r.map(m -> errorCounter(m, name, "read"));
    }

    private static Counter errorCounter(MeterRegistry registry, String device, String op) {
        return Counter.builder("l2sec.tun.errors").tag("device", device).tag("op", op)
                .description("Failed reads and writes on the TUN device").register(registry);
    }

    /** {@link #open(String, MeterRegistry)} without metrics. */
    public static TunDevice open(String name) throws IOException {
        return open(name, null);
    }

    /**
     * Opens {@code /dev/net/tun} and creates (or attaches to) the TUN device {@code name} in the calling thread's
     * network namespace. {@code name} may contain one {@code %d}, which the kernel replaces by the first free
     * number; {@link #name()} is the name the kernel chose.
     *
     * @param registry where write and read errors are counted ({@code l2sec_tun_errors_total}), or null
     * @throws IllegalArgumentException when {@code name} is not a valid interface name
     * @throws IOException with an operator-facing reason (missing privilege, missing tun module, ...)
     */
    public static TunDevice open(String name, MeterRegistry registry) throws IOException {
        checkName(name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE_STATE);
            // non-blocking: the reader drains the queue until EAGAIN after each poll(); a write to a TUN device never
            // waits (the kernel takes or drops the packet)
            int fd = Libc.open(errno, a.allocateFrom(Libc.DEV_NET_TUN), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) throw openFailure(Libc.errno(errno), name);
            MemorySegment ifr = ifreq(a, name);
            ifr.set(ValueLayout.JAVA_SHORT, Libc.IFR_UNION, (short) (Libc.IFF_TUN | Libc.IFF_NO_PI));
            if (Libc.ioctl(errno, fd, Libc.TUNSETIFF, ifr) < 0) {
                int e = Libc.errno(errno);
                Libc.close(fd);
                throw setIffFailure(e, name);
            }
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            log.info("TUN device {} created", actual);
            return new TunDevice(actual, fd, registry);
        }
    }

    static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("TUN device name '" + name + "' must be 1 to " + MAX_NAME_LENGTH
                    + " bytes long (Linux IFNAMSIZ), not " + b.length);
        }
        if (name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("TUN device name '" + name
                    + "' may not contain '/', ':', blanks or non-ASCII characters, nor be '.' or '..'");
        }
    }

    static IOException openFailure(int errno, String name) {
        return switch (errno) {
            case Libc.EPERM, Libc.EACCES -> new IOException("cannot open " + Libc.DEV_NET_TUN
                    + ": root or CAP_NET_ADMIN is needed to create TUN device " + name + " (" + Libc.strerror(errno) + ")");
            case Libc.ENOENT, Libc.ENODEV, Libc.ENXIO -> new IOException("cannot open " + Libc.DEV_NET_TUN + " to create TUN device "
                    + name + ": the tun kernel module is not loaded or the device node is missing (modprobe tun; "
                    + "in a container, pass /dev/net/tun in) (" + Libc.strerror(errno) + ")");
            default -> new IOException("cannot open " + Libc.DEV_NET_TUN + " for TUN device " + name + ": "
                    + Libc.strerror(errno));
        };
    }

    static IOException setIffFailure(int errno, String name) {
        return switch (errno) {
            case Libc.EPERM, Libc.EACCES -> new IOException("root or CAP_NET_ADMIN is needed to create TUN device "
                    + name + " (TUNSETIFF: " + Libc.strerror(errno) + ")");
            case Libc.EBUSY -> new IOException("TUN device " + name + " exists and is held by another process");
            case Libc.EINVAL -> new IOException("TUN device " + name
                    + " cannot be created: an interface of that name exists and is not a TUN device, or the name is invalid");
            default -> new IOException("cannot create TUN device " + name + " (TUNSETIFF): " + Libc.strerror(errno));
        };
    }

    /** The interface name the kernel gave the device. */
    public String name() {
        return name;
    }

    /**
     * Sets the device's IPv4 address and netmask ({@code address/prefixLength}), its MTU, and brings it up
     * (IFF_UP|IFF_RUNNING), as {@code ip addr add} and {@code ip link set up mtu} would.
     */
    public void configure(Inet4Address address, int prefixLength, int mtu) throws IOException {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
        if (mtu < 68 || mtu > MAX_PACKET) throw new IllegalArgumentException("MTU " + mtu + " outside 68.." + MAX_PACKET);
        ensureOpen();
        disableIpv6();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE_STATE);
            int sock = Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (sock < 0) throw new IOException("socket(AF_INET, SOCK_DGRAM): " + Libc.strerror(Libc.errno(errno)));
            try {
                MemorySegment ifr = ifreq(a, name);
                sockaddrIn(ifr, address.getAddress());
                ioctl(sock, Libc.SIOCSIFADDR, ifr, errno, "set address " + address.getHostAddress());

                int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
                sockaddrIn(ifr, new byte[] {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask});
                ioctl(sock, Libc.SIOCSIFNETMASK, ifr, errno, "set netmask /" + prefixLength);

                ifr.asSlice(Libc.IFR_UNION).fill((byte) 0);
                ifr.set(ValueLayout.JAVA_INT, Libc.IFR_UNION, mtu);
                ioctl(sock, Libc.SIOCSIFMTU, ifr, errno, "set MTU " + mtu);

                ifr.asSlice(Libc.IFR_UNION).fill((byte) 0);
                ioctl(sock, Libc.SIOCGIFFLAGS, ifr, errno, "read flags");
                short flags = ifr.get(ValueLayout.JAVA_SHORT, Libc.IFR_UNION);
                ifr.set(ValueLayout.JAVA_SHORT, Libc.IFR_UNION, (short) (flags | Libc.IFF_UP | Libc.IFF_RUNNING));
                ioctl(sock, Libc.SIOCSIFFLAGS, ifr, errno, "bring up");
            } finally {
                Libc.close(sock);
            }
        }
        log.info("TUN device {} configured {}/{} mtu {} up", name, address.getHostAddress(), prefixLength, mtu);
    }

    /**
     * Clients get IPv4 only (IPV6CP is rejected), so the device carries no IPv6: without this the kernel sends
     * router solicitations and MLD reports into it, which the packet path could only drop.
     */
    private void disableIpv6() {
        Path knob = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
        try {
            if (Files.exists(knob)) Files.writeString(knob, "1\n");
        } catch (IOException e) {
            log.warn("TUN device {}: cannot disable IPv6 ({}); its IPv6 packets will be dropped and counted", name, e.getMessage());
        }
    }

    private void ioctl(int sock, long request, MemorySegment ifr, MemorySegment errno, String what) throws IOException {
        if (Libc.ioctl(errno, sock, request, ifr) < 0) {
            int e = Libc.errno(errno);
            String hint = e == Libc.EPERM || e == Libc.EACCES ? " (root or CAP_NET_ADMIN is needed)" : "";
            throw new IOException("TUN device " + name + ": cannot " + what + ": " + Libc.strerror(e) + hint);
        }
    }

    /** struct ifreq with ifr_name set and the union zeroed. */
    private static MemorySegment ifreq(Arena a, String name) {
        MemorySegment ifr = a.allocate(Libc.IFREQ_SIZE);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
        return ifr;
    }

    /** struct sockaddr_in in the ifreq union: family in host order, port 0, address in network order. */
    private static void sockaddrIn(MemorySegment ifr, byte[] address) {
        MemorySegment sa = ifr.asSlice(Libc.IFR_UNION, 16);
        sa.fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
        MemorySegment.copy(address, 0, sa, ValueLayout.JAVA_BYTE, 4, 4);
    }

    /**
     * Starts the reader: a dedicated platform thread (a virtual thread would pin its carrier in the native call),
     * a {@link FastThreadLocalThread} as Netty's event loops (so the pooled allocator keeps a cache for it, the
     * buffers the event loop frees go back into that cache, and their {@code ByteBuf} objects are recycled rather
     * than made anew per packet). It waits in poll() until the device has packets, reads them until the queue is
     * empty or {@value #READ_BATCH} are read, and hands that batch to {@code onBatch}: a new list the callback owns,
     * in arrival order, never empty. Each packet is a pooled buffer the callback must release, with
     * {@link PacketBuffers#HEADROOM} free octets in front of it and {@link PacketBuffers#TAILROOM} behind it, which
     * the layers on the way to the client may write. The callback runs on the reader thread; it should hand the
     * batch to the event loop (one task for all of it) and return.
     */
    public synchronized void startReader(Consumer<List<ByteBuf>> onBatch) {
        Objects.requireNonNull(onBatch, "onBatch");
        if (reader != null) throw new IllegalStateException("reader already started");
        ensureOpen();
        Thread t = new FastThreadLocalThread(() -> readLoop(onBatch), "tun-reader-" + name);
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    private void readLoop(Consumer<List<ByteBuf>> onBatch) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE_STATE);
            MemorySegment pollfd = a.allocate(Libc.POLLFD);
            MemorySegment buffer = a.allocate(MAX_PACKET);
            ByteBuffer view = buffer.asByteBuffer();
            while (!closed) {
                pollfd.set(ValueLayout.JAVA_INT, 0, fd);
                pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
                pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int ready = Libc.poll(errno, pollfd, 1L, POLL_TIMEOUT_MILLIS);
                if (ready == 0 || closed) continue;
                if (ready < 0) {
                    if (Libc.errno(errno) == Libc.EINTR) continue;
                    readFailed("poll", Libc.errno(errno));
                    continue;
                }
                short revents = pollfd.get(ValueLayout.JAVA_SHORT, 6);
                if ((revents & Libc.POLLIN) == 0) {
                    // POLLERR/POLLHUP/POLLNVAL: nothing to read; don't spin on it
                    readFailed("poll revents 0x" + Integer.toHexString(revents & 0xffff), 0);
                    continue;
                }
                List<ByteBuf> batch = new ArrayList<>(8);
                while (batch.size() < READ_BATCH && !closed) {
                    long n = Libc.read(errno, fd, buffer, MAX_PACKET);
                    if (n < 0) {
                        int e = Libc.errno(errno);
                        if (e == Libc.EINTR) continue;
                        if (e != Libc.EAGAIN) readFailed("read", e);
                        break; // EAGAIN: the queue is empty
                    }
                    if (n == 0) break;
                    // the one copy of the packet on its way to a client: into a buffer the layers below write
                    // their headers in front of and ESP encrypts in place (PacketBuffers)
                    ByteBuf packet = PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, (int) n);
                    packet.writeBytes(view.clear().limit((int) n));
                    batch.add(packet);
                }
                if (batch.isEmpty()) continue;
                try {
                    onBatch.accept(batch);
                } catch (RuntimeException ex) {
                    log.error("TUN device {}: packet callback failed", name, ex);
                }
            }
        }
    }

    private void readFailed(String what, int errno) {
        readErrors.ifPresent(Counter::increment);
        log.warn("TUN device {}: {} failed{}", name, what, errno == 0 ? "" : ": " + Libc.strerror(errno));
        try {
            Thread.sleep(POLL_TIMEOUT_MILLIS); // a persistent error must not become a busy loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Writes one packet to the kernel with a single write(2), straight from the buffer's memory when it is one
     * direct buffer, else through a reused off-heap segment. Always releases {@code packet}. Failures are counted
     * and logged at debug, never thrown: the packet path drops, as a router would.
     */
    @Override
    public void write(ByteBuf packet) {
        try {
            int length = packet.readableBytes();
            if (length == 0 || length > MAX_PACKET) {
                writeErrors.ifPresent(Counter::increment);
                return;
            }
            synchronized (writeLock) {
                if (closed) return;
                MemorySegment source;
                if (packet.hasMemoryAddress()) {
                    source = MemorySegment.ofAddress(packet.memoryAddress() + packet.readerIndex()).reinterpret(length);
                } else if (packet.isDirect() && packet.nioBufferCount() == 1) {
                    source = MemorySegment.ofBuffer(packet.nioBuffer());
                } else {
                    packet.getBytes(packet.readerIndex(), writeBuffer.asByteBuffer().limit(length));
                    source = writeBuffer;
                }
                long n = Libc.write(writeErrno, fd, source, length);
                if (n != length) {
                    writeErrors.ifPresent(Counter::increment);
                    if (log.isDebugEnabled()) {
                        log.debug("TUN device {}: write of {} bytes failed: {}", name, length,
                                n < 0 ? Libc.strerror(Libc.errno(writeErrno)) : "short write " + n);
                    }
                }
            }
        } finally {
            packet.release();
        }
    }

    /** The reader thread, or null before {@link #startReader}; for tests. */
    synchronized Thread readerThread() {
        return reader;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("TUN device " + name + " is closed");
    }

    /**
     * Stops the reader (within one poll timeout) and closes the file descriptor, which removes a non-persistent
     * device and its addresses and routes.
     */
    @Override
    public void close() {
        Thread r;
        synchronized (this) {
            if (closed) return;
            closed = true;
            r = reader;
        }
        if (r != null && r != Thread.currentThread()) {
            try {
                r.join(10L * POLL_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (r.isAlive()) log.warn("TUN device {}: reader thread did not stop", name);
        }
        synchronized (writeLock) {
            Libc.close(fd);
            arena.close(); // the reader uses its own arena; this one only holds the write path's segments
        }
        log.info("TUN device {} closed", name);
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + (closed ? ", closed" : "") + "]";
    }

    /** The libc calls and Linux x86-64/aarch64 constants this class needs (linux/if_tun.h, linux/sockios.h). */
    private static final class Libc {
        static final String DEV_NET_TUN = "/dev/net/tun";

        static final int O_RDWR = 0x2;
        static final int O_NONBLOCK = 0x800;
        static final int O_CLOEXEC = 0x80000;
        static final int AF_INET = 2;
        static final int SOCK_DGRAM = 2;
        static final int SOCK_CLOEXEC = 0x80000;
        static final short POLLIN = 0x1;

        static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
        static final short IFF_TUN = 0x0001;
        static final short IFF_NO_PI = 0x1000;
        static final long SIOCGIFFLAGS = 0x8913;
        static final long SIOCSIFFLAGS = 0x8914;
        static final long SIOCSIFADDR = 0x8916;
        static final long SIOCSIFNETMASK = 0x891c;
        static final long SIOCSIFMTU = 0x8922;
        static final short IFF_UP = 0x1;
        static final short IFF_RUNNING = 0x40;

        /** struct ifreq: char ifr_name[16], then a 24-byte union (sockaddr, short flags, int mtu, ...). */
        static final long IFREQ_SIZE = 40;
        static final long IFR_UNION = 16;
        /** struct pollfd { int fd; short events; short revents; }. */
        static final StructLayout POLLFD = MemoryLayout.structLayout(
                ValueLayout.JAVA_INT.withName("fd"), ValueLayout.JAVA_SHORT.withName("events"),
                ValueLayout.JAVA_SHORT.withName("revents"));

        static final int EPERM = 1;
        static final int ENOENT = 2;
        static final int EINTR = 4;
        static final int ENXIO = 6;
        static final int EAGAIN = 11;
        static final int EACCES = 13;
        static final int EBUSY = 16;
        static final int ENODEV = 19;
        static final int EINVAL = 22;

        static final StructLayout CAPTURE_STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO =
                CAPTURE_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIBC = LINKER.defaultLookup();
        private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");

        private static final MethodHandle OPEN = handle("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
        private static final MethodHandle IOCTL = handle("ioctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
        private static final MethodHandle SOCKET = handle("socket",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                ERRNO_CAPTURE);
        private static final MethodHandle POLL = handle("poll",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                ERRNO_CAPTURE);
        private static final MethodHandle READ = handle("read",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                ERRNO_CAPTURE);
        private static final MethodHandle WRITE = handle("write",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                ERRNO_CAPTURE);
        private static final MethodHandle CLOSE = handle("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        private static final MethodHandle STRERROR = handle("strerror",
                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                        ValueLayout.JAVA_INT));

        private Libc() {}

        private static MethodHandle handle(String function, FunctionDescriptor descriptor, Linker.Option... options) {
            MemorySegment symbol = LIBC.find(function)
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc function " + function + " not found"));
            return LINKER.downcallHandle(symbol, descriptor, options);
        }

        // typed wrappers with invokeExact: no boxing, no varargs array on the per-packet path

        static int open(MemorySegment errno, MemorySegment path, int flags) {
            try {
                return (int) OPEN.invokeExact(errno, path, flags, 0);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg) {
            try {
                return (int) IOCTL.invokeExact(errno, fd, request, arg);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        static int socket(MemorySegment errno, int domain, int type, int protocol) {
            try {
                return (int) SOCKET.invokeExact(errno, domain, type, protocol);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        static int poll(MemorySegment errno, MemorySegment fds, long nfds, int timeoutMillis) {
            try {
                return (int) POLL.invokeExact(errno, fds, nfds, timeoutMillis);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        static long read(MemorySegment errno, int fd, MemorySegment buffer, long count) {
            try {
                return (long) READ.invokeExact(errno, fd, buffer, count);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        static long write(MemorySegment errno, int fd, MemorySegment buffer, long count) {
            try {
                return (long) WRITE.invokeExact(errno, fd, buffer, count);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        private static IllegalStateException failed(Throwable t) {
            return new IllegalStateException("native call failed", t);
        }

        static int errno(MemorySegment captured) {
            return (int) ERRNO.get(captured, 0L);
        }

        static void close(int fd) {
            try {
                int r = (int) CLOSE.invokeExact(fd);
                if (r < 0) log.debug("close({}) failed", fd);
            } catch (Throwable t) {
                throw new IllegalStateException("native call failed", t);
            }
        }

        /** strerror(3) with the errno name's number, e.g. "Operation not permitted (errno 1)". */
        static String strerror(int errno) {
            try {
                MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
                return s.getString(0, StandardCharsets.UTF_8) + " (errno " + errno + ")";
            } catch (Throwable t) {
                return "errno " + errno;
            }
        }
    }
}
