package io.rollguard.store;

import java.util.ArrayList;
import java.util.List;

/**
 * What rule evaluation reads: the fresh series of the store at one moment, and the history of those a windowed
 * function reads. A view is taken once per evaluation pass ({@link SeriesStore#view(long)}) so that every rule of a
 * tick sees the same picture, even while producers keep committing.
 *
 * <p>Names are resolved the same way for both methods: a name is looked up as written; when no fresh series nor
 * history has that name and it lacks the {@code rollguard_} prefix, {@code rollguard_} + name is looked up instead. So
 * {@code memory_used_ratio} reads {@code rollguard_memory_used_ratio}, while a scraped application's
 * {@code http_requests_total} is found as written.
 *
 * <p>A view serves one evaluation pass on one thread: it may remember what it looked up.
 */
public interface SeriesView {
    /** The monotonic time, in nanoseconds, this view was taken at: the end of every window read through it. */
    long nowNanos();

    /** The fresh series with the (resolved) name; empty when there are none, or when their producer went stale. */
    List<Series> latest(String name);

    /**
     * The histories of the tracked series ({@link SeriesStore#track}) of the (resolved) name that still have a sample
     * within the longest window tracked for it: those {@link #latest} returns, and also those the newest run of
     * their producer left out or whose producer went stale, as Prometheus' range selectors ignore staleness. A
     * reader takes the samples in its own window ({@link SeriesHistory#read}).
     */
    List<SeriesHistory> range(String name);

    /**
     * What {@link #latest} returns for {@code name} whose label {@code label} has {@code value}, a series without
     * the label counting as having it empty, in the same order: what an equality matcher keeps. A view may index
     * its series to answer this without reading every one of them.
     */
    default List<Series> latest(String name, String label, String value) {
        List<Series> matching = new ArrayList<>();
        for (Series series : latest(name)) {
            if (SeriesStore.valueOf(series.key().labels(), label).equals(value)) {
                matching.add(series);
            }
        }
        return matching;
    }

    /** What {@link #range} returns for {@code name} whose label {@code label} has {@code value}, as above. */
    default List<SeriesHistory> range(String name, String label, String value) {
        List<SeriesHistory> matching = new ArrayList<>();
        for (SeriesHistory history : range(name)) {
            if (SeriesStore.valueOf(history.key().labels(), label).equals(value)) {
                matching.add(history);
            }
        }
        return matching;
    }
}
