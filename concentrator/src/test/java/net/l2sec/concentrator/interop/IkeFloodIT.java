package net.l2sec.concentrator.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.AuthenticationMethod;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.IsakmpTransformId;
import net.l2sec.dataplane.ike.message.LifeType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.Phase1Attribute;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.tun.TunDevice;
import org.junit.jupiter.api.Test;

/**
 * The IKE responder under a flood of Main Mode message 1 from forged source addresses, end to end: the concentrator
 * jar in a network namespace this test makes (heap limited to {@value #HEAP}), a REAL client (../shared/interop)
 * connected and pinging once a second from before the flood until after it, then {@value #RATE} forged message 1
 * per second for at least {@value #FLOOD_SECONDS} s into 127.0.0.1:500, the very socket the clients use, while a
 * second REAL client boots, connects and pings: the flood lasts until that client is done. Both clients must come up
 * and every ping must pass; the achieved send rate is measured over the whole flood; the half-open memory (scraped
 * every second from the metrics endpoint) must stay within its bound, the oldest unanswered Main Modes be evicted
 * and the under-attack state be entered and left again; the live heap (jcmd GC.class_histogram, after a full
 * collection) may grow by no more than that bound and a little, and come back afterwards. A summary line
 * ({@code ----- RESULT flood:}) gives the figures; the lines before it the concentrator's CPU, its threads' and the
 * machine's, and the namespace's UDP counters (RcvbufErrors: datagrams the kernel dropped because the
 * concentrator had not read them yet).
 *
 * <p>The forged datagrams exist only inside the namespace: they are written into a TUN device the test creates
 * there (from a thread that joined the namespace), with sources from 100.64.0.0/10 routed back into that device, so
 * our message 2 to them comes out of it and is read and discarded. {@code rp_filter} is off and {@code
 * route_localnet} on for the device, so the kernel takes datagrams from it for 127.0.0.1 and routes our replies
 * from 127.0.0.1 back into it. One datagram is built once; per datagram only the source address, port, initiator
 * cookie and IPv4 header checksum change. Every loop stops by itself: the flood after at most {@value
 * #FLOOD_MAX_SECONDS} s.
 */
