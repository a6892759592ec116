package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.check.CheckSpec;
import java.time.Duration;
import java.util.List;

/**
 * One {@code [[check]]}: what every check has, and its type's own settings in {@link #spec()}.
 *
 * @param interval how often the daemon runs it
 * @param timeout a run that takes longer fails with "timed out"
 * @param critical whether a failure turns {@code /health} DOWN
 * @param tags groups it belongs to: {@code /health/TAG} and {@code rollguard check --tag TAG}
 */
public record CheckConfig(String name, String description, Duration interval, Duration timeout, boolean critical,
        List<String> tags, CheckSpec spec) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public CheckConfig {
        requireNonNull(name, "name");
        requireNonNull(description, "description");
        requireNonNull(interval, "interval");
        requireNonNull(timeout, "timeout");
        tags = List.copyOf(tags);
        requireNonNull(spec, "spec");
    }

    public String type() {
        return spec.type();
    }
}
