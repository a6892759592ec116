package io.rollguard.health;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What the agent knows of its own health, published once per tick and only read by the HTTP handlers.
 *
 * @param status the overall answer of {@code /health}: DOWN while a critical check fails or a critical rule fires
 * @param at when the tick that built it ran
 */
public record HealthSnapshot(Status status, Instant at, List<ComponentHealth> samplers) {
    public HealthSnapshot {
        requireNonNull(status, "status");
        requireNonNull(at, "at");
        samplers = List.copyOf(samplers);
    }

    /** Before the first tick: up, with nothing run yet. */
    public static HealthSnapshot starting(Instant at) {
        return new HealthSnapshot(Status.UP, at, List.of());
    }
}