class IkeFloodIT {
    private static final String PSK = "interop-psk-0123456789";
    static final int RATE = 20_000;
    static final int FLOOD_SECONDS = 20;
    /** The flood goes on past 20 s until the second client is done (so all of it happened during the flood). */
    static final int FLOOD_MAX_SECONDS = 60;
    /** The first client's pings, one a second: longer than the flood can last. */
    static final int FIRST_PINGS = FLOOD_MAX_SECONDS + 20;
    static final String HEAP = "256m";
    static final int HALF_OPEN_MIB = 32;
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    @Test
    void aForgedFloodNeitherDropsAConnectedClientNorLocksOutANewOne() throws Exception {
        try (ConcentratorInNamespace lab = ConcentratorInNamespace.create("flood")) {
            lab.file("users", "alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n");
            lab.file("ipsec.psk", PSK + "\n");
            lab.start(ConcentratorInNamespace.ipsecConfig("l2sec-flood", "limits:\n  half-open-memory-mib: "
                    + HALF_OPEN_MIB + "\n"), List.of("-Xmx" + HEAP));

            // pings once a second for longer than the flood can last: its session is in use throughout
            ConcentratorInNamespace.Client first = client(lab, "--pings", Integer.toString(FIRST_PINGS));
            awaitMetric(lab, "l2sec_ppp_sessions_active", "", 1, Duration.ofSeconds(120));
            long heapBefore = liveHeap(lab);
            String snmpBefore = udpCounters(lab);

            Map<String, Long> cpuBefore = threadTicks(lab.pid());
            long[] machineBefore = machineTicks();
            double startedBefore = value(lab.metrics(), "l2sec_ike_phase1_total", "result=\"started\"");
            Flood flood = Flood.start(lab);
            long floodStart = System.nanoTime();
            ConcentratorInNamespace.Client second = client(lab, "--pings", "3");
            List<String> samples = new ArrayList<>();
            double maxHalfOpenBytes = 0;
            double maxHalfOpenSas = 0;
            double secondUpAt = -1;
            double secondDoneAt = -1;
            boolean underAttackSeen = false;
            boolean firstPingingAtFloodEnd;
            long heapDuring = -1;
            String heapHistogramLine = "";
            long lastSent = 0;
            double lastT = 0;
            double slowestSecond = Double.MAX_VALUE;
            try {
                // bounded: the flood goes on until the second client is done (up, pinged, gone) and at least
                // FLOOD_SECONDS have passed, and never beyond FLOOD_MAX_SECONDS
                while (true) {
                    Thread.sleep(1000);
                    double t = (System.nanoTime() - floodStart) / 1e9;
                    String m = lab.metrics();
                    long sent = flood.sent.get();
                    double completed = value(m, "l2sec_ike_phase1_total", "result=\"completed\"");
                    double bytes = value(m, "l2sec_ike_half_open_bytes", "");
                    double halfOpen = value(m, "l2sec_ike_half_open_sas", "stage=\"message_1\"");
                    double attack = value(m, "l2sec_ike_under_attack", "");
                    maxHalfOpenBytes = Math.max(maxHalfOpenBytes, bytes);
                    maxHalfOpenSas = Math.max(maxHalfOpenSas, halfOpen);
                    underAttackSeen |= attack == 1;
                    if (secondUpAt < 0 && completed >= 2) secondUpAt = t;
                    if (secondDoneAt < 0 && !second.process().isAlive()) secondDoneAt = t;
                    if (t - lastT > 0.5 && lastT > 0) slowestSecond = Math.min(slowestSecond, (sent - lastSent) / (t - lastT));
                    lastSent = sent;
                    lastT = t;
                    samples.add(String.format("t=%5.1fs sent=%d phase1_completed=%.0f half_open=%.0f bytes=%.0f "
                            + "evicted_oldest=%.0f under_attack=%.0f", t, sent, completed, halfOpen, bytes,
                            value(m, "l2sec_ike_half_open_evictions_total", "reason=\"oldest\""), attack));
                    if (heapDuring < 0 && t >= 12) {
                        String histogram = heapHistogram(lab);
                        heapDuring = histogramTotal(histogram);
                        heapHistogramLine = histogram.lines().filter(l -> l.contains("HalfOpenTable$Entry")).findFirst()
                                .orElse("(no HalfOpenTable$Entry line)").trim();
                    }
                    if (t >= FLOOD_SECONDS && secondDoneAt >= 0 || t >= FLOOD_MAX_SECONDS) break;
                }
            } finally {
                flood.stop();
            }
            firstPingingAtFloodEnd = first.process().isAlive();
            Map<String, Long> cpuAfter = threadTicks(lab.pid());
            long[] machineAfter = machineTicks();
            double started = value(lab.metrics(), "l2sec_ike_phase1_total", "result=\"started\"") - startedBefore;
            double seconds = flood.seconds();
            double rate = flood.sent.get() / seconds;
            String r2 = second.result();
            String snmpAfter = udpCounters(lab);
            // the hysteresis: a whole half-open timeout (30 s) without an early eviction; the last entries time out
            // (while the first client still pings: it pings for FLOOD_MAX_SECONDS + 20 s)
            awaitMetric(lab, "l2sec_ike_under_attack", "", 0, Duration.ofSeconds(60));
            awaitMetric(lab, "l2sec_ike_half_open_sas", "stage=\"message_1\"", 0, Duration.ofSeconds(60));
            String m = lab.metrics();
            long heapAfter = liveHeap(lab);
            String r1 = first.result();

            System.out.println("----- flood: " + flood.sent.get() + " forged message 1 in " + String.format("%.1f", seconds)
                    + " s = " + Math.round(rate) + "/s (target " + RATE + "/s, slowest sampled second "
                    + Math.round(slowestSecond) + "/s); " + flood.replies.get() + " replies read back from the TUN device");
            samples.forEach(s -> System.out.println("  " + s));
            System.out.println(String.format("----- the concentrator took %.0f message 1/s (phase 1s started); CPU during "
                    + "the flood: %s; the sender thread used %.1f s CPU; the whole machine was busy %.0f %% of %d cores",
                    started / seconds, cpuText(cpuBefore, cpuAfter, seconds), flood.cpuNanos / 1e9,
                    100.0 * (machineAfter[0] - machineBefore[0]) / (machineAfter[1] - machineBefore[1]),
                    Runtime.getRuntime().availableProcessors()));
            System.out.println("----- UDP counters in the namespace before / after\n" + snmpBefore + "\n" + snmpAfter);
            System.out.println("----- counters after the flood\n" + String.join("\n", m.lines()
                    .filter(l -> l.startsWith("l2sec_ike_") && !l.startsWith("#")).toList()));
            System.out.println("----- live heap (jcmd GC.class_histogram): before " + heapBefore / 1024 + " KiB, during "
                    + heapDuring / 1024 + " KiB, after " + heapAfter / 1024 + " KiB; " + heapHistogramLine);
            System.out.println("----- RESULT first:  " + r1 + "\n----- RESULT second: " + r2);
            System.out.println(String.format("----- RESULT flood: %d forged Main Mode message 1 in %.1f s = %d/s; second "
                    + "client phase 1 up at %.1f s, done at %.1f s into the flood; half-open peak %.0f entries, %.1f MiB "
                    + "(bound %d MiB); evicted oldest %.0f; under attack entered %.0f; live heap before %d KiB, during "
                    + "%d KiB, after %d KiB (-Xmx%s); concentrator took %d/s", flood.sent.get(), seconds, Math.round(rate), secondUpAt,
                    secondDoneAt, maxHalfOpenSas, maxHalfOpenBytes / 1048576, HALF_OPEN_MIB,
                    value(m, "l2sec_ike_half_open_evictions_total", "reason=\"oldest\""),
                    value(m, "l2sec_ike_under_attack_entered_total", ""), heapBefore / 1024, heapDuring / 1024,
                    heapAfter / 1024, HEAP, Math.round(started / seconds)));

            assertThat(rate).as("achieved flood rate (average over the whole flood)").isGreaterThanOrEqualTo(0.98 * RATE);
            assertThat(seconds).as("flood duration").isGreaterThanOrEqualTo(FLOOD_SECONDS);
            assertThat(flood.replies.get()).as("our message 2 to forged sources came out of the test's device")
                    .isPositive();
            assertThat(r1).contains("ike=up", "l2tp=up", "ppp=up", "ping=" + FIRST_PINGS + "/" + FIRST_PINGS);
            assertThat(firstPingingAtFloodEnd).as("the first client was still pinging when the flood ended").isTrue();
            assertThat(r2).contains("ike=up", "l2tp=up", "ppp=up", "ping=3/3");
            assertThat(secondDoneAt).as("the second client came up and pinged while the flood went on").isPositive();
            assertThat(secondUpAt).as("the second client's phase 1 completed while the flood went on").isPositive();
            assertThat(value(m, "l2sec_ike_phase1_total", "result=\"completed\"")).isGreaterThanOrEqualTo(2);
            assertThat(value(m, "l2sec_ike_half_open_evictions_total", "reason=\"oldest\""))
                    .as("the oldest unanswered Main Modes made room").isGreaterThan(flood.sent.get() / 2.0);
            assertThat(underAttackSeen).as("l2sec_ike_under_attack was 1 during the flood").isTrue();
            assertThat(value(m, "l2sec_ike_under_attack_entered_total", "")).isGreaterThanOrEqualTo(1);
            assertThat(maxHalfOpenBytes).as("half-open memory within its bound").isPositive()
                    .isLessThanOrEqualTo(HALF_OPEN_MIB * 1048576.0);
            // a table that grew without bound would hold all forged message 1s: some 200 MB, beyond this heap
            assertThat(heapDuring - heapBefore).as("live heap growth during the flood")
                    .isLessThan((HALF_OPEN_MIB + 16) * 1048576L);
            assertThat(heapAfter - heapBefore).as("live heap growth left after the flood").isLessThan(16 * 1048576L);
            String log = lab.log();
            assertThat(log).as("no stack trace per datagram").doesNotContain("reached at the tail of the pipeline");
            assertThat(log).contains("ike under attack: half-open phase 1s are evicted before their 30 s timeout",
                    "ike attack over", "suppressed in 10 s");
            long evictionLines = log.lines().filter(l -> l.contains("phase1 failed reason=evicted")).count();
            assertThat(evictionLines).as("eviction lines are rate-limited").isLessThan(20 * (long) (seconds / 10 + 2));
        }
    }

