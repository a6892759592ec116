package io.rollguard.store;

import java.util.List;

/**
 * What rule evaluation reads: the fresh series of the store at one moment, and the history of those a windowed
 * function reads. A view is taken once per evaluation pass ({@link SeriesStore#view(long)}) so that every rule of a
 * tick sees the same picture, even while producers keep committing.
 *
 * <p>Names are resolved the same way for both methods: a name is looked up as written; when no fresh series has
 * that name and it lacks the {@code rollguard_} prefix, {@code rollguard_} + name is looked up instead. So
 * {@code memory_used_ratio} reads {@code rollguard_memory_used_ratio}, while a scraped application's
 * {@code http_requests_total} is found as written.
 */
public interface SeriesView {
    /** The monotonic time, in nanoseconds, this view was taken at: the end of every window read through it. */
    long nowNanos();

    /** The fresh series with the (resolved) name; empty when there are none, or when their producer went stale. */
    List<Series> latest(String name);

    /**
     * The histories of the series {@link #latest} returns for the same name, for those that are tracked
     * ({@link SeriesStore#track}); a stale or vanished series has none, even if its ring still holds samples.
     */
    List<SeriesHistory> range(String name);
}
