package io.rollguard.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values one producer (a sampler, a check) read in one run. Nothing reaches the store until the run has
 * succeeded and the writer is committed with {@link SeriesStore#replace}, so a run that fails half-way never
 * publishes half a picture.
 */
public final class SeriesWriter {
    private final Map<SeriesKey, Double> values = new LinkedHashMap<>();

    /**
     * Records {@code value}. +Inf and -Inf are values, as in Prometheus ({@code x > 100} holds for +Inf); NaN (0/0,
     * an unreadable field) is left out: the series is absent from this run, for instant reads, and its history
     * stays.
     */
    public SeriesWriter put(MetricFamily family, LabelSet labels, double value) {
        if (!Double.isNaN(value)) {
            values.put(new SeriesKey(family, labels), value);
        }
        return this;
    }

    public SeriesWriter put(MetricFamily family, double value) {
        return put(family, LabelSet.EMPTY, value);
    }

    /** What was recorded so far, in the order written; a read-only view, for the store and for tests. */
    public Map<SeriesKey, Double> values() {
        return Collections.unmodifiableMap(values);
    }
}
