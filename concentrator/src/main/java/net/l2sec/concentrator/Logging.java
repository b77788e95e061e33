package net.l2sec.concentrator;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import net.l2sec.concentrator.config.ConcentratorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the {@code logging} section to logback, at start and on reload. */
final class Logging {
    private static final Logger log = LoggerFactory.getLogger(Logging.class);
    private static List<String> debugged = List.of();

    private Logging() {}

    static synchronized void apply(ConcentratorConfig.Logging config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(config.level(), Level.INFO));
        for (String name : debugged) context.getLogger(name).setLevel(null);          // back to inheriting
        for (String name : config.debug()) context.getLogger(name).setLevel(Level.DEBUG);
        debugged = config.debug();
        log.info("log level={} debug={}", config.level(), config.debug());
    }
}
