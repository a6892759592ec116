package io.rollguard.store;

import static java.util.Objects.requireNonNull;

/** One series: a family and one set of label values. */
public record SeriesKey(MetricFamily family, LabelSet labels) {
    public SeriesKey {
        requireNonNull(family, "family");
        requireNonNull(labels, "labels");
    }

    @Override
    public String toString() {
        return family.name() + (labels.size() == 0 ? "" : labels.toString());
    }
}
