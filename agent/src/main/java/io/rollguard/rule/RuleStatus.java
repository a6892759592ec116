package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.RuleConfig;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import java.time.Instant;
import java.util.List;

/**
 * A rule as {@code /health/detailed} and {@code /api/v1/rules} show it: each label set's state and why.
 *
 * @param series the series its selectors matched at its last evaluation, summed over its selectors
 * @param problem why the rule cannot see what it watches, such as "no series match `x{...}`" (one of its selectors
 *     has matched nothing for a few ticks); empty when there is nothing to say
 */
public record RuleStatus(RuleConfig rule, RuleState state, List<Instance> instances, long series, String problem) {
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
        requireNonNull(problem, "problem");
    }

    /** A rule with nothing to say about its selectors. */
    public RuleStatus(RuleConfig rule, RuleState state, List<Instance> instances) {
        this(rule, state, instances, 0, "");
    }
}
