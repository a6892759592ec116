package io.rollguard.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The recent values of one series that a rule reads over a window: a ring of primitive times and values whose size
 * is set by the longest window reading the series and its producer's period, so memory never grows with uptime.
 * When the ring is full the oldest sample is overwritten.
 *
 * <p>Each ring is its own lock: its producer appends to it (from the scheduler thread or a check worker) while the
 * rule evaluator copies windows out of it on the scheduler thread; both hold the lock only for the length of one
 * append or one copy.
 */
public final class SeriesHistory {
    private final SeriesKey key;
    private long[] times;
    private double[] values;
    private int next; // index the next sample is written to
    private int size;

    SeriesHistory(SeriesKey key, int capacity) {
        this.key = requireNonNull(key, "key");
        checkCapacity(capacity);
        this.times = new long[capacity];
        this.values = new double[capacity];
    }

    public SeriesKey key() {
        return key;
    }

    /**
     * Copies the samples taken within {@code window} before {@code nowNanos} (later than {@code nowNanos - window},
     * not later than {@code nowNanos}) into {@code into}, oldest first, replacing what it held.
     */
    public synchronized void read(Duration window, long nowNanos, SampleBuffer into) {
        long windowNanos = window.toNanos();
        // Samples are in time order, so both ends of the window are found by binary search and the samples between
        // copied in at most two blocks: reading costs the same whether the ring holds this window or a longer one.
        int first = firstYoungerThan(windowNanos, nowNanos);
        int end = firstYoungerThan(0, nowNanos); // committed after the moment being evaluated
        int count = Math.max(0, end - first);
        into.clear(count);
        if (count == 0) {
            return;
        }
        int from = physical(first);
        int contiguous = Math.min(count, times.length - from);
        into.append(times, values, from, contiguous);
        into.append(times, values, 0, count - contiguous);
    }

    /** The logical index, oldest first, of the first sample less than {@code ageNanos} old; {@code size} if none. */
    private int firstYoungerThan(long ageNanos, long nowNanos) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (nowNanos - times[physical(middle)] < ageNanos) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    /** The array index of the {@code logicalIndex}-th sample, the oldest being 0. */
    private int physical(int logicalIndex) {
        int index = next - size + logicalIndex;
        return index < 0 ? index + times.length : index;
    }

    /** The time of the newest sample; {@code Long.MIN_VALUE} when there is none. */
    synchronized long newestNanos() {
        return size == 0 ? Long.MIN_VALUE : times[physical(size - 1)];
    }

    synchronized int capacity() {
        return times.length;
    }

    synchronized int size() {
        return size;
    }

    /**
     * Appends a sample. A sample not newer than the newest one is dropped: two overlapping runs of one producer must
     * not put the ring out of time order, which {@link #read} relies on.
     */
    synchronized void append(long nanos, double value) {
        if (size > 0 && nanos <= times[physical(size - 1)]) {
            return;
        }
        times[next] = nanos;
        values[next] = value;
        next = next + 1 == times.length ? 0 : next + 1;
        size = Math.min(size + 1, times.length);
    }

    /** Re-allocates the ring at a new capacity when a window or a period changed, keeping the newest samples. */
    synchronized void resize(int capacity) {
        checkCapacity(capacity);
        if (capacity == times.length) {
            return;
        }
        int kept = Math.min(size, capacity);
        long[] newTimes = new long[capacity];
        double[] newValues = new double[capacity];
        for (int i = 0; i < kept; i++) {
            int from = physical(size - kept + i);
            newTimes[i] = times[from];
            newValues[i] = values[from];
        }
        times = newTimes;
        values = newValues;
        size = kept;
        next = kept % capacity;
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a history holds at least one sample, got capacity " + capacity);
        }
    }
}
