package io.rollguard.sample;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads what a sampler wrote, for assertions and golden files. */
final class WrittenSeries {
    private WrittenSeries() {}

    /** One {@code name{labels} value} line per series, sorted, integral values without a fraction. */
    static List<String> lines(SeriesWriter out) {
        return out.values().entrySet().stream()
                .map(entry -> entry.getKey() + " " + format(entry.getValue()))
                .sorted()
                .toList();
    }

    /** The values of one family by label set. */
    static Map<LabelSet, Double> family(SeriesWriter out, MetricFamily family) {
        Map<LabelSet, Double> values = new LinkedHashMap<>();
        for (Map.Entry<SeriesKey, Double> entry : out.values().entrySet()) {
            if (entry.getKey().family().equals(family)) {
                values.put(entry.getKey().labels(), entry.getValue());
            }
        }
        return values;
    }

    /** The golden file's lines ({@code golden/NAME} under the test resources), blank lines and comments left out. */
    static List<String> golden(String resource) {
        try {
            return Files.readAllLines(Fixtures.path("/" + resource)).stream()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file or directory under {@code src/test/resources/fixtures}. */
    static Path fixture(String relative) {
        return Fixtures.path("/fixtures/" + relative);
    }

    /** Series keyed as Prometheus prints them ({@code name{label="value"}}), sorted, for readable assertions. */
    static Map<String, Double> of(SeriesWriter out) {
        Map<String, Double> series = new TreeMap<>();
        for (Map.Entry<SeriesKey, Double> entry : out.values().entrySet()) {
            series.put(entry.getKey().toString(), entry.getValue());
        }
        return series;
    }

    /** One {@code name{labels} value} line per series, sorted, as a golden file holds them. */
    static String text(SeriesWriter out) {
        return String.join("\n", lines(out)) + "\n";
    }

    /** The names of the families written, sorted. */
    static Set<String> families(SeriesWriter out) {
        Set<String> names = new TreeSet<>();
        out.values().keySet().forEach(key -> names.add(key.family().name()));
        return names;
    }

    private static String format(double value) {
        boolean integral = value == Math.rint(value) && Math.abs(value) < 1e15;
        return integral ? Long.toString((long) value) : Double.toString(value);
    }
}
