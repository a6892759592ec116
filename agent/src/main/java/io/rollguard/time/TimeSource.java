package io.rollguard.time;

import java.time.Instant;

/**
 * Where the agent gets time. Durations (periods, {@code for}, timeouts) use the monotonic {@link #nanoTime()}, so a
 * wall-clock jump neither fires nor resets anything; {@link #now()} is only for timestamps shown to people.
 * Tests substitute a fake they step by hand.
 */
public interface TimeSource {
    long nanoTime();

    Instant now();

    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}
