package io.rollguard.health;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * One component's health at the last tick.
 *
 * @param since when the component entered its current status (wall clock, for people)
 * @param message why it is down; empty when up
 * @param period how often it runs
 * @param lastDurationSeconds how long its last run took, NaN before the first run
 */
public record ComponentHealth(String name, Status status, Instant since, String message, Duration period,
        double lastDurationSeconds, long errors) {
    public ComponentHealth {
        requireNonNull(name, "name");
        requireNonNull(period, "period");
        requireNonNull(status, "status");
        requireNonNull(since, "since");
        requireNonNull(message, "message");
    }
}
