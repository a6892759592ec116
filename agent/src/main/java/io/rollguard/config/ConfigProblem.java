package io.rollguard.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a configuration, positioned for a person: {@code rollguard.toml:14:9: message}.
 * Line and column are 1-based; 0 means the problem concerns the file as a whole.
 */
public record ConfigProblem(String source, int line, int column, String message) {
    public ConfigProblem {
        requireNonNull(source, "source");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        if (line <= 0) {
            return source + ": " + message;
        }
        return source + ":" + line + ":" + column + ": " + message;
    }
}