    private static ConcentratorInNamespace.Client client(ConcentratorInNamespace lab, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--mode", "ipsec", "--psk", PSK, "--auth", "mschapv2", "--user",
                "alice", "--password", "password", "--wait", "90"));
        args.addAll(List.of(extra));
        return lab.client(args.toArray(String[]::new));
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; 0 when there is none. */
    static double value(String exposition, String name, String label) {
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            if (m.group(1).equals(name) && (m.group(2) == null ? "" : m.group(2)).contains(label)) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }

    private static void awaitMetric(ConcentratorInNamespace lab, String name, String label, double expected,
                                    Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            String m = lab.metrics();
            if (value(m, name, label) == expected) return;
            if (System.nanoTime() > deadline) throw new AssertionError(name + " not " + expected + " within " + within
                    + ":\n" + m + "\n" + lab.log());
            Thread.sleep(500);
        }
    }

    /** The class histogram after a full collection (jcmd from the host: the namespace shares /tmp). */
    private static String heapHistogram(ConcentratorInNamespace lab) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        return ConcentratorInNamespace.run(jcmd, Long.toString(lab.pid()), "GC.class_histogram");
    }

    /** The live heap in octets: the {@code Total} line of a class histogram. */
    private static long liveHeap(ConcentratorInNamespace lab) throws Exception {
        return histogramTotal(heapHistogram(lab));
    }

    static long histogramTotal(String histogram) {
        Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(histogram);
        if (!m.find()) throw new IllegalStateException("no Total line in:\n" + histogram);
        return Long.parseLong(m.group(1));
    }

    /** CPU clock ticks (utime + stime, 1/100 s) per thread of process {@code pid}, by "tid name". */
    static Map<String, Long> threadTicks(long pid) throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            }
        }
        return ticks;
    }

    /** The machine's busy and total CPU ticks so far ({@code /proc/stat}: all but idle and iowait are busy). */
    static long[] machineTicks() throws IOException {
        String[] f = Files.readString(Path.of("/proc/stat")).lines().findFirst().orElseThrow().trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
        return new long[] {total - Long.parseLong(f[4]) - Long.parseLong(f[5]), total};
    }

    /** The process's CPU between two readings, as cores used, and its three busiest threads. */
    static String cpuText(Map<String, Long> before, Map<String, Long> after, double seconds) {
        long total = 0;
        List<Map.Entry<String, Long>> used = new ArrayList<>();
        for (var e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            total += d;
            used.add(Map.entry(e.getKey(), d));
        }
        used.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder b = new StringBuilder(String.format("concentrator %.2f cores (", total / 100.0 / seconds));
        for (int i = 0; i < Math.min(3, used.size()); i++) {
            b.append(i == 0 ? "" : ", ").append(used.get(i).getKey()).append(String.format(" %.2f", used.get(i).getValue() / 100.0 / seconds));
        }
        return b.append(')').toString();
    }

    /** The namespace's UDP counters (InDatagrams, RcvbufErrors, ...) as /proc/net/snmp has them. */
    private static String udpCounters(ConcentratorInNamespace lab) throws Exception {
        return String.join("\n", lab.exec("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Udp:")).toList());
    }

    /**
     * The forged flood: a platform thread that joins the namespace, creates the TUN device there and writes Main
     * Mode message 1 into it at {@value #RATE}/s, each from another address of 100.64.0.0/10 and port with its own
     * initiator cookie, until stopped or {@value #FLOOD_MAX_SECONDS} s and a little are over. The device's reader
     * counts and releases what the concentrator sends back.
     */
    static final class Flood {
        static final String DEVICE = "l2flood0";
        final AtomicLong sent = new AtomicLong();
        final AtomicLong replies = new AtomicLong();
        private volatile boolean stop;
        private volatile long startNanos;
        private volatile long endNanos;
        /** CPU time the sending thread used. */
        volatile long cpuNanos;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final CountDownLatch go = new CountDownLatch(1);
        private final Thread thread;
        /** The IPv4/UDP datagram sent over and over; source, port and the 8 octets at 28 change per datagram. */
        private final byte[] template;

        /** Creates the TUN device in the namespace; nothing is sent before {@link #go}. */
        private Flood(String namespace, byte[] template) throws Exception {
            this.template = template;
            CompletableFuture<Void> ready = new CompletableFuture<>();
            thread = Thread.ofPlatform().name("ike-flood").start(() -> {
                try {
                    joinNamespace(namespace);
                    try (TunDevice tun = TunDevice.open(DEVICE)) {
                        tun.configure((Inet4Address) InetAddress.getByName("10.98.0.1"), 30, 1500);
                        tun.startReader(batch -> {
                            replies.addAndGet(batch.size());
                            batch.forEach(ByteBuf::release);
                        });
                        ready.complete(null);
                        if (go.await(60, TimeUnit.SECONDS)) write(tun);
                    }
                    done.complete(null);
                } catch (Throwable e) {
                    ready.completeExceptionally(e);
                    done.completeExceptionally(e);
                }
            });
            ready.get(30, TimeUnit.SECONDS);
        }

        /**
         * The device in the namespace, routes and sysctls set (sources from 100.64.0.0/10 routed back into it,
         * {@code rp_filter} off, {@code route_localnet} on), and the flood under way.
         */
        static Flood start(ConcentratorInNamespace lab) throws Exception {
            return start(lab, datagram());
        }

        /**
         * As {@link #start(ConcentratorInNamespace)}, flooding {@code template}: an IPv4/UDP datagram to 127.0.0.1:500
         * whose IKE header starts at octet 28 (the initiator's SPI or cookie there changes per datagram).
         */
        static Flood start(ConcentratorInNamespace lab, byte[] template) throws Exception {
            Flood f = new Flood(lab.namespace(), template);
            try {
                lab.exec("ip", "route", "add", "100.64.0.0/10", "dev", DEVICE);
                lab.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf." + DEVICE + ".rp_filter=0",
                        "net.ipv4.conf." + DEVICE + ".route_localnet=1");
            } catch (Exception e) {
                f.stop();
                throw e;
            }
            f.go.countDown();
            return f;
        }

        /** Writes at RATE per second, paced in 1 ms steps; catches up after a stall; stops by itself. */
        private void write(TunDevice tun) throws Exception {
            SplittableRandom random = new SplittableRandom(2014);
            startNanos = System.nanoTime();
            long hardEnd = startNanos + TimeUnit.SECONDS.toNanos(FLOOD_MAX_SECONDS + 10);
            while (!stop) {
                long now = System.nanoTime();
                if (now > hardEnd) break;
                long due = (now - startNanos) * RATE / 1_000_000_000L;
                while (sent.get() < due && !stop) {
                    int source = 0x64400000 | random.nextInt(1 << 22);
                    putInt(template, 12, source);
                    template[10] = 0;
                    template[11] = 0;
                    int checksum = ipChecksum(template);
                    template[10] = (byte) (checksum >>> 8);
                    template[11] = (byte) checksum;
                    int port = 1024 + random.nextInt(64000);
                    template[20] = (byte) (port >>> 8);
                    template[21] = (byte) port;
                    long cookie = random.nextLong() | 1;
                    for (int b = 0; b < 8; b++) template[28 + b] = (byte) (cookie >>> 56 - 8 * b);
                    ByteBuf packet = Unpooled.wrappedBuffer(template); // written synchronously, then released
                    tun.write(packet);
                    sent.incrementAndGet();
                }
                LockSupport.parkNanos(1_000_000);
            }
            endNanos = System.nanoTime();
            cpuNanos = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }

        void stop() throws Exception {
            stop = true;
            go.countDown();
            try {
                done.get(30, TimeUnit.SECONDS);
            } finally {
                thread.join(10_000);
            }
        }

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }

        /** When the first datagram went out (System.nanoTime). */
        long startNanos() {
            return startNanos;
        }

        /**
         * An IPv4/UDP datagram to 127.0.0.1:500 with a Main Mode message 1 as Windows sends it: one proposal of four
         * transforms (AES-256/AES-128, SHA-1, ECP384/ECP256/MODP2048/MODP1024, pre-shared key) and its vendor IDs.
         * The source address, port and initiator cookie are filled in per datagram; the UDP checksum is 0 (none).
         */
        static byte[] datagram() throws Exception {
            return udpTo500(windowsMainMode1());
        }

        /** {@code message} in an IPv4/UDP datagram to 127.0.0.1:500 (source filled in per datagram, UDP checksum 0). */
        static byte[] udpTo500(byte[] message) {
            byte[] d = new byte[28 + message.length];
            d[0] = 0x45;
            d[2] = (byte) (d.length >>> 8);
            d[3] = (byte) d.length;
            d[8] = 64;   // TTL
            d[9] = 17;   // UDP
            putInt(d, 16, 0x7f000001);
            d[22] = 500 >>> 8;
            d[23] = (byte) 500;
            d[24] = (byte) (8 + message.length >>> 8);
            d[25] = (byte) (8 + message.length);
            System.arraycopy(message, 0, d, 28, message.length);
            return d;
        }

        private static byte[] windowsMainMode1() throws Exception {
            List<Payload.Transform> transforms = new ArrayList<>();
            int[][] suites = {{256, 20}, {128, 19}, {256, 14}, {256, 2}};
            for (int i = 0; i < suites.length; i++) {
                transforms.add(new Payload.Transform(i + 1, IsakmpTransformId.KEY_IKE.code(), List.of(
                        Attribute.of(Phase1Attribute.ENCRYPTION_ALGORITHM.code(), 7),
                        Attribute.of(Phase1Attribute.KEY_LENGTH.code(), suites[i][0]),
                        Attribute.of(Phase1Attribute.HASH_ALGORITHM.code(), 2),
                        Attribute.of(Phase1Attribute.AUTHENTICATION_METHOD.code(), AuthenticationMethod.PRE_SHARED_KEY.code()),
                        Attribute.of(Phase1Attribute.GROUP_DESCRIPTION.code(), suites[i][1]),
                        Attribute.of(Phase1Attribute.LIFE_TYPE.code(), LifeType.SECONDS.code()),
                        Attribute.of(Phase1Attribute.LIFE_DURATION.code(), 28800))));
            }
            Payload.Sa sa = new Payload.Sa(Doi.IPSEC, Payload.SIT_IDENTITY_ONLY, List.of(new Payload.Proposal(1,
                    ProtocolId.PROTO_ISAKMP, new byte[0], transforms)));
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            byte[] rfc3947 = md5.digest("RFC 3947".getBytes(StandardCharsets.US_ASCII));
            byte[] draft02n = md5.digest("draft-ietf-ipsec-nat-t-ike-02\n".getBytes(StandardCharsets.US_ASCII));
            byte[] message = IsakmpCodec.encode(new IsakmpHeader(1, 0, 0, IsakmpHeader.VERSION_1_0,
                    ExchangeType.IDENTITY_PROTECTION, 0, 0, 0), List.of(sa, new Payload.VendorId(rfc3947),
                    new Payload.VendorId(draft02n)));
            return message;
        }

        private static void putInt(byte[] b, int at, int v) {
            for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> 24 - 8 * i);
        }

        /** The IPv4 header checksum (RFC 791) over the 20-octet header. */
        private static int ipChecksum(byte[] d) {
            int sum = 0;
            for (int i = 0; i < 20; i += 2) sum += (d[i] & 0xff) << 8 | d[i + 1] & 0xff;
            while (sum >>> 16 != 0) sum = (sum & 0xffff) + (sum >>> 16);
            return ~sum & 0xffff;
        }

        /**
         * Joins network namespace {@code name} with setns(2) for the calling thread only (namespace membership is
         * per thread on Linux) and checks that it did.
         */
        @SuppressWarnings("restricted")
        private static void joinNamespace(String name) throws Throwable {
            Path nsFile = Path.of("/var/run/netns", name);
            Linker linker = Linker.nativeLinker();
            MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(2));
            MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            try (Arena a = Arena.ofConfined()) {
                int fd = (int) open.invokeExact(a.allocateFrom(nsFile.toString()), 0 /* O_RDONLY */, 0);
                if (fd < 0) throw new IOException("cannot open " + nsFile);
                int r = (int) setns.invokeExact(fd, 0x40000000 /* CLONE_NEWNET */);
                int ignored = (int) close.invokeExact(fd);
                if (r != 0) throw new IOException("setns(" + nsFile + ") failed");
            }
            String self = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            if (!self.equals("net:[" + Files.getAttribute(nsFile, "unix:ino") + "]")) {
                throw new IllegalStateException("the flood thread is not in namespace " + name + ": " + self);
            }
        }
    }
}
