package net.l2sec.aaa;

import java.nio.file.Path;

/**
 * A configuration file a backend reads is unusable. The message is {@code path:line: reason} (the line is omitted
 * when the problem concerns the whole file) and never contains secret material from the file.
 */
public final class ConfigFileException extends Exception {
    private final Path file;
    private final int line;

    /** @param line 1-based line number, or 0 when the problem is not tied to a line */
    public ConfigFileException(Path file, int line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public ConfigFileException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.line = 0;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, 0 when not tied to a line. */
    public int line() {
        return line;
    }
}
