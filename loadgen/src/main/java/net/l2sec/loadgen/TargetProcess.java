package net.l2sec.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server process under test, when its PID is given: resident memory from {@code /proc/PID/status} (VmRSS) at
 * every report, the Java heap in use from {@code jcmd PID GC.heap_info} at most every {@link #HEAP_PERIOD_NANOS}
 * (attaching costs the target a safepoint), on a virtual thread so a slow jcmd never delays a report.
 */
final class TargetProcess {
    static final long HEAP_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final Pattern VM_RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB", Pattern.MULTILINE);
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private final long pid;
    private final String jcmd;
    private volatile long heapKib = -1;
    private volatile boolean heapRunning;
    private long lastHeap;

    TargetProcess(long pid) {
        this.pid = pid;
        this.jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    /** VmRSS in KiB, -1 when the process is gone or not readable. */
    long rssKib() {
        try {
            Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The last heap reading in KiB (-1: none yet); starts a new reading when the last is old enough. */
    long heapKib() {
        long now = System.nanoTime();
        if (!heapRunning && (lastHeap == 0 || now - lastHeap >= HEAP_PERIOD_NANOS)) {
            lastHeap = now;
            heapRunning = true;
            Thread.ofVirtual().name("jcmd-heap").start(this::readHeap);
        }
        return heapKib;
    }

    private void readHeap() {
        try {
            Process p = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                Matcher m = HEAP_USED.matcher(out);
                if (m.find()) heapKib = Long.parseLong(m.group(1));
            }
        } catch (IOException e) {
            // no jcmd or no attach: the report shows no heap
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            heapRunning = false;
        }
    }
}
