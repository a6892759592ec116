package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code type = "log"}: a log file has at most {@code maxMatches} lines matching {@code pattern} within the last
 * {@code window}, counting only lines written while the agent follows it.
 */
public record LogCheckSpec(Path path, Pattern pattern, int maxMatches, Duration window) implements CheckSpec {
    public LogCheckSpec {
        requireNonNull(path, "path");
        requireNonNull(pattern, "pattern");
        requireNonNull(window, "window");
    }

    @Override
    public String type() {
        return "log";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.log(this);
    }
}
