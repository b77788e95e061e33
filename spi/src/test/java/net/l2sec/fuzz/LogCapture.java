package net.l2sec.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * While open: the loggers under {@code name} log WARN and above to this capture only (a fuzz run would otherwise
 * print a line per input), and the last exception logged with a stack trace is kept, so a catch-all that counts
 * {@code internal_error} can hand the real exception to the fuzzer.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final Level level;
    private final boolean additive;
    private Throwable last;

    public LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        level = logger.getLevel();
        additive = logger.isAdditive();
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
        logger.setLevel(Level.WARN);
        logger.setAdditive(false);
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getThrowableProxy() instanceof ThrowableProxy p) last = p.getThrowable();
    }

    /** The exception logged since the last call, or null. */
    public Throwable take() {
        Throwable t = last;
        last = null;
        return t;
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(level);
        logger.setAdditive(additive);
        stop();
    }
}
