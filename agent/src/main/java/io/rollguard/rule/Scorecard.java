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

    /**
     * As the API, the journal and state.json show it: the score (null without one) and each entry with its effect
     * and p-value; {@code pass} and {@code marginal} are the thresholds it is judged by.
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
        List<Object> list = new ArrayList<>();
        for (Entry entry : entries) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", entry.rule());
            fields.put("labels", entry.labels().toMap());
            fields.put("classification", entry.classification().label());
            fields.put("weight", entry.weight());
            if (entry.comparison() != null) {
                // Every figure of the comparison (U, p, the shift and its interval, both sides' counts and
                // sparklines): an incident record's deployment carries them for every metric of the canary.
                fields.putAll(entry.comparison().toMap());
            }
            list.add(fields);
        }
        map.put("rules", list);
        return map;
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
