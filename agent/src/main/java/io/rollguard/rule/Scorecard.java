package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.rule.expr.Comparison;
import io.rollguard.rule.expr.RegressedCall;
import io.rollguard.store.LabelSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The canary score of the current deployment, as Kayenta scores a canary: every label set of every rule whose
 * condition is a {@code regressed(...)} is classified pass, high, low or no data; the score is the weighted share of
 * the classified ones that pass, 0 to 100. Immutable; the rule engine makes one per evaluation pass.
 */
public record Scorecard(List<Entry> entries) {
    /** No rule compares with a baseline's samples, or none has been evaluated. */
    public static final Scorecard NONE = new Scorecard(List.of());

    /** What one label set of a {@code regressed(...)} rule said at its last evaluation. */
    public enum Classification {
        /** Not worse, or not enough to count. */
        PASS,
        /** Worse, and worse is higher (latency, errors). */
        HIGH,
        /** Worse, and worse is lower (throughput). */
        LOW,
        /** Too few samples on a side, or no deployment to compare with. */
        NODATA;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @param comparison the statistics behind the classification; null for {@link Classification#NODATA} */
    public record Entry(String rule, LabelSet labels, Classification classification, long weight,
            Comparison comparison) {
        public Entry {
            requireNonNull(rule, "rule");
            requireNonNull(labels, "labels");
            requireNonNull(classification, "classification");
            if (weight < 1) {
                throw new IllegalArgumentException("a weight is at least 1, got " + weight);
            }
        }

        /** The classification of a label set whose last verdict came with {@code comparison}, null for none. */
        static Classification classify(Comparison comparison) {
            if (comparison == null) {
                return Classification.NODATA;
            }
            if (!comparison.regressed()) {
                return Classification.PASS;
            }
            return comparison.call().worse() == RegressedCall.Worse.HIGHER ? Classification.HIGH : Classification.LOW;
        }
    }

    public Scorecard {
        entries = List.copyOf(entries);
    }

    /**
     * The weighted share of the classified label sets that pass, 0 to 100, rounded down (99.9 is not a pass of 100);
     * NaN when none is classified: no score, which decides nothing.
     */
    public double score() {
        long classified = 0;
        long passed = 0;
        for (Entry entry : entries) {
            if (entry.classification() != Classification.NODATA) {
                classified += entry.weight();
                if (entry.classification() == Classification.PASS) {
                    passed += entry.weight();
                }
            }
        }
        return classified == 0 ? Double.NaN : Math.floor(100.0 * passed / classified);
    }

    /** How many label sets have each classification, every classification listed. */
    public Map<Classification, Integer> counts() {
        Map<Classification, Integer> counts = new LinkedHashMap<>();
        for (Classification classification : Classification.values()) {
            counts.put(classification, 0);
        }
        entries.forEach(entry -> counts.merge(entry.classification(), 1, Integer::sum));
        return counts;
    }

    /** How many entries carry their comparison's every figure in {@link #toMap}: a scorecard stays small in state.json. */
    static final int DETAILED = 10;

    /**
     * As the API, the journal and state.json show it: the score (null without one), the count of each
     * classification, and each entry with its classification, effect and p-value, the worse ones first; the first
     * {@link #DETAILED} with every figure of their comparison (U, the shift and its interval, both sides' counts and
     * sparklines). {@code pass} and {@code marginal} are the thresholds it is judged by.
     */
    public Map<String, Object> toMap(long pass, long marginal) {
        Map<String, Object> map = new LinkedHashMap<>();
        double score = score();
        map.put("score", Double.isNaN(score) ? null : (long) score);
        map.put("pass", pass);
        map.put("marginal", marginal);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts().forEach((classification, count) -> counts.put(classification.label(), count));
        map.put("counts", counts);
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(java.util.Comparator.comparingInt(entry -> switch (entry.classification()) {
            case HIGH, LOW -> 0;
            case PASS -> 1;
            case NODATA -> 2;
        }));
        List<Object> list = new ArrayList<>();
        for (Entry entry : ordered) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", entry.rule());
            fields.put("labels", entry.labels().toMap());
            fields.put("classification", entry.classification().label());
            fields.put("weight", entry.weight());
            if (entry.comparison() != null && list.size() < DETAILED) {
                // Every figure of the comparison: an incident record's deployment carries them for the canary's
                // metrics, the worse ones first.
                fields.putAll(entry.comparison().toMap());
            } else if (entry.comparison() != null) {
                fields.put("by", entry.comparison().call().by().text());
                fields.put("effect", entry.comparison().effect());
                fields.put("p", entry.comparison().p());
                fields.put("baseline_samples", entry.comparison().baselineSamples());
                fields.put("current_samples", entry.comparison().currentSamples());
            }
            list.add(fields);
        }
        map.put("rules", list);
        return map;
    }

    /**
     * A scorecard as {@link #toMap} rendered it, cut down to what a deployment no longer current keeps: the score,
     * its thresholds and counts, and the entries that were worse, {@link #DETAILED} at most, without their figures.
     */
    public static Map<String, Object> compact(Map<String, Object> rendered) {
        if (rendered == null) {
            return null;
        }
        Map<String, Object> compact = new LinkedHashMap<>();
        for (String key : List.of("score", "pass", "marginal", "counts")) {
            compact.put(key, rendered.get(key));
        }
        List<Object> worse = new ArrayList<>();
        if (rendered.get("rules") instanceof List<?> rules) {
            for (Object entry : rules) {
                if (entry instanceof Map<?, ?> fields && worse.size() < DETAILED
                        && ("high".equals(fields.get("classification")) || "low".equals(fields.get("classification")))) {
                    Map<String, Object> kept = new LinkedHashMap<>();
                    for (String key : List.of("rule", "labels", "classification", "effect", "p")) {
                        kept.put(key, fields.get(key));
                    }
                    worse.add(kept);
                }
            }
        }
        compact.put("rules", worse);
        return compact;
    }

    /** {@code 83 (5 pass, 1 high)}, or {@code none} without a score: for logs and the CLI. */
    public String describe() {
        double score = score();
        if (Double.isNaN(score)) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        counts().forEach((classification, count) -> {
            if (count > 0) {
                parts.add(count + " " + classification.label());
            }
        });
        return (long) score + " (" + String.join(", ", parts) + ")";
    }
}
