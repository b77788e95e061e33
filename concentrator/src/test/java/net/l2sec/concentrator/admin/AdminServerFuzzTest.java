package net.l2sec.concentrator.admin;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.fuzz.Fuzzer;
import net.l2sec.spi.session.SessionControl;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the admin interface's request parsing with raw bytes over a loopback connection: request line, path
 * segments and their percent-decoding, headers (the bearer token), bodies. The JDK's HTTP server parses the request
 * line and headers and answers what it cannot parse itself (400); every request that reaches our handler is
 * answered with a JSON status and counted. An exception from our handler that reaches the HTTP server (which then
 * drops the connection without an answer, logging it at TRACE) is a finding; so is a request the handler counted
 * without answering.
 */
class AdminServerFuzzTest {
    static final String TOKEN = new String(AdminServerTest.TOKEN, StandardCharsets.UTF_8);

    /** What the JDK's HTTP server logs about exchanges that failed inside a handler. */
    static final class EscapedFromHandler extends Handler {
        final AtomicReference<Throwable> last = new AtomicReference<>();

        @Override
        public void publish(LogRecord r) {
            Throwable t = r.getThrown();
            if (t == null) return;
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().startsWith(AdminServer.class.getName())) {
                    last.set(t);
                    return;
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    static byte[] request(String method, String path, String headers, String body) {
        return (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                + (body.isEmpty() ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                + "\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    static List<byte[]> seeds() {
        String auth = "Authorization: Bearer " + TOKEN + "\r\n";
        List<byte[]> s = new ArrayList<>();
        s.add(request("GET", "/status", auth, ""));
        s.add(request("GET", "/sessions", auth + "Accept: application/json\r\n", ""));
        s.add(request("GET", "/sessions/00000001", auth, ""));
        s.add(request("GET", "/sessions/%30%30%30%30%30%30%30%33", auth, ""));
        s.add(request("POST", "/sessions/00000002/disconnect", auth, ""));
        s.add(request("POST", "/users/alice/disconnect", auth, "{\"reason\":\"admin\"}"));
        s.add(request("POST", "/drain", auth, "{}"));
        s.add(request("POST", "/undrain", auth, ""));
        s.add(request("POST", "/reload", auth, ""));
        s.add(request("GET", "/status", "Authorization: Bearer wrong\r\n", ""));
        s.add(request("DELETE", "/sessions", auth, ""));
        s.add(("GET /status?verbose=1 HTTP/1.0\r\n" + auth + "\r\n").getBytes(StandardCharsets.UTF_8));
        s.add(("POST /drain HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n4\r\n{}{}\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void everyRequestIsAnsweredAndNothingEscapesTheHandler() throws Exception {
        AdminServerTest.FakeSessions sessions = new AdminServerTest.FakeSessions();
        AdminServer.Backend backend = new AdminServer.Backend() {
            @Override
            public SessionControl sessions() {
                return sessions;
            }

            @Override
            public CompletionStage<Optional<IpsecInfo>> ipsecOf(InetSocketAddress peer) {
                return CompletableFuture.completedFuture(Optional.empty());
            }

            @Override
            public CompletionStage<Void> draining(boolean on) {
                return CompletableFuture.completedFuture(null);
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Logger jdk = Logger.getLogger("com.sun.net.httpserver");
        Level level = jdk.getLevel();
        EscapedFromHandler escaped = new EscapedFromHandler();
        jdk.setLevel(Level.ALL);
        jdk.addHandler(escaped);
        ch.qos.logback.classic.Logger ours = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AdminServer.class);
        ch.qos.logback.classic.Level ourLevel = ours.getLevel();
        ours.setLevel(ch.qos.logback.classic.Level.ERROR); // a WARN line per refused request otherwise
        try (AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), AdminServerTest.TOKEN, backend, registry,
                Clock.fixed(AdminServerTest.NOW, ZoneOffset.UTC)).start()) {
            server.reloader(() -> new AdminServer.ReloadReply(false, List.of("conf: x: no"), List.of()));
            InetSocketAddress address = server.address();
            // a TCP connection per input
            Fuzzer.named("admin-http").seeds(seeds()).inputs(600).maxLength(4096).target(in -> {
                for (String id : List.of("00000001", "00000002", "00000003")) {
                    sessions.live.put(id, AdminServerTest.session(id, id.endsWith("1") ? "alice" : "bob", "198.51.100.7", 4500,
                            "10.99.0.1" + id.charAt(7), AdminServerTest.NOW.minusSeconds(60)));
                }
                double before = counted(registry);
                String status = exchange(address, in);
                Throwable t = escaped.last.getAndSet(null);
                if (t != null) throw t;
                double after = counted(registry);
                if (status.startsWith("json:") && after < before + 1) {
                    throw new AssertionError("answered " + status + " without counting the request");
                }
                return status;
            }).run().assertNoFindings().assertReached("json:200").assertReached("json:401").assertReached("json:404")
                    .assertOutcomesAtLeast(5);
        } finally {
            jdk.removeHandler(escaped);
            jdk.setLevel(level);
            ours.setLevel(ourLevel);
        }
    }

    /**
     * The request target in-process, many times faster than the socket run: parsed as the JDK's HTTP
     * server does ({@link java.net.URI}; what it refuses is its 400), then split and percent-decoded by
     * {@link AdminServer#segments}, which must accept whatever the JDK let through.
     */
    @Test
    void everyRequestTargetTheHttpServerAcceptsSplitsIntoSegments() {
        List<byte[]> seeds = List.of("/status", "/sessions", "/sessions/00000001", "/sessions/%30%30%30%30%30%30%30%33/disconnect",
                "/users/J%C3%BCrgen/disconnect", "/drain?x=1", "//sessions//00000002/", "/users/a%2Fb/disconnect")
                .stream().map(t -> t.getBytes(StandardCharsets.ISO_8859_1)).toList();
        Fuzzer.named("admin-request-target").seeds(seeds).inputs(5000).maxLength(1024).target(in -> {
            java.net.URI uri;
            try {
                uri = new java.net.URI(new String(in, StandardCharsets.ISO_8859_1));
            } catch (java.net.URISyntaxException e) {
                return "http:400";
            }
            if (uri.getRawPath() == null) return "no-path";
            return "segments:" + Math.min(4, AdminServer.segments(uri.getRawPath()).size());
        }).run().assertNoFindings().assertReached("segments:3").assertReached("http:400").assertOutcomesAtLeast(4);
    }

    static double counted(SimpleMeterRegistry registry) {
        return registry.find("l2sec.admin.requests").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** Sends {@code request}, half-closes, reads the answer: {@code json:STATUS}, {@code http:STATUS}, or how it ended. */
    static String exchange(InetSocketAddress address, byte[] request) throws Exception {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request);
            s.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0 && answer.size() < 1 << 20; ) answer.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                return "timeout";
            } catch (java.net.SocketException e) {
                if (answer.size() == 0) return "reset";
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            if (text.isEmpty()) return "closed";
            if (!text.startsWith("HTTP/1.")) return "garbage";
            String status = text.length() >= 12 ? text.substring(9, 12) : "?";
            return (text.toLowerCase().contains("content-type: application/json") ? "json:" : "http:") + status;
        }
    }
}
