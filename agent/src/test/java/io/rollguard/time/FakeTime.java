package io.rollguard.time;

import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when a test says so; monotonic and wall time advance together unless the wall jumps. */
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

    /** Sets the wall clock forward (or back, for a negative jump) as an administrator or NTP would; monotonic time
     * does not move. */
    public FakeTime jumpWallClock(Duration jump) {
        wall = wall.plus(jump);
        return this;
    }
}
