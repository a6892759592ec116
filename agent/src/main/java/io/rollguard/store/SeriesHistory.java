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
        // Walk back from the newest sample: the ring may hold more than this window when another rule reads the
        // series over a longer one, and samples are in time order, so the first one too old ends the walk.
        int newestInWindow = 0;
        int count = 0;
        for (int back = 0; back < size; back++) {
            long age = nowNanos - times[index(back)];
            if (age < 0) { // committed after the moment being evaluated
                newestInWindow = back + 1;
                continue;
            }
            if (age >= windowNanos) {
                break;
            }
            count++;
        }
        into.clear(count);
        for (int back = newestInWindow + count - 1; back >= newestInWindow; back--) {
            int index = index(back);
            into.add(times[index], values[index]);
        }
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
        if (size > 0 && nanos <= times[index(0)]) {
            return;
        }
        times[next] = nanos;
        values[next] = value;
        next = (next + 1) % times.length;
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
            int from = index(kept - 1 - i);
            newTimes[i] = times[from];
            newValues[i] = values[from];
        }
        times = newTimes;
        values = newValues;
        size = kept;
        next = kept % capacity;
    }

    /** The array index of the sample {@code back} steps before the newest one. */
    private int index(int back) {
        return Math.floorMod(next - 1 - back, times.length);
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a history holds at least one sample, got capacity " + capacity);
        }
    }
}
