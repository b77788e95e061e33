package net.l2sec.concentrator;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.l2sec.concentrator.admin.AdminServer;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.ops.MetricsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators reach the running concentrator through: the Prometheus endpoint, whose registry every subsystem
 * registers its meters with, and the admin interface. The endpoint exists from the start (the registry is needed
 * first) and serves once everything is up; the admin interface closes first at shutdown, the endpoint last.
 */
record Ops(MetricsEndpoint metrics, Optional<AdminServer> admin) {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);

    /** The endpoint, not yet serving: with metrics disabled it only holds the registry. */
    static MetricsEndpoint metricsEndpoint(ConcentratorConfig.Metrics config) {
        return new MetricsEndpoint(config.listen() != null ? config.listen() : new InetSocketAddress("127.0.0.1", 0));
    }

    /** Serves the metrics when enabled and opens the admin interface when configured. */
    static Ops start(MetricsEndpoint metrics, ConcentratorConfig config, AdminServer.Backend backend) throws IOException {
        if (config.metrics().listen() != null) {
            metrics.start();
            log.info("metrics at http://{}/metrics", hostPort(metrics.address()));
        }
        Optional<AdminServer> admin = Optional.empty();
        if (config.admin().enabled()) {
            admin = Optional.of(new AdminServer(config.admin().listen(), config.admin().token(), backend, metrics.registry(),
                    Clock.systemUTC()).start());
        } else {
            log.info("admin interface disabled (no admin section in {})", config.source());
        }
        return new Ops(metrics, admin);
    }

    MeterRegistry registry() {
        return metrics.registry();
    }

    /** The metrics listen address needs a restart; the admin interface keeps its address and token. */
    static List<String> restartNeeded(ConcentratorConfig before, ConcentratorConfig next) {
        return Objects.equals(next.metrics().listen(), before.metrics().listen()) ? List.of() : List.of("metrics.listen");
    }

    /** No admin requests while stopping: the first step of shutdown. */
    void closeAdmin() {
        admin.ifPresent(AdminServer::close);
    }

    /** The last step of shutdown. */
    void closeMetrics() {
        metrics.close();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
