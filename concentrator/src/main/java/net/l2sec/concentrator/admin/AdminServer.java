package net.l2sec.concentrator.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionControl;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session administration over HTTP + JSON, for the {@code admin} command of the jar. Loopback only (the config
 * refuses anything else); every request needs {@code Authorization: Bearer TOKEN}, compared in constant time.
 * <ul>
 *   <li>{@code GET /status}: version, number of sessions, draining flag;</li>
 *   <li>{@code GET /sessions}, {@code GET /sessions/ID}: sessions (by Acct-Session-Id) with user, rule, groups,
 *       client address and port, assigned address, uptime, counters and IKE/ESP algorithms;</li>
 *   <li>{@code POST /sessions/ID/disconnect}, {@code POST /users/USER/disconnect}: end one session or every
 *       session of a user (LCP Terminate, CDN; accounting Stop with Acct-Terminate-Cause Admin-Reset);</li>
 *   <li>{@code POST /drain}, {@code POST /undrain}: refuse new clients (IKE phase 1, L2TP calls), keep the
 *       established ones, for maintenance.</li>
 * </ul>
 * Status codes: 200, 401 (no or wrong token), 404 (no such session/user/path), 405, 500. Every request is
 * counted in {@code l2sec.admin.requests{action,result}}; every action that changes something is logged.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(5);
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the admin interface acts on; every method may be called from any thread. */
    public interface Backend {
        SessionControl sessions();

        /** The IPsec state of the client at this outer address and port; empty for plain L2TP. */
        CompletionStage<Optional<IpsecInfo>> ipsecOf(InetSocketAddress peer);

        /** Turns maintenance drain on or off in the dataplane. */
        CompletionStage<Void> draining(boolean on);
    }

    private final InetSocketAddress requested;
    private final byte[] token;
    private final Backend backend;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String version;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile Supplier<ReloadReply> reloader;

    /** What a reload did; {@code problems} are {@code file: key: reason} lines when it was refused. */
    public record ReloadReply(boolean applied, List<String> problems, List<String> restartNeeded) {}

    /** Makes {@code POST /reload} re-read the configuration file (as SIGHUP does). */
    public void reloader(Supplier<ReloadReply> reload) {
        this.reloader = reload;
    }
    private HttpServer server;
    private ExecutorService executor;

    public AdminServer(InetSocketAddress listen, byte[] token, Backend backend, MeterRegistry registry, Clock clock) {
        if (!listen.getAddress().isLoopbackAddress()) throw new IllegalArgumentException("admin interface must listen on loopback");
        this.requested = listen;
        this.token = token.clone();
        this.backend = backend;
        this.registry = registry;
        this.clock = clock;
        String v = AdminServer.class.getPackage().getImplementationVersion();
        this.version = v != null ? v : "dev";
        Gauge.builder("l2sec.admin.draining", draining, d -> d.get() ? 1 : 0)
                .description("1 while new sessions are refused for maintenance").register(registry);
    }

    public synchronized AdminServer start() throws IOException {
        if (server != null) throw new IllegalStateException("already started");
        HttpServer s = HttpServer.create(requested, 0);
        s.createContext("/", this::handle);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        s.setExecutor(executor);
        s.start();
        server = s;
        log.info("admin interface at http://{}:{}/ (bearer token)", address().getAddress().getHostAddress(), address().getPort());
        return this;
    }

    public synchronized InetSocketAddress address() {
        return server == null ? requested : server.getAddress();
    }

    public boolean draining() {
        return draining.get();
    }

    @Override
    public synchronized void close() {
        if (server == null) return;
        server.stop(0);
        executor.close();
        server = null;
    }

    // --- requests -----------------------------------------------------------------------------------------------

    private record Reply(int status, Object body) {}

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        List<String> path = segments(ex.getRequestURI().getRawPath());
        String action = action(method, path);
        Reply reply;
        try {
            if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
                log.warn("admin request refused: missing or wrong token from {} {} {}", ex.getRemoteAddress(), method,
                        ex.getRequestURI().getRawPath());
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                reply = error(401, "missing or wrong bearer token");
            } else {
                reply = route(method, path, action);
            }
        } catch (Exception e) {
            log.warn("admin action={} failed: {}", action, e.toString());
            reply = error(500, e.toString());
        }
        count(action, reply.status());
        send(ex, reply);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        // constant time for equal lengths; the length of the token is not a secret worth hiding
        return MessageDigest.isEqual(token, presented);
    }

    private static String action(String method, List<String> p) {
        return switch (p.size()) {
            case 1 -> switch (p.get(0)) {
                case "status" -> "status";
                case "sessions" -> "list";
                case "drain" -> "drain";
                case "undrain" -> "undrain";
                case "reload" -> "reload";
                default -> "unknown";
            };
            case 2 -> p.get(0).equals("sessions") ? "show" : "unknown";
            case 3 -> p.get(2).equals("disconnect") && p.get(0).equals("sessions") ? "disconnect"
                    : p.get(2).equals("disconnect") && p.get(0).equals("users") ? "disconnect_user" : "unknown";
            default -> "unknown";
        };
    }

    private Reply route(String method, List<String> p, String action) throws Exception {
        boolean post = switch (action) {
            case "drain", "undrain", "disconnect", "disconnect_user", "reload" -> true;
            default -> false;
        };
        if (action.equals("unknown")) return error(404, "no such resource");
        if (!method.equals(post ? "POST" : "GET")) return error(405, "use " + (post ? "POST" : "GET"));
        return switch (action) {
            case "status" -> status();
            case "list" -> list();
            case "show" -> show(p.get(1));
            case "disconnect" -> disconnect(p.get(1));
            case "disconnect_user" -> disconnectUser(p.get(1));
            case "drain" -> drain(true);
            case "undrain" -> drain(false);
            case "reload" -> reload();
            default -> error(404, "no such resource");
        };
    }

    private Reply status() throws Exception {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", version);
        o.put("sessions", await(backend.sessions().sessions()).size());
        o.put("draining", draining.get());
        return new Reply(200, o);
    }

    private Reply list() throws Exception {
        ArrayNode a = JSON.createArrayNode();
        for (ActiveSession s : await(backend.sessions().sessions())) a.add(describe(s));
        ObjectNode o = JSON.createObjectNode();
        o.set("sessions", a);
        return new Reply(200, o);
    }

    private Reply show(String id) throws Exception {
        Optional<ActiveSession> s = find(id);
        return s.isPresent() ? new Reply(200, describe(s.get())) : error(404, "no such session: " + id);
    }

    private Optional<ActiveSession> find(String id) throws Exception {
        return await(backend.sessions().sessions()).stream().filter(s -> s.acctSessionId().equals(id)).findFirst();
    }

    private Reply disconnect(String id) throws Exception {
        Optional<ActiveSession> s = find(id);
        if (s.isEmpty() || !await(backend.sessions().disconnect(id, TerminateCause.ADMIN_RESET))) {
            return error(404, "no such session: " + id);
        }
        log.info("admin action=disconnect session={} tag={} user={} by=token", id, s.get().tag(), s.get().user());
        return disconnected(List.of(id));
    }

    private Reply disconnectUser(String user) throws Exception {
        List<String> ended = new ArrayList<>();
        for (ActiveSession s : await(backend.sessions().sessions())) {
            if (!s.user().equalsIgnoreCase(user)) continue;
            if (await(backend.sessions().disconnect(s.acctSessionId(), TerminateCause.ADMIN_RESET))) {
                ended.add(s.acctSessionId());
                log.info("admin action=disconnect_user session={} tag={} user={} by=token", s.acctSessionId(), s.tag(), s.user());
            }
        }
        return ended.isEmpty() ? error(404, "no sessions of user " + user) : disconnected(ended);
    }

    private static Reply disconnected(List<String> ids) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray("disconnected");
        ids.forEach(a::add);
        return new Reply(200, o);
    }

    private Reply reload() {
        var r = reloader;
        if (r == null) return error(503, "reload is not available");
        log.info("admin action=reload by=token");
        ReloadReply outcome = r.get();
        ObjectNode o = JSON.createObjectNode();
        o.put("applied", outcome.applied());
        outcome.problems().forEach(o.putArray("problems")::add);
        outcome.restartNeeded().forEach(o.putArray("restartNeeded")::add);
        return new Reply(outcome.applied() ? 200 : 422, o);
    }

    private Reply drain(boolean on) throws Exception {
        await(backend.draining(on));
        boolean was = draining.getAndSet(on);
        if (on) {
            log.info("admin action=drain by=token: new clients are refused (IKE phase 1, L2TP calls); established sessions continue{}",
                    was ? " (already draining)" : "");
        } else {
            log.info("admin action=undrain by=token: new clients are accepted again{}", was ? "" : " (was not draining)");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("draining", on);
        return new Reply(200, o);
    }

    /** One session as JSON; counters and IPsec state are read now. */
    ObjectNode describe(ActiveSession s) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.acctSessionId());
        o.put("protocol", s.protocol().label());   // l2tp (IKEv1, L2TP, PPP) or ikev2 (tunnel-mode ESP)
        o.put("tag", s.tag());
        o.put("user", s.user());
        o.put("method", s.method().configName());
        o.put("rule", s.authorization().rule());
        ArrayNode groups = o.putArray("groups");
        new TreeSet<>(s.authorization().groups()).forEach(groups::add);
        // what the authorization gives beyond the address: split-tunnel routes and domain (answered to DHCPINFORM),
        // the bandwidth limit (bits per second, 0 for none)
        ArrayNode routes = o.putArray("routes");
        s.authorization().routes().forEach(r -> routes.add(r.toString()));
        if (s.authorization().domain().isPresent()) o.put("domain", s.authorization().domain().get());
        else o.putNull("domain");
        if (s.authorization().rateLimit().isPresent()) {
            ObjectNode limit = o.putObject("rateLimit");
            limit.put("downBitsPerSecond", s.authorization().rateLimit().get().downBitsPerSecond());
            limit.put("upBitsPerSecond", s.authorization().rateLimit().get().upBitsPerSecond());
        } else {
            o.putNull("rateLimit");
        }
        o.put("clientAddress", s.peer().getAddress().getHostAddress());
        o.put("clientPort", s.peer().getPort());
        o.put("address", s.address().getHostAddress());
        // the session's /64 (SLAAC) and delegated prefix; null for an IPv4-only session
        o.put("ipv6Prefix", s.ipv6().framedPrefix().map(p -> Ipv6.text(p.address()) + "/" + p.length()).orElse(null));
        o.put("delegatedIpv6Prefix", s.ipv6().delegatedPrefix().map(p -> Ipv6.text(p.address()) + "/" + p.length()).orElse(null));
        o.put("nasPort", s.nasPort());
        o.put("authorized", s.authorized().toString());
        o.put("uptimeSeconds", Math.max(0, Duration.between(s.authorized(), clock.instant()).toSeconds()));
        SessionCounters c = await(backend.sessions().counters(s.acctSessionId())).orElse(SessionCounters.ZERO);
        o.put("inputOctets", c.inputOctets());
        o.put("outputOctets", c.outputOctets());
        o.put("inputPackets", c.inputPackets());
        o.put("outputPackets", c.outputPackets());
        client(o.putObject("client"), s.client());
        Optional<IpsecInfo> ipsec = await(backend.ipsecOf(s.peer()));
        if (ipsec.isEmpty()) {
            o.putNull("ipsec");
        } else {
            IpsecInfo i = ipsec.get();
            ObjectNode n = o.putObject("ipsec");
            n.put("ikeSa", i.ikeSa());
            n.put("ikeVersion", i.ikeVersion());
            n.put("ike", i.ike());
            n.put("mode", i.mode()); // null for IKEv2
            n.put("natT", i.natT());
            n.put("peerId", i.peerId());
            n.put("dhGroup", i.dhGroup());
            n.put("ageSeconds", i.age().toSeconds());
            ArrayNode esp = n.putArray("esp");
            for (IpsecInfo.Child ch : i.esp()) {
                ObjectNode e = esp.addObject();
                e.put("transform", ch.transform());
                e.put("spiIn", String.format("%08x", ch.inboundSpi()));
                e.put("spiOut", String.format("%08x", ch.outboundSpi()));
            }
        }
        return o;
    }

    /**
     * What the client said about itself and the kind that makes; the peer's text as it sent it (JSON escapes it),
     * null where it said nothing.
     */
    private static void client(ObjectNode n, ClientIdentity c) {
        n.put("kind", c.kind().label());
        n.put("host", c.host().orElse(null));
        n.put("l2tpHostName", c.l2tpHostName());
        n.put("l2tpVendorName", c.l2tpVendorName());
        c.lcpIdentification().forEach(n.putArray("lcpIdentification")::add);
        c.ikeVendorIds().forEach(n.putArray("ikeVendorIds")::add);
        n.put("ikeGroup", c.ikeGroup());
    }

    // --- small pieces -------------------------------------------------------------------------------------------

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(BACKEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Reply error(int status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        return new Reply(status, o);
    }

    private void count(String action, int status) {
        String result = switch (status) {
            case 200 -> "ok";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 405 -> "bad_method";
            case 422 -> "refused";
            case 503 -> "unavailable";
            default -> "error";
        };
        Counter.builder("l2sec.admin.requests")
                .description("Admin interface requests by action and result (ok, refused, unauthorized, not_found, bad_method, unavailable, error)")
                .tags("action", action, "result", result)
                .register(registry).increment();
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        byte[] body = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(reply.body()) + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(reply.status(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        }
        return out;
    }

}
