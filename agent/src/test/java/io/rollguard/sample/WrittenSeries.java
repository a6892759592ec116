package io.rollguard.sample;

import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What a sampler wrote, keyed as Prometheus prints a series ({@code name{label="value"}}), for readable assertions. */
final class WrittenSeries {
    private WrittenSeries() {}

    static Map<String, Double> of(SeriesWriter out) {
        Map<String, Double> series = new TreeMap<>();
        for (Map.Entry<SeriesKey, Double> entry : out.values().entrySet()) {
            series.put(entry.getKey().toString(), entry.getValue());
        }
        return series;
    }

    /** One {@code name{labels} value} line per series, sorted, as a golden file holds them. */
    static String text(SeriesWriter out) {
        StringBuilder text = new StringBuilder();
        of(out).forEach((key, value) -> text.append(key).append(' ').append(format(value)).append('\n'));
        return text.toString();
    }

    /** Whole numbers without a fraction or an exponent, so byte counts read as the kernel wrote them. */
    private static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** The names of the families written, sorted. */
    static Set<String> families(SeriesWriter out) {
        Set<String> names = new TreeSet<>();
        out.values().keySet().forEach(key -> names.add(key.family().name()));
        return names;
    }
}
