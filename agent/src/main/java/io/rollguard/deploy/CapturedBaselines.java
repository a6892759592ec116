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
 * average over the baseline window immediately before the start. Immutable; what {@code baseline(...)} reads while
 * the deployment is current.
 */
public final class CapturedBaselines implements Baselines {
    static final CapturedBaselines NONE = new CapturedBaselines(Duration.ZERO, List.of(), List.of());

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

    /** @param missing the selectors no series had history for before the start: their baseline has no data */
    CapturedBaselines(Duration window, List<Value> values, List<String> missing) {
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
            }
            if (captured == 0) {
                missing.add(text);
            }
        }
        return new CapturedBaselines(window, values, missing);
    }

    @Override
    public List<Vector.Element> lookup(String selector) {
        return bySelector.getOrDefault(selector, List.of());
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

    /** Into a deployment's map, as the API shows it and state.json keeps it. */
    void putInto(Map<String, Object> map) {
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
            Map<String, String> labels = new LinkedHashMap<>();
            ((Map<?, ?>) fields.get("labels")).forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
            values.add(new Value(String.valueOf(fields.get("selector")), LabelSet.of(labels),
                    ((Number) fields.get("value")).doubleValue(), ((Number) fields.get("samples")).intValue()));
        }
        List<String> missing = new ArrayList<>();
        for (Object selector : (List<?>) map.get("baselines_missing")) {
            missing.add(String.valueOf(selector));
        }
        return new CapturedBaselines(Quantities.parseDuration(String.valueOf(window)), values, missing);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CapturedBaselines that && window.equals(that.window) && values.equals(that.values)
                && missing.equals(that.missing);
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
