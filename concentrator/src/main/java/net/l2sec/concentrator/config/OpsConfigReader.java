package net.l2sec.concentrator.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads the operator-facing sections: {@code metrics}, {@code logging} and {@code admin}, with their defaults. */
final class OpsConfigReader {
    private static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private OpsConfigReader() {}

    static ConcentratorConfig.Metrics metrics(ConfigNode metrics) {
        boolean enabled = metrics.bool("enabled", true);
        InetSocketAddress listen = metrics.socketAddress("listen", new InetSocketAddress("127.0.0.1", 9117));
        return new ConcentratorConfig.Metrics(enabled ? listen : null);
    }

    static ConcentratorConfig.Logging logging(ConfigNode logging) {
        String level = logging.string("level", "info").toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) logging.problem("level", "must be error, warn, info, debug or trace");
        List<String> debug = logging.stringList("debug", List.of());
        for (String logger : debug) {
            if (!logger.matches("[A-Za-z_$][A-Za-z0-9_$.]*")) {
                logging.problem("debug", "\"" + logger + "\" is not a logger (package or class) name");
            }
        }
        return new ConcentratorConfig.Logging(level, debug);
    }

    /**
     * The admin interface: off without an {@code admin} section; with one, on unless {@code enabled: false};
     * loopback only (it can end every session); the token file must exist (scripts/start.sh creates it) and hold
     * at least 16 characters.
     */
    static ConcentratorConfig.Admin admin(ConfigNode root) {
        if (!root.has("admin")) return ConcentratorConfig.Admin.DISABLED;
        ConfigNode n = root.section("admin");
        boolean enabled = n.bool("enabled", true);
        InetSocketAddress listen = n.socketAddress("listen", new InetSocketAddress("127.0.0.1", 9118));
        if (!n.has("token-file")) {
            if (enabled) n.problem("token-file", "is required: a file holding the bearer token (scripts/start.sh creates conf/admin.token)");
            return ConcentratorConfig.Admin.DISABLED;
        }
        Path tokenFile = n.path("token-file").orElseThrow();
        if (!enabled) return ConcentratorConfig.Admin.DISABLED;
        if (!listen.getAddress().isLoopbackAddress()) {
            n.problem("listen", "must be a loopback address such as 127.0.0.1:9118: the admin interface can end every session");
        }
        Optional<byte[]> token = n.secret("token");
        if (token.isPresent() && token.get().length < 16) n.problem("token-file", "the token is too short: use at least 16 characters");
        return token.map(t -> new ConcentratorConfig.Admin(listen, t, tokenFile)).orElse(ConcentratorConfig.Admin.DISABLED);
    }
}
