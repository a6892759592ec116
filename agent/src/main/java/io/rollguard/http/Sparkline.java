package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.SampleBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The recent values of one series a rule reads, and how they draw as an SVG polyline {@value #WIDTH} by
 * {@value #HEIGHT} units: time runs left to right over the {@link #span}, ending now, the lowest value (or threshold)
 * at the bottom.
 *
 * <p>Coordinates are whole numbers: a unit is a CSS pixel, and the page stays small.
 *
 * @param series the series as Prometheus names it, {@code rollguard_load1{}} without empty braces
 * @param samples oldest first
 * @param threshold the value the rule compares the series with, drawn as a line; NaN when the rule is no simple
 *     comparison
 */
record Sparkline(String series, Duration window, List<Sample> samples, double threshold) {
    static final int WIDTH = 160;
    static final int HEIGHT = 32;
    static final int PADDING = 2;
    /** More samples than twice this are drawn as each bucket's lowest and highest: the page stays small. */
    static final int BUCKETS = 20;

    /** One sample, {@code secondsAgo} before the page was drawn. */
    record Sample(double secondsAgo, double value) {}

    Sparkline {
        requireNonNull(series, "series");
        requireNonNull(window, "window");
        samples = List.copyOf(samples);
    }

    /** The samples of {@code buffer}, read at {@code nowNanos}. */
    static Sparkline of(String series, Duration window, SampleBuffer buffer, long nowNanos, double threshold) {
        List<Sample> samples = new ArrayList<>(buffer.size());
        for (int i = 0; i < buffer.size(); i++) {
            samples.add(new Sample((nowNanos - buffer.timeNanos(i)) / 1e9, buffer.value(i)));
        }
        return new Sparkline(series, window, samples, threshold);
    }

    /** The polyline's {@code points} attribute: "x,y x,y ..."; empty without a finite sample. */
    String points() {
        double[] range = range();
        List<Sample> drawn = downsampled();
        StringBuilder points = new StringBuilder(drawn.size() * 9);
        for (Sample sample : drawn) {
            if (points.length() > 0) {
                points.append(' ');
            }
            points.append(Math.round(x(sample))).append(',').append(Math.round(y(sample.value(), range)));
        }
        return points.toString();
    }

    /** Where the threshold line goes; NaN when there is none or no sample to scale it with. */
    double thresholdY() {
        if (!Double.isFinite(threshold) || finite().isEmpty()) {
            return Double.NaN;
        }
        return Math.round(y(threshold, range()));
    }

    /** The newest finite value; NaN when none. */
    double last() {
        List<Sample> finite = finite();
        return finite.isEmpty() ? Double.NaN : finite.get(finite.size() - 1).value();
    }

    private List<Sample> finite() {
        return samples.stream().filter(s -> Double.isFinite(s.value())).toList();
    }

    private List<Sample> downsampled() {
        List<Sample> finite = finite();
        if (finite.size() <= 2 * BUCKETS) {
            return finite;
        }
        List<Sample> kept = new ArrayList<>(2 * BUCKETS);
        int start = 0;
        while (start < finite.size()) {
            int bucket = bucket(finite.get(start));
            int end = start;
            int lowest = start;
            int highest = start;
            while (end < finite.size() && bucket(finite.get(end)) == bucket) {
                if (finite.get(end).value() < finite.get(lowest).value()) {
                    lowest = end;
                }
                if (finite.get(end).value() > finite.get(highest).value()) {
                    highest = end;
                }
                end++;
            }
            kept.add(finite.get(Math.min(lowest, highest)));
            if (lowest != highest) {
                kept.add(finite.get(Math.max(lowest, highest)));
            }
            start = end;
        }
        return kept;
    }

    private int bucket(Sample sample) {
        return (int) Math.min(BUCKETS - 1, Math.floor(x(sample) / WIDTH * BUCKETS));
    }

    private double x(Sample sample) {
        double seconds = span().toMillis() / 1000.0;
        if (seconds <= 0) {
            return WIDTH;
        }
        double x = (seconds - sample.secondsAgo()) / seconds * WIDTH;
        return Math.max(0, Math.min(WIDTH, x));
    }

    /**
     * The time the line spans, right edge now: the window, or less while the history is younger than the window, so
     * a young agent's few minutes fill the width rather than a sliver of it.
     */
    Duration span() {
        double oldest = 0;
        for (Sample sample : samples) {
            oldest = Math.max(oldest, sample.secondsAgo());
        }
        Duration age = Duration.ofMillis(Math.round(oldest * 1000));
        return age.compareTo(window) < 0 ? age : window;
    }

    /** The lowest and highest value to fit, threshold included. */
    private double[] range() {
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (Sample sample : finite()) {
            low = Math.min(low, sample.value());
            high = Math.max(high, sample.value());
        }
        if (Double.isFinite(threshold)) {
            low = Math.min(low, threshold);
            high = Math.max(high, threshold);
        }
        return new double[] {low, high};
    }

    private static double y(double value, double[] range) {
        double span = range[1] - range[0];
        if (!(span > 0)) {
            return HEIGHT / 2.0; // a flat line through the middle
        }
        return PADDING + (range[1] - value) / span * (HEIGHT - 2 * PADDING);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** One decimal at most: "12", "12.5". */
    static String format(double value) {
        double rounded = round(value);
        if (rounded == Math.rint(rounded)) {
            return Long.toString((long) rounded);
        }
        return String.format(Locale.ROOT, "%.1f", rounded);
    }
}
