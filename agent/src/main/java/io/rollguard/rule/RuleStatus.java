package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.RuleConfig;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import java.time.Instant;
import java.util.List;

/** A rule as {@code /health/detailed} and {@code /api/v1/rules} show it: each label set's state and why. */
public record RuleStatus(RuleConfig rule, RuleState state, List<Instance> instances) {
    /** One label set of the rule. */
    public record Instance(LabelSet labels, RuleState state, Instant since, String reason, double value,
            double threshold, Basis basis) {
        public Instance {
            requireNonNull(labels, "labels");
            requireNonNull(state, "state");
            requireNonNull(since, "since");
            requireNonNull(reason, "reason");
            requireNonNull(basis, "basis");
        }
    }

    public RuleStatus {
        requireNonNull(rule, "rule");
        requireNonNull(state, "state");
        instances = List.copyOf(instances);
    }
}
