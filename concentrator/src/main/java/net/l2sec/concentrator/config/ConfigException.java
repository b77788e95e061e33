package net.l2sec.concentrator.config;

import java.util.List;

/** A configuration was refused. Each problem names the file, the key and the reason; none contains a secret. */
public final class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
