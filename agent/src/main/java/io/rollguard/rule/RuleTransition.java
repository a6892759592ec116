package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.RuleConfig;
import io.rollguard.rule.expr.Basis;
import io.rollguard.rule.expr.Comparison;
import io.rollguard.store.LabelSet;
import java.time.Instant;

/**
 * A rule changed state for one label set, with its decision record: the value, what it was compared with, the
 * window and samples behind it, and why the state changed. Journaled, logged, and acted on.
 *
 * @param value the condition's left-hand side; NaN when there was no data
 * @param threshold what it was compared with; NaN when there was none
 * @param comparison the statistics behind the value when a {@code regressed(...)} decided; null otherwise
 */
public record RuleTransition(RuleConfig rule, LabelSet labels, RuleState from, RuleState to, String reason,
        double value, double threshold, Basis basis, Instant at, long atNanos, Comparison comparison) {
    public RuleTransition {
        requireNonNull(rule, "rule");
        requireNonNull(labels, "labels");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(reason, "reason");
        requireNonNull(basis, "basis");
        requireNonNull(at, "at");
    }

    public RuleTransition(RuleConfig rule, LabelSet labels, RuleState from, RuleState to, String reason,
            double value, double threshold, Basis basis, Instant at, long atNanos) {
        this(rule, labels, from, to, reason, value, threshold, basis, at, atNanos, null);
    }

    /** The same transition of {@code changed}, the rule as a reload configured it. */
    public RuleTransition withRule(RuleConfig changed) {
        return new RuleTransition(changed, labels, from, to, reason, value, threshold, basis, at, atNanos, comparison);
    }

    /** {@code memory-pressure} or {@code disk-full{mount="/data"}}. */
    public String subject() {
        return rule.name() + (labels.size() == 0 ? "" : labels.toString());
    }
}
