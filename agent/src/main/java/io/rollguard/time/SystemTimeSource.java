package io.rollguard.time;

import java.time.Instant;

/** The real clocks: {@link System#nanoTime()} and the wall clock. Stateless, hence shared. */
enum SystemTimeSource implements TimeSource {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant now() {
        return Instant.now();
    }
}
