package io.rollguard.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * The samples of one series within a window, oldest first, copied out of its {@link SeriesHistory}. A reader keeps
 * one buffer and reuses it for every series it reads, so reading history allocates nothing per tick.
 */
public final class SampleBuffer {
    private long[] times = new long[16];
    private double[] values = new double[16];
    private int size;

    public int size() {
        return size;
    }

    /** The monotonic time, in nanoseconds, of the {@code index}-th sample, oldest first. */
    public long timeNanos(int index) {
        return times[Objects.checkIndex(index, size)];
    }

    public double value(int index) {
        return values[Objects.checkIndex(index, size)];
    }

    /** Empties the buffer and makes room for {@code expected} samples at once, so filling it never re-allocates. */
    void clear(int expected) {
        size = 0;
        ensureCapacity(expected);
    }

    /** Appends {@code count} samples from the arrays of a ring, starting at {@code from}. */
    void append(long[] fromTimes, double[] fromValues, int from, int count) {
        ensureCapacity(size + count);
        System.arraycopy(fromTimes, from, times, size, count);
        System.arraycopy(fromValues, from, values, size, count);
        size += count;
    }

    private void ensureCapacity(int wanted) {
        if (times.length < wanted) {
            int capacity = Math.max(wanted, times.length * 2);
            times = Arrays.copyOf(times, capacity);
            values = Arrays.copyOf(values, capacity);
        }
    }
}
