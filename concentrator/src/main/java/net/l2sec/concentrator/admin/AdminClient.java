package net.l2sec.concentrator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigException;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.LogText;

/**
 * The {@code admin} command: talks to {@link AdminServer}.
 * Exit status: 0 ok, 1 not found (or the server failed / is unreachable), 2 usage or authentication error.
 */
public final class AdminClient {
    public static final String USAGE = """
            usage: l2sec-concentrator admin [--url http://127.0.0.1:9118] [--token-file conf/admin.token] [--config CONFIG] COMMAND
              sessions              list the sessions (user, rule, client, address, uptime, bytes, IKE, ESP, client kind and host)
              show ID               one session as JSON
              disconnect ID         end a session (accounting Stop with Acct-Terminate-Cause Admin-Reset)
              disconnect-user USER  end every session of USER
              drain | undrain       refuse new clients for maintenance (established sessions continue) | accept again
              status                sessions count, draining flag, version
              reload                re-read the configuration file (as SIGHUP); a bad file is refused, the running one stays
            url and token default to the admin section of CONFIG (default conf/concentrator.yaml when it exists)""";

    private final PrintStream out;
    private final PrintStream err;

    public AdminClient(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args} without the leading {@code admin}. */
    public int run(String[] args) {
        String url = null;
        Path tokenFile = null;
        Path config = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--url") || a.equals("--token-file") || a.equals("--config")) && i + 1 < args.length) {
                String v = args[++i];
                switch (a) {
                    case "--url" -> url = v;
                    case "--token-file" -> tokenFile = Path.of(v);
                    default -> config = Path.of(v);
                }
            } else if (a.startsWith("--")) {
                return usage("unknown option " + a);
            } else {
                rest.add(a);
            }
        }
        if (rest.isEmpty()) return usage(null);
        if (config == null && (url == null || tokenFile == null) && Files.exists(Path.of("conf/concentrator.yaml"))) {
            config = Path.of("conf/concentrator.yaml");
        }
        if (config != null && (url == null || tokenFile == null)) {
            try {
                ConcentratorConfig.Admin admin = ConfigLoader.load(config).admin();
                if (!admin.enabled()) {
                    err.println(config + ": the admin interface is disabled (no admin section or enabled: false)");
                    return 2;
                }
                if (url == null) url = "http://" + admin.listen().getAddress().getHostAddress() + ":" + admin.listen().getPort();
                if (tokenFile == null) tokenFile = admin.tokenFile();
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                return 2;
            }
        }
        if (url == null) url = "http://127.0.0.1:9118";
        if (tokenFile == null) tokenFile = Path.of("conf/admin.token");
        String token;
        try {
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            err.println("cannot read the token file " + tokenFile + ": " + e.getClass().getSimpleName());
            return 2;
        }
        String cmd = rest.getFirst();
        String arg = rest.size() > 1 ? rest.get(1) : null;
        int wantArgs = switch (cmd) {
            case "show", "disconnect", "disconnect-user" -> 2;
            case "sessions", "drain", "undrain", "status", "reload" -> 1;
            default -> -1;
        };
        if (wantArgs < 0) return usage("unknown command " + cmd);
        if (rest.size() != wantArgs) return usage(cmd + (wantArgs == 2 ? " needs one argument" : " takes no argument"));
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return switch (cmd) {
                case "sessions" -> call(http, token, "GET", base + "/sessions", this::printTable);
                case "show" -> call(http, token, "GET", base + "/sessions/" + enc(arg), this::printJson);
                case "disconnect" -> call(http, token, "POST", base + "/sessions/" + enc(arg) + "/disconnect", this::printDisconnected);
                case "disconnect-user" -> call(http, token, "POST", base + "/users/" + enc(arg) + "/disconnect", this::printDisconnected);
                case "drain" -> call(http, token, "POST", base + "/drain", this::printJson);
                case "undrain" -> call(http, token, "POST", base + "/undrain", this::printJson);
                case "reload" -> call(http, token, "POST", base + "/reload", this::printJson);
                default -> call(http, token, "GET", base + "/status", this::printJson);
            };
        }
    }

    private int usage(String problem) {
        if (problem != null) err.println(problem);
        err.println(USAGE);
        return 2;
    }

    private int call(HttpClient http, String token, String method, String url, Consumer<JsonNode> print) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode body = AdminServer.JSON.readTree(resp.body());
            switch (resp.statusCode()) {
                case 200 -> {
                    print.accept(body);
                    return 0;
                }
                case 401 -> {
                    err.println("refused: " + body.path("error").asText("unauthorized") + " (check --token-file)");
                    return 2;
                }
                case 404 -> {
                    err.println(body.path("error").asText("not found"));
                    return 1;
                }
                case 422 -> {
                    err.println("reload refused, the running configuration stays:");
                    body.path("problems").forEach(p -> err.println("  " + p.asText()));
                    return 1;
                }
                default -> {
                    err.println("admin server answered " + resp.statusCode() + ": " + body.path("error").asText(""));
                    return 1;
                }
            }
        } catch (ConnectException e) {
            err.println("cannot connect to " + url + ": is the concentrator running with the admin interface on?");
            return 1;
        } catch (IOException e) {
            err.println(url + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private void printJson(JsonNode n) {
        try {
            out.println(AdminServer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } catch (IOException e) {
            out.println(n);
        }
    }

    private void printDisconnected(JsonNode n) {
        for (JsonNode id : n.path("disconnected")) out.println("disconnected " + id.asText());
    }

    /** The human table of {@code sessions}. */
    void printTable(JsonNode n) {
        String fmt = "%-16s %-5s %-14s %-10s %-21s %-15s %9s %12s %12s  %-24s %-22s %-16s %s%n";
        out.printf(fmt, "ID", "PROTO", "USER", "RULE", "CLIENT", "ADDRESS", "UPTIME", "IN-BYTES", "OUT-BYTES", "IKE", "ESP", "KIND", "HOST");
        int count = 0;
        for (JsonNode s : n.path("sessions")) {
            count++;
            JsonNode ipsec = s.path("ipsec");
            String ike = ipsec.isObject() ? ipsec.path("ike").asText() : "-";
            List<String> esp = new ArrayList<>();
            if (ipsec.isObject()) for (JsonNode c : ipsec.path("esp")) esp.add(c.path("transform").asText());
            out.printf(fmt, s.path("id").asText(), s.path("protocol").asText("-"), s.path("user").asText(), s.path("rule").asText(),
                    s.path("clientAddress").asText() + ":" + s.path("clientPort").asInt(), s.path("address").asText(),
                    uptime(s.path("uptimeSeconds").asLong()), s.path("inputOctets").asLong(), s.path("outputOctets").asLong(),
                    ike, esp.isEmpty() ? "-" : String.join(",", esp), s.path("client").path("kind").asText("-"),
                    LogText.quote(s.path("client").path("host").textValue()));
        }
        out.println(count + " session" + (count == 1 ? "" : "s"));
    }

    static String uptime(long seconds) {
        long h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
        return h > 0 ? String.format("%dh%02dm%02ds", h, m, s) : m > 0 ? String.format("%dm%02ds", m, s) : s + "s";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
