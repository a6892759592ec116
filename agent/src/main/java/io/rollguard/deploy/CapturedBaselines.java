package io.rollguard.deploy;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Quantities;
import io.rollguard.rule.expr.Baselines;
import io.rollguard.rule.expr.Basis;
import io.rollguard.rule.expr.ExpressionPrinter;
import io.rollguard.rule.expr.Selector;
import io.rollguard.rule.expr.Vector;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SampleBuffer;
import io.rollguard.store.SeriesHistory;
import io.rollguard.store.SeriesView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baselines a deployment froze at its start: for each baseline selector of the rules, each matching series'
 * average over the baseline window immediately before the start, and its samples there (the newest
 * {@link #MAX_SERIES_SAMPLES}, at most {@link #MAX_SAMPLES} in all). Immutable; what {@code baseline(...)} and
 * {@code regressed(...)} read while the deployment is current.
 */
public final class CapturedBaselines implements Baselines {
    static final CapturedBaselines NONE = new CapturedBaselines(Duration.ZERO, List.of(), List.of());
    /** The most samples a series keeps for {@code regressed(...)}: its newest. */
    static final int MAX_SERIES_SAMPLES = 1_000;
    /** The most samples a deployment keeps in all, so that state.json stays far within its bound. */
    static final int MAX_SAMPLES = 10_000;

    /**
     * One series' frozen samples, sorted (what the statistics compare is their distribution, not their order, and
     * sorted once they need no sorting at every tick); {@code selector} as {@link ExpressionPrinter} prints it.
     */
    public record SampleSet(String selector, LabelSet labels, double[] values) {
        public SampleSet {
            requireNonNull(selector, "selector");
            requireNonNull(labels, "labels");
            requireNonNull(values, "values");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SampleSet that && selector.equals(that.selector) && labels.equals(that.labels)
                    && java.util.Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return selector.hashCode() * 31 + java.util.Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "SampleSet[" + selector + labels + ", " + values.length + " samples]";
        }
    }

    /** One series' frozen average; {@code selector} as {@link ExpressionPrinter} prints it. */
    public record Value(String selector, LabelSet labels, double value, int samples) {
        public Value {
            requireNonNull(selector, "selector");
            requireNonNull(labels, "labels");
        }
    }

    private final Duration window;
    private final List<Value> values;
    private final List<String> missing;
    private final Map<String, List<Vector.Element>> bySelector;
    private final List<SampleSet> sampleSets;
    private final Map<String, Map<LabelSet, double[]>> samplesBySelector;

    /** @param missing the selectors no series had history for before the start: their baseline has no data */
    CapturedBaselines(Duration window, List<Value> values, List<String> missing) {
        this(window, values, missing, List.of());
    }

    CapturedBaselines(Duration window, List<Value> values, List<String> missing, List<SampleSet> sampleSets) {
        this.sampleSets = List.copyOf(sampleSets);
        Map<String, Map<LabelSet, double[]>> samples = new LinkedHashMap<>();
        for (SampleSet set : this.sampleSets) {
            samples.computeIfAbsent(set.selector(), s -> new LinkedHashMap<>()).put(set.labels(), set.values());
        }
        samples.replaceAll((selector, map) -> Map.copyOf(map));
        this.samplesBySelector = Map.copyOf(samples);
        this.window = requireNonNull(window, "window");
        this.values = List.copyOf(values);
        this.missing = List.copyOf(missing);
        Map<String, List<Vector.Element>> elements = new LinkedHashMap<>();
        for (Value value : this.values) {
            elements.computeIfAbsent(value.selector(), s -> new ArrayList<>())
                    .add(new Vector.Element(value.labels(), value.value(), new Basis(window, value.samples())));
        }
        elements.replaceAll((selector, list) -> List.copyOf(list));
        this.bySelector = Map.copyOf(elements);
    }

    /** Averages each series {@code selectors} match over {@code window} before the view's moment. */
    static CapturedBaselines capture(SeriesView view, List<Selector> selectors, Duration window) {
        List<Value> values = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<SampleSet> sets = new ArrayList<>();
        int budget = MAX_SAMPLES;
        SampleBuffer samples = new SampleBuffer();
        for (Selector selector : selectors) {
            String text = ExpressionPrinter.print(selector);
            int captured = 0;
            for (SeriesHistory history : view.range(selector.name())) {
                if (!selector.matches(history.key().labels())) {
                    continue;
                }
                history.read(window, view.nowNanos(), samples);
                double sum = 0;
                for (int i = 0; i < samples.size(); i++) {
                    sum += samples.value(i);
                }
                double average = sum / samples.size();
                if (samples.size() > 0 && Double.isFinite(average)) {
                    values.add(new Value(text, history.key().labels(), average, samples.size()));
                    captured++;
                }
                double[] kept = newestFinite(samples, Math.min(MAX_SERIES_SAMPLES, budget));
                if (kept.length > 0) {
                    sets.add(new SampleSet(text, history.key().labels(), kept));
                    budget -= kept.length;
                }
            }
            if (captured == 0) {
                missing.add(text);
            }
        }
        return new CapturedBaselines(window, values, missing, sets);
    }

    /** The newest {@code most} finite values of {@code samples}, sorted. */
    private static double[] newestFinite(SampleBuffer samples, int most) {
        double[] kept = new double[Math.min(most, samples.size())];
        int count = 0;
        for (int i = samples.size() - 1; i >= 0 && count < kept.length; i--) {
            if (Double.isFinite(samples.value(i))) {
                kept[count++] = samples.value(i);
            }
        }
        double[] values = java.util.Arrays.copyOf(kept, count);
        java.util.Arrays.sort(values);
        return values;
    }

    @Override
    public List<Vector.Element> lookup(String selector) {
        return bySelector.getOrDefault(selector, List.of());
    }

    @Override
    public Map<LabelSet, double[]> sampleSets(String selector) {
        return samplesBySelector.getOrDefault(selector, Map.of());
    }

    /** These baselines for a deployment that started at {@code startedNanos} on the monotonic clock. */
    Baselines startedAt(long startedNanos) {
        CapturedBaselines captured = this;
        return new Baselines() {
            @Override
            public List<Vector.Element> lookup(String selector) {
                return captured.lookup(selector);
            }

            @Override
            public Map<LabelSet, double[]> sampleSets(String selector) {
                return captured.sampleSets(selector);
            }

            @Override
            public long startedNanos() {
                return startedNanos;
            }
        };
    }

    public List<SampleSet> samples() {
        return sampleSets;
    }

    /** Without the sample sets: what a deployment that is no longer current keeps. */
    CapturedBaselines withoutSamples() {
        return sampleSets.isEmpty() ? this : new CapturedBaselines(window, values, missing);
    }

    public Duration window() {
        return window;
    }

    public List<Value> values() {
        return values;
    }

    public List<String> missing() {
        return missing;
    }

    /**
     * Into a deployment's map, as the API shows it and state.json keeps it; the samples themselves only with
     * {@code withSamples} (state.json), the API counting them.
     */
    void putInto(Map<String, Object> map, boolean withSamples) {
        map.put("baseline_window", Quantities.formatDuration(window));
        List<Object> list = new ArrayList<>();
        for (Value value : values) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("selector", value.selector());
            entry.put("labels", value.labels().toMap());
            entry.put("value", value.value());
            entry.put("samples", value.samples());
            list.add(entry);
        }
        map.put("baselines", list);
        map.put("baselines_missing", missing);
        if (sampleSets.isEmpty()) {
            return;
        }
        List<Object> sets = new ArrayList<>();
        for (SampleSet set : sampleSets) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("selector", set.selector());
            entry.put("labels", set.labels().toMap());
            entry.put("count", set.values().length);
            if (withSamples) {
                List<Double> values = new ArrayList<>(set.values().length);
                for (double value : set.values()) {
                    values.add(value);
                }
                entry.put("values", values);
            }
            sets.add(entry);
        }
        map.put("baseline_samples", sets);
    }

    /** The inverse of {@link #putInto}; a deployment saved before baselines existed has none. */
    static CapturedBaselines from(Map<?, ?> map) {
        Object window = map.get("baseline_window");
        if (window == null) {
            return NONE;
        }
        List<Value> values = new ArrayList<>();
        for (Object entry : (List<?>) map.get("baselines")) {
            Map<?, ?> fields = (Map<?, ?>) entry;
            values.add(new Value(String.valueOf(fields.get("selector")), labels((Map<?, ?>) fields.get("labels")),
                    ((Number) fields.get("value")).doubleValue(), ((Number) fields.get("samples")).intValue()));
        }
        List<String> missing = new ArrayList<>();
        for (Object selector : (List<?>) map.get("baselines_missing")) {
            missing.add(String.valueOf(selector));
        }
        List<SampleSet> sets = new ArrayList<>();
        if (map.get("baseline_samples") instanceof List<?> saved) {
            for (Object entry : saved) {
                Map<?, ?> fields = (Map<?, ?>) entry;
                if (!(fields.get("values") instanceof List<?> numbers)) {
                    continue; // as the API shows it: counted, not kept
                }
                double[] kept = new double[numbers.size()];
                for (int i = 0; i < kept.length; i++) {
                    kept[i] = ((Number) numbers.get(i)).doubleValue();
                }
                java.util.Arrays.sort(kept); // as saved, unless the file was edited
                sets.add(new SampleSet(String.valueOf(fields.get("selector")), labels((Map<?, ?>) fields.get("labels")),
                        kept));
            }
        }
        return new CapturedBaselines(Quantities.parseDuration(String.valueOf(window)), values, missing, sets);
    }

    private static LabelSet labels(Map<?, ?> saved) {
        Map<String, String> labels = new LinkedHashMap<>();
        saved.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
        return LabelSet.of(labels);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CapturedBaselines that && window.equals(that.window) && values.equals(that.values)
                && missing.equals(that.missing) && sampleSets.equals(that.sampleSets);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "CapturedBaselines[window=" + window + ", values=" + values + ", missing=" + missing + "]";
    }
}
