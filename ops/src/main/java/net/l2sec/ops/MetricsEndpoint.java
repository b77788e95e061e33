package net.l2sec.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus exposition of the concentrator's Micrometer metrics over plain HTTP, with the JDK's built-in server
 * (one virtual thread per exchange):
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4;</li>
 *   <li>{@code GET /healthz}: 200 {@code ok};</li>
 *   <li>anything else: 404; a method other than GET or HEAD: 405.</li>
 * </ul>
 * The JVM and process binders (memory, GC, threads, class loading, CPU, uptime, file descriptors) are bound to
 * {@link #registry()} at construction. Common tags (e.g. {@code instance=lns1}) are given to the constructor so
 * they apply before the first meter exists; metrics never carry user names.
 *
 * <p>Two binder meters are adjusted so that {@code promtool check metrics} finds nothing to lint: the process CPU
 * time is exposed in seconds as {@code process_cpu_seconds_total} (the binder's own {@code process.cpu.time} is in
 * nanoseconds), and {@code system.cpu.count} becomes {@code system_cpu_processors} (a gauge must not end in
 * {@code _count}). The catalogue of every metric is ops/METRICS.md.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final String PROCESS_CPU_TIME_NS = "process.cpu.time";
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "not found\n".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress requested;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private HttpServer server;
    private ExecutorService executor;

    /** A new registry with the JVM and process binders, to be served on {@code address} once started. */
    public MetricsEndpoint(InetSocketAddress address) {
        this(address, Tags.empty());
    }

    /** As {@link #MetricsEndpoint(InetSocketAddress)}, with {@code commonTags} on every meter. */
    public MetricsEndpoint(InetSocketAddress address, Iterable<Tag> commonTags) {
        this.requested = address;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(commonTags);
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals(PROCESS_CPU_TIME_NS)));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.processors") : id;
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        processCpuSeconds(registry);
    }

    /** {@code process_cpu_seconds_total}: CPU time the JVM process used, in the base unit Prometheus expects. */
    private static void processCpuSeconds(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the Java Virtual Machine process").register(registry);
        }
    }

    /** The registry every module registers its meters with. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Binds the listening socket and starts serving. */
    public synchronized MetricsEndpoint start() throws IOException {
        if (server != null) throw new IllegalStateException("already started");
        HttpServer s = HttpServer.create(requested, 0);
        s.createContext("/", this::handle);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        s.setExecutor(executor);
        s.start();
        server = s;
        log.info("metrics endpoint listening on {}", s.getAddress());
        return this;
    }

    /** The bound address (the actual port when port 0 was requested); before {@link #start()} the requested one. */
    public synchronized InetSocketAddress address() {
        return server != null ? server.getAddress() : requested;
    }

    /** Stops the HTTP server and the GC binder's listeners, and closes the registry. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.close();
            server = null;
        }
        gcMetrics.close();
        registry.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> respond(exchange, 200, CONTENT_TYPE,
                        registry.scrape().getBytes(StandardCharsets.UTF_8), head);
                case "/healthz" -> respond(exchange, 200, "text/plain; charset=utf-8", OK, head);
                default -> respond(exchange, 404, "text/plain; charset=utf-8", NOT_FOUND, head);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
