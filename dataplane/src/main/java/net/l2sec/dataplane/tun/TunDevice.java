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
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * <p>Life cycle: {@link #open(String, int, MeterRegistry)} creates the device (needs root or CAP_NET_ADMIN),
 * {@link #configure} gives it an address, netmask and MTU and brings it up, {@link #startReader} starts the
 * platform threads that hand the packets the kernel routes into the device to a callback, in batches of what one
 * wake-up finds queued (at most {@value #READ_BATCH}), {@link #write} and {@link #queue(int)} send packets from
 * clients to the kernel, {@link #close} removes the device. A device belongs to the network namespace of the
 * thread that opened it.
 *
 * <p>Queues: a device opened with one queue (the default) is an ordinary single-queue TUN device, one file
 * descriptor. With {@code n > 1} queues it is a multi-queue device (IFF_MULTI_QUEUE, Linux 3.8 or later): the
 * device is opened {@code n} times under the same name, and each file descriptor is one queue, with
 * <ul>
 *   <li>its own writer, {@link #queue(int) queue(i)}: its own lock and off-heap copy buffer, so writers on
 *       different queues (one per event loop, say) never wait for each other; {@link #write} is queue 0's;</li>
 *   <li>its own reader thread, {@code tun-reader-<device>-<i>}, that reads the packets the kernel put on that
 *       queue. The kernel picks the queue of each packet it sends into the device by its flow hash: a flow it
 *       recently received through queue i (written by {@code queue(i)}) goes back on queue i while the kernel
 *       remembers it (as a rule, not a promise: the reply to a flow's first packet may come on another), other
 *       flows are spread over the queues by hash. Any packet may come on any queue, so the reader callback gets
 *       packets for any client and must be thread-safe.</li>
 * </ul>
 * The error counters are the device's, shared by its queues.
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
    /** Most queues of one device: the kernel's MAX_TAP_QUEUES. */
    public static final int MAX_QUEUES = 256;

    private static final Logger log = LoggerFactory.getLogger(TunDevice.class);

    private final String name;
    private final List<Queue> queues;
    private final Optional<Counter> writeErrors;
    private final Optional<Counter> readErrors;
    private volatile boolean closed;
    /** The reader threads, one per queue, once {@link #startReader} ran; guarded by {@code this}. */
    private List<Thread> readers = List.of();

    private TunDevice(String name, int[] fds, MeterRegistry registry) {
        this.name = name;
        List<Queue> q = new ArrayList<>(fds.length);
        for (int i = 0; i < fds.length; i++) q.add(new Queue(i, fds[i]));
        this.queues = List.copyOf(q);
        Optional<MeterRegistry> r = Optional.ofNullable(registry);
        this.writeErrors = r.map(m -> errorCounter(m, name, "write"));
        this.readErrors = r.map(m -> errorCounter(m, name, "read"));
    }

    private static Counter errorCounter(MeterRegistry registry, String device, String op) {
        return Counter.builder("l2sec.tun.errors").tag("device", device).tag("op", op)
                .description("Failed reads and writes on the TUN device").register(registry);
    }

    /** {@link #open(String, int, MeterRegistry)} with one queue and without metrics. */
    public static TunDevice open(String name) throws IOException {
        return open(name, 1, null);
    }

    /** {@link #open(String, int, MeterRegistry)} with one queue: a single-queue device, as without IFF_MULTI_QUEUE. */
    public static TunDevice open(String name, MeterRegistry registry) throws IOException {
        return open(name, 1, registry);
    }

    /**
     * Opens {@code /dev/net/tun} and creates (or attaches to) the TUN device {@code name} in the calling thread's
     * network namespace. {@code name} may contain one {@code %d}, which the kernel replaces by the first free
     * number; {@link #name()} is the name the kernel chose.
     *
     * <p>With {@code queues == 1} the device is a single-queue device (no IFF_MULTI_QUEUE). With more, every queue
     * is one more open of {@code /dev/net/tun} with IFF_TUN|IFF_NO_PI|IFF_MULTI_QUEUE and the device's name; if one
     * fails, those already open are closed again.
     *
     * @param queues how many queues, 1 to {@value #MAX_QUEUES}
     * @param registry where write and read errors are counted ({@code l2sec_tun_errors_total}), or null
     * @throws IllegalArgumentException when {@code name} is not a valid interface name or {@code queues} is out
     *     of range
     * @throws IOException with an operator-facing reason (missing privilege, missing tun module, a kernel without
     *     multi-queue TUN devices, ...)
     */
    public static TunDevice open(String name, int queues, MeterRegistry registry) throws IOException {
        checkName(name);
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("TUN device " + name + ": " + queues + " queues, not 1 to " + MAX_QUEUES);
        }
        boolean multiQueue = queues > 1;
        short flags = (short) (Libc.IFF_TUN | Libc.IFF_NO_PI | (multiQueue ? Libc.IFF_MULTI_QUEUE : 0));
        int[] fds = new int[queues];
        int opened = 0;
        String actual = name;
        TunDevice device;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE_STATE);
            try {
                for (int i = 0; i < queues; i++) {
                    // non-blocking: the reader drains the queue until EAGAIN after each poll(); a write to a TUN
                    // device never waits (the kernel takes or drops the packet)
                    int fd = Libc.open(errno, a.allocateFrom(Libc.DEV_NET_TUN), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
                    if (fd < 0) throw openFailure(Libc.errno(errno), actual);
                    fds[opened++] = fd;
                    if (i == 0 && multiQueue) checkMultiQueueFeature(fd, errno, a, name, queues);
                    MemorySegment ifr = ifreq(a, actual); // the first queue's name is the kernel's choice
                    ifr.set(ValueLayout.JAVA_SHORT, Libc.IFR_UNION, flags);
                    if (Libc.ioctl(errno, fd, Libc.TUNSETIFF, ifr) < 0) {
                        int e = Libc.errno(errno);
                        throw multiQueue ? setIffMultiQueueFailure(e, actual, queues) : setIffFailure(e, actual);
                    }
                    if (i == 0) actual = ifr.getString(0, StandardCharsets.US_ASCII);
                }
                device = new TunDevice(actual, fds, registry);
            } catch (IOException | RuntimeException e) {
                for (int i = 0; i < opened; i++) Libc.close(fds[i]);
                throw e;
            }
        }
        if (multiQueue) log.info("TUN device {} created with {} queues", actual, queues);
        else log.info("TUN device {} created", actual);
        return device;
    }

    /**
     * TUNGETFEATURES on a fresh descriptor: a kernel without multi-queue TUN devices (before 3.8) does not list
     * IFF_MULTI_QUEUE, and may not refuse the flag either; ask first so the reason is clear.
     */
    private static void checkMultiQueueFeature(int fd, MemorySegment errno, Arena a, String name, int queues)
            throws IOException {
        MemorySegment features = a.allocate(ValueLayout.JAVA_INT);
        if (Libc.ioctl(errno, fd, Libc.TUNGETFEATURES, features) < 0) {
            throw multiQueueUnsupported(name, queues, "TUNGETFEATURES: " + Libc.strerror(Libc.errno(errno)));
        }
        int supported = features.get(ValueLayout.JAVA_INT, 0);
        if ((supported & Libc.IFF_MULTI_QUEUE) == 0) {
            throw multiQueueUnsupported(name, queues, "features 0x" + Integer.toHexString(supported) + " lack IFF_MULTI_QUEUE");
        }
    }

    static IOException multiQueueUnsupported(String name, int queues, String detail) {
        return new IOException("TUN device " + name + " cannot have " + queues
                + " queues: this kernel does not support multi-queue TUN devices (IFF_MULTI_QUEUE, Linux 3.8 or later);"
                + " configure one queue (" + detail + ")");
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
                    + " cannot be created: an interface of that name exists and is not a TUN device (or is a multi-queue"
                    + " one, which only a multi-queue open may attach to), or the name is invalid");
            default -> new IOException("cannot create TUN device " + name + " (TUNSETIFF): " + Libc.strerror(errno));
        };
    }

    /** {@link #setIffFailure} for one queue of a multi-queue device (TUNSETIFF with IFF_MULTI_QUEUE). */
    static IOException setIffMultiQueueFailure(int errno, String name, int queues) {
        return switch (errno) {
            case Libc.EINVAL -> new IOException("TUN device " + name + " cannot be created with " + queues
                    + " queues: the kernel refused IFF_MULTI_QUEUE (TUNSETIFF: " + Libc.strerror(errno) + "): it does not"
                    + " support multi-queue TUN devices (Linux 3.8 or later), or an interface of that name exists and is a"
                    + " single-queue TUN device or not a TUN device, or the name is invalid");
            case Libc.E2BIG -> new IOException("TUN device " + name + " cannot have " + queues
                    + " queues: the kernel allows at most " + MAX_QUEUES + " per device, counting other processes' queues");
            default -> setIffFailure(errno, name);
        };
    }

    /** The interface name the kernel gave the device. */
    public String name() {
        return name;
    }

    /** How many queues the device has: 1 for a single-queue device. */
    public int queues() {
        return queues.size();
    }

    /**
     * The writer of queue {@code i}, {@code 0 <= i < queues()}: {@link #write}'s semantics on that queue's own file
     * descriptor, with its own lock and copy buffer, so writers on different queues do not contend. Which queue a
     * packet is written to does not change where the kernel routes it; it tells the kernel which queue the packet's
     * flow came from, and its replies tend to come back on that queue. Safe from any thread; meant to have one
     * writer (one event loop) per queue.
     */
    public IpEgress queue(int i) {
        return queues.get(Objects.checkIndex(i, queues.size()));
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
     * Until {@link #configureIpv6} (clients IPv4-only, IPV6CP rejected) the device carries no IPv6: without this the
     * kernel sends router solicitations and MLD reports into it, which the packet path could only drop.
     */
    private void disableIpv6() {
        Path knob = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
        try {
            if (Files.exists(knob)) Files.writeString(knob, "1\n");
        } catch (IOException e) {
            log.warn("TUN device {}: cannot disable IPv6 ({}); its IPv6 packets will be dropped and counted", name, e.getMessage());
        }
    }

    /**
     * Turns IPv6 on for the device and gives it {@code address/prefixLength} (after {@link #configure}), as
     * {@code ip -6 addr add} would: the kernel then routes the prefix (the clients' /64s within it) into the device.
     * The device neither solicits routers nor takes router advertisements (it is the router of the clients' links);
     * a TUN device has no neighbor discovery (IFF_NOARP), so no duplicate address detection delays the address.
     */
    public void configureIpv6(Inet6Address address, int prefixLength) throws IOException {
        if (prefixLength < 1 || prefixLength > 128) throw new IllegalArgumentException("prefix length " + prefixLength);
        ensureOpen();
        Path conf = Path.of("/proc/sys/net/ipv6/conf", name);
        if (!Files.isDirectory(conf)) {
            throw new IOException("TUN device " + name + ": this kernel has no IPv6 (" + conf + " missing); remove pools6 or enable IPv6");
        }
        for (String knob : List.of("accept_ra", "router_solicitations", "autoconf")) sysctl(conf.resolve(knob), "0");
        sysctl(conf.resolve("disable_ipv6"), "0");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE_STATE);
            int sock = Libc.socket(errno, Libc.AF_INET6, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (sock < 0) throw new IOException("socket(AF_INET6, SOCK_DGRAM): " + Libc.strerror(Libc.errno(errno)));
            try {
                MemorySegment ifr = ifreq(a, name);
                ioctl(sock, Libc.SIOCGIFINDEX, ifr, errno, "read interface index");
                int index = ifr.get(ValueLayout.JAVA_INT, Libc.IFR_UNION);
                // struct in6_ifreq { struct in6_addr ifr6_addr; __u32 ifr6_prefixlen; int ifr6_ifindex; }
                MemorySegment in6 = a.allocate(24);
                MemorySegment.copy(address.getAddress(), 0, in6, ValueLayout.JAVA_BYTE, 0, 16);
                in6.set(ValueLayout.JAVA_INT, 16, prefixLength);
                in6.set(ValueLayout.JAVA_INT, 20, index);
                ioctl(sock, Libc.SIOCSIFADDR, in6, errno, "set IPv6 address " + address.getHostAddress() + "/" + prefixLength);
            } finally {
                Libc.close(sock);
            }
        }
        log.info("TUN device {} configured IPv6 {}/{}", name, net.l2sec.dataplane.ip.Ipv6.text(address), prefixLength);
    }

    private void sysctl(Path knob, String value) throws IOException {
        try {
            Files.writeString(knob, value + "\n");
        } catch (IOException e) {
            throw new IOException("TUN device " + name + ": cannot write " + value + " to " + knob + " (root is needed): " + e.getMessage(), e);
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
     * Starts the readers, one per queue: each a dedicated platform thread (a virtual thread would pin its carrier
     * in the native call), a {@link FastThreadLocalThread} as Netty's event loops (so the pooled allocator keeps a
     * cache for it, the buffers the event loop frees go back into that cache, and their {@code ByteBuf} objects are
     * recycled rather than made anew per packet), named {@code tun-reader-<device>} for a single-queue device and
     * {@code tun-reader-<device>-<i>} for queue i of a multi-queue one. Each waits in poll() until its queue has
     * packets, reads them until the queue is empty or {@value #READ_BATCH} are read, and hands that batch to
     * {@code onBatch}: a new list the callback owns, in the queue's arrival order, never empty. Each packet is a
     * pooled buffer the callback must release, with {@link PacketBuffers#HEADROOM} free octets in front of it and
     * {@link PacketBuffers#TAILROOM} behind it, which the layers on the way to the client may write. The callback
     * runs on the reader thread; it should hand the batch to the event loop (one task for all of it) and return.
     * With more than one queue, the readers call it concurrently, so it must be thread-safe; there is no order
     * between batches of different queues.
     */
    public synchronized void startReader(Consumer<List<ByteBuf>> onBatch) {
        Objects.requireNonNull(onBatch, "onBatch");
        if (!readers.isEmpty()) throw new IllegalStateException("reader already started");
        ensureOpen();
        List<Thread> started = new ArrayList<>(queues.size());
        for (Queue q : queues) {
            String threadName = queues.size() == 1 ? "tun-reader-" + name : "tun-reader-" + name + "-" + q.index;
            Thread t = new FastThreadLocalThread(() -> readLoop(q, onBatch), threadName);
            t.setDaemon(true);
            started.add(t);
        }
        readers = List.copyOf(started);
        started.forEach(Thread::start);
    }

    private void readLoop(Queue q, Consumer<List<ByteBuf>> onBatch) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE_STATE);
            MemorySegment pollfd = a.allocate(Libc.POLLFD);
            MemorySegment buffer = a.allocate(MAX_PACKET);
            ByteBuffer view = buffer.asByteBuffer();
            while (!closed) {
                pollfd.set(ValueLayout.JAVA_INT, 0, q.fd);
                pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
                pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int ready = Libc.poll(errno, pollfd, 1L, POLL_TIMEOUT_MILLIS);
                if (ready == 0 || closed) continue;
                if (ready < 0) {
                    if (Libc.errno(errno) == Libc.EINTR) continue;
                    if (!readFailed(q, "poll", Libc.errno(errno))) return;
                    continue;
                }
                short revents = pollfd.get(ValueLayout.JAVA_SHORT, 6);
                if ((revents & Libc.POLLIN) == 0) {
                    // POLLERR/POLLHUP/POLLNVAL: nothing to read; don't spin on it
                    if (!readFailed(q, "poll revents 0x" + Integer.toHexString(revents & 0xffff), 0)) return;
                    continue;
                }
                List<ByteBuf> batch = new ArrayList<>(8);
                while (batch.size() < READ_BATCH && !closed) {
                    long n = Libc.read(errno, q.fd, buffer, MAX_PACKET);
                    if (n < 0) {
                        int e = Libc.errno(errno);
                        if (e == Libc.EINTR) continue;
                        if (e != Libc.EAGAIN && !readFailed(q, "read", e)) {
                            batch.forEach(ByteBuf::release);
                            return;
                        }
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
                    log.error("TUN device {}: packet callback failed", q, ex);
                }
            }
        }
    }

    /**
     * Counts and logs a failed poll or read, then pauses for a poll timeout so that a persistent error does not
     * become a busy loop. False when the reader was interrupted meanwhile: it stops (the device stays open).
     */
    private boolean readFailed(Queue q, String what, int errno) {
        readErrors.ifPresent(Counter::increment);
        log.warn("TUN device {}: {} failed{}", q, what, errno == 0 ? "" : ": " + Libc.strerror(errno));
        try {
            Thread.sleep(POLL_TIMEOUT_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("TUN device {}: reader interrupted, stopped", q);
            return false;
        }
    }

    /**
     * Writes one packet to the kernel with a single write(2) on queue 0 (the only queue of a single-queue device),
     * straight from the buffer's memory when it is one direct buffer, else through a reused off-heap segment.
     * Always releases {@code packet}. Failures are counted and logged at debug, never thrown: the packet path
     * drops, as a router would. Same as {@code queue(0).write(packet)}.
     */
    @Override
    public void write(ByteBuf packet) {
        queues.getFirst().write(packet);
    }

    /** Queue 0's reader thread, or null before {@link #startReader}; for tests. */
    synchronized Thread readerThread() {
        return readers.isEmpty() ? null : readers.getFirst();
    }

    /** The reader threads, one per queue, or none before {@link #startReader}; for tests. */
    synchronized List<Thread> readerThreads() {
        return readers;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("TUN device " + name + " is closed");
    }

    /**
     * Stops the readers (within one poll timeout) and closes the file descriptors of all queues, which removes a
     * non-persistent device and its addresses and routes. Writes after (or racing with) close are dropped.
     */
    @Override
    public void close() {
        List<Thread> rs;
        synchronized (this) {
            if (closed) return;
            closed = true;
            rs = readers;
        }
        // the readers all see the flag within one poll timeout; wait for them together, not one after the other
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10L * POLL_TIMEOUT_MILLIS);
        for (Thread r : rs) {
            if (r == Thread.currentThread()) continue;
            try {
                r.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (r.isAlive()) log.warn("TUN device {}: reader thread {} did not stop", name, r.getName());
        }
        queues.forEach(Queue::close);
        log.info("TUN device {} closed", name);
    }

    /**
     * One queue of the device: a file descriptor, and the write path on it. Its lock serialises writes on this
     * queue only and orders them with close, so a write never reaches a closed (and maybe reused) descriptor.
     */
    private final class Queue implements IpEgress {
        final int index;
        final int fd;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment writeBuffer = arena.allocate(MAX_PACKET);
        private final MemorySegment writeErrno = arena.allocate(Libc.CAPTURE_STATE);
        private final Object writeLock = new Object();

        Queue(int index, int fd) {
            this.index = index;
            this.fd = fd;
        }

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
                            log.debug("TUN device {}: write of {} bytes failed: {}", this, length,
                                    n < 0 ? Libc.strerror(Libc.errno(writeErrno)) : "short write " + n);
                        }
                    }
                }
            } finally {
                packet.release();
            }
        }

        void close() {
            synchronized (writeLock) {
                Libc.close(fd);
                arena.close(); // the reader uses its own arena; this one only holds the write path's segments
            }
        }

        /** The device's name, with the queue's number on a multi-queue device: for log messages. */
        @Override
        public String toString() {
            return queues.size() == 1 ? name : name + " queue " + index;
        }
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
        static final int AF_INET6 = 10;
        static final int SOCK_DGRAM = 2;
        static final int SOCK_CLOEXEC = 0x80000;
        static final short POLLIN = 0x1;

        static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
        static final short IFF_TUN = 0x0001;
        static final short IFF_NO_PI = 0x1000;
        static final short IFF_MULTI_QUEUE = 0x0100;
        static final long TUNGETFEATURES = 0x800454cfL; // _IOR('T', 207, unsigned int)
        static final long SIOCGIFFLAGS = 0x8913;
        static final long SIOCSIFFLAGS = 0x8914;
        static final long SIOCSIFADDR = 0x8916;
        static final long SIOCSIFNETMASK = 0x891c;
        static final long SIOCSIFMTU = 0x8922;
        static final long SIOCGIFINDEX = 0x8933;
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
        static final int E2BIG = 7;
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
