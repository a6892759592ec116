package io.rollguard.time;

import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when a test says so; monotonic and wall time advance together. */
public final class FakeTime implements TimeSource {
    private long nanos = 1_000_000_000L;
    private Instant wall = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Instant now() {
        return wall;
    }

    public FakeTime advance(Duration step) {
        nanos += step.toNanos();
        wall = wall.plus(step);
        return this;
    }
}
