package io.rollguard.sample;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** The golden file's lines, blank lines and {@code #} comments left out. */
    static List<String> golden(String resource) {
        try {
            return Files.readAllLines(fixture(resource)).stream()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file or directory under {@code src/test/resources/fixtures}. */
    static Path fixture(String relative) {
        URL url = WrittenSeries.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String format(double value) {
        boolean integral = value == Math.rint(value) && Math.abs(value) < 1e15;
        return integral ? Long.toString((long) value) : Double.toString(value);
    }
}
