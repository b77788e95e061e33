package net.l2sec.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        endpoint = new MetricsEndpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
    }

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void boundToAnEphemeralPort() {
        assertThat(endpoint.address().getPort()).isPositive();
    }

    @Test
    void metricsCarryRegisteredCounterAndJvmMetrics() throws Exception {
        endpoint.registry().counter("l2sec.test.events", "kind", "demo").increment(3);

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
        assertThat(r.body()).contains("l2sec_test_events_total{kind=\"demo\"} 3.0");
        assertThat(r.body()).contains("jvm_memory_used_bytes");
        assertThat(r.body()).contains("process_uptime_seconds");
    }

    @Test
    void processCpuTimeInSecondsAndNoGaugeEndingInCount() throws Exception {
        String body = get("/metrics").body();
        assertThat(body).containsPattern("(?m)^# TYPE process_cpu_seconds_total counter$");
        assertThat(body).containsPattern("(?m)^system_cpu_processors [1-9]");
        assertThat(body).doesNotContain("process_cpu_time_ns", "system_cpu_count");
    }

    @Test
    void commonTagAppearsOnEveryMeter() throws Exception {
        endpoint.close();
        endpoint = new MetricsEndpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Tags.of("instance", "lns-test")).start();
        endpoint.registry().counter("l2sec.test.tagged").increment();

        String body = get("/metrics").body();
        assertThat(body).contains("l2sec_test_tagged_total{instance=\"lns-test\"} 1.0");
        assertThat(body).containsPattern("jvm_threads_live_threads\\{instance=\"lns-test\"\\}");
    }

    @Test
    void healthz() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
    }

    @Test
    void otherPathsAre404() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
        assertThat(get("/admin").statusCode()).isEqualTo(404);
    }
}
