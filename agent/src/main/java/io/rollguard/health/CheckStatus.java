package io.rollguard.health;

import static java.util.Objects.requireNonNull;

import io.rollguard.health.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One check as {@code /health/detailed} and {@code rollguard check} show it: its last result and since when.
 *
 * @param status UP when its last run passed, DOWN when it failed, UNKNOWN before its first run ends
 * @param value its natural number from the last run; NaN when none
 * @param lastDurationSeconds how long its last run took; NaN before the first
 */
public record CheckStatus(String name, String type, boolean critical, List<String> tags, Duration interval,
        Status status, Instant since, String message, double value, double lastDurationSeconds, long failures) {
    public CheckStatus {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        tags = List.copyOf(tags);
        requireNonNull(interval, "interval");
        requireNonNull(status, "status");
        requireNonNull(since, "since");
        requireNonNull(message, "message");
    }
}
