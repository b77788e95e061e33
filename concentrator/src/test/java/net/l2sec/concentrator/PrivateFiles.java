package net.l2sec.concentrator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files that hold secrets the way an operator must (and scripts/start.sh does): mode 0600. The configuration
 * refuses secret files that group or others may read or write.
 */
public final class PrivateFiles {
    private PrivateFiles() {}

    /** Writes {@code content} to {@code file} (replacing it) and makes it mode 0600. */
    public static Path write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return restrict(file);
    }

    /** Makes {@code file} mode 0600. */
    public static Path restrict(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
