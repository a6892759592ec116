package io.rollguard.store;

import static java.util.Objects.requireNonNull;

/** A series' latest value and the monotonic time, in nanoseconds, at which it was taken. */
public record Series(SeriesKey key, double value, long updatedNanos) {
    public Series {
        requireNonNull(key, "key");
    }
}
