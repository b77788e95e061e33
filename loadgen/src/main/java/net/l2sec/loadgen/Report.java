package net.l2sec.loadgen;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The progress line, once a second, and the final summary, also as one machine-readable {@code RESULT key=value}
 * line. Rates are over the last second; setup times and RTTs over the whole run so far.
 */
final class Report {
    private final Options options;
    private final Stats stats;
    private final PrintStream out;
    private final TargetProcess target;
    private Thread thread;
    private long t0;
    private long lastNanos;
    private long lastConnected, lastPacketsOut, lastPacketsIn, lastBytesOut, lastBytesIn;

    Report(Options options, Stats stats, PrintStream out) {
        this.options = options;
        this.stats = stats;
        this.out = out;
        this.target = options.pid() > 0 ? new TargetProcess(options.pid()) : null;
    }

    void start(long t0) {
        this.t0 = t0;
        this.lastNanos = t0;
        thread = Thread.ofPlatform().daemon().name("report").start(() -> {
            long next = t0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    next += 1_000_000_000L;
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    out.println(progress(System.nanoTime()));
                }
            } catch (InterruptedException e) {
                // stopped
            }
        });
    }

    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }

    /** One progress line; the rates are since the previous one. */
    synchronized String progress(long now) {
        double dt = Math.max(1e-3, (now - lastNanos) / 1e9);
        long connected = stats.connected.sum();
        long pOut = stats.packetsOut.sum(), pIn = stats.packetsIn.sum(), bOut = stats.bytesOut.sum(), bIn = stats.bytesIn.sum();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "t=%ds started=%d established=%d connects/s=%.1f setup_ms=p50:%s,p99:%s,max:%s failed=%d hung_up=%d",
                Math.round((now - t0) / 1e9), stats.started.sum(), stats.established.sum(), (connected - lastConnected) / dt,
                ms(stats.setup.percentileMicros(0.5)), ms(stats.setup.percentileMicros(0.99)), ms(stats.setup.maxMicros()),
                stats.failed.sum(), stats.hungUp.sum()));
        sb.append(String.format(Locale.ROOT, " pings=%d/%d rtt_ms=p50:%s,p99:%s pps=%.0f/%.0f gbps=%.4f/%.4f",
                stats.pingsReceived.sum(), stats.pingsSent.sum(), ms(stats.rtt.percentileMicros(0.5)),
                ms(stats.rtt.percentileMicros(0.99)), (pOut - lastPacketsOut) / dt, (pIn - lastPacketsIn) / dt,
                (bOut - lastBytesOut) * 8 / dt / 1e9, (bIn - lastBytesIn) * 8 / dt / 1e9));
        if (target != null) {
            long rss = target.rssKib();
            long heap = target.heapKib();
            sb.append(" target_rss_mib=").append(rss < 0 ? "?" : rss / 1024).append(" target_heap_mib=").append(heap < 0 ? "?" : heap / 1024);
        }
        Map<Stats.Failure, Long> f = stats.failures();
        if (!f.isEmpty()) sb.append(" failures=").append(failures(f, "="));
        lastNanos = now;
        lastConnected = connected;
        lastPacketsOut = pOut;
        lastPacketsIn = pIn;
        lastBytesOut = bOut;
        lastBytesIn = bIn;
        return sb.toString();
    }

    /** The run's outcome. {@code ok}: every client came up, none failed, and with pings every one was answered. */
    record Summary(boolean ok, String text, String resultLine) {}

    Summary summary(long now, long lastConnectNanos) {
        long clients = options.clients();
        long connected = stats.connected.sum();
        long failed = stats.failed.sum();
        long pinged = stats.pingedClients.sum();
        boolean ok = connected == clients && failed == 0 && (!options.pingEnabled() || pinged == clients);
        double rampSeconds = lastConnectNanos == 0 ? 0 : (lastConnectNanos - t0) / 1e9;
        long pOut = stats.packetsOut.sum(), pIn = stats.packetsIn.sum();
        double seconds = (now - t0) / 1e9;
        Map<Stats.Failure, Long> f = stats.failures();
        String failures = f.isEmpty() ? "none" : failures(f, ":");
        StringBuilder r = new StringBuilder("RESULT");
        r.append(String.format(Locale.ROOT, " status=%s clients=%d started=%d connected=%d hung_up=%d failed=%d incomplete=%d",
                ok ? "ok" : "fail", clients, stats.started.sum(), connected, stats.hungUp.sum(), failed,
                Math.max(0, stats.started.sum() - connected - failed)));
        r.append(String.format(Locale.ROOT, " all_up_s=%.1f", rampSeconds));
        r.append(String.format(Locale.ROOT, " connects_per_s=%.1f setup_p50_ms=%s setup_p99_ms=%s setup_max_ms=%s",
                rampSeconds > 0 ? connected / rampSeconds : 0.0, ms(stats.setup.percentileMicros(0.5)),
                ms(stats.setup.percentileMicros(0.99)), ms(stats.setup.maxMicros())));
        r.append(String.format(Locale.ROOT, " pings_sent=%d pings_received=%d pinged_clients=%d rtt_p50_ms=%s rtt_p99_ms=%s",
                stats.pingsSent.sum(), stats.pingsReceived.sum(), pinged, ms(stats.rtt.percentileMicros(0.5)),
                ms(stats.rtt.percentileMicros(0.99))));
        r.append(String.format(Locale.ROOT, " packets_out=%d packets_in=%d pps=%.0f gbps=%.4f duration_s=%.1f",
                pOut, pIn, (pOut + pIn) / seconds, (stats.bytesOut.sum() + stats.bytesIn.sum()) * 8 / seconds / 1e9, seconds));
        if (options.dhcpInform()) {
            r.append(" dhcp_acks=").append(stats.dhcpAcks.sum()).append(" dhcp_routes=").append(stats.dhcpRoutes)
                    .append(" dhcp_domain=").append(stats.dhcpDomain);
        }
        if (options.tcpSyn().isPresent()) r.append(" syn_acks=").append(stats.synAcks.sum()).append(" syn_ack_mss=").append(stats.synAckMss);
        if (target != null) {
            long rss = target.rssKib();
            r.append(" target_rss_mib=").append(rss < 0 ? "?" : rss / 1024);
        }
        r.append(" failures=").append(failures);
        String text = String.format(Locale.ROOT, "summary: %d of %d clients came up (%d failed), setup p50 %s ms p99 %s ms max %s ms;"
                        + " %d of %d pings answered, rtt p50 %s ms p99 %s ms; failures: %s",
                connected, clients, failed, ms(stats.setup.percentileMicros(0.5)), ms(stats.setup.percentileMicros(0.99)),
                ms(stats.setup.maxMicros()), stats.pingsReceived.sum(), stats.pingsSent.sum(),
                ms(stats.rtt.percentileMicros(0.5)), ms(stats.rtt.percentileMicros(0.99)), failures);
        return new Summary(ok, text, r.toString());
    }

    private static String failures(Map<Stats.Failure, Long> f, String sep) {
        return f.entrySet().stream().map(e -> e.getKey() + sep + e.getValue()).collect(Collectors.joining(","));
    }

    private static String ms(long micros) {
        return micros >= 10_000 ? String.valueOf(Math.round(micros / 1000.0)) : String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }
}
