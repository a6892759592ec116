package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;

/**
 * Whether a condition holds for one label set, and why: the decision record of one evaluation.
 *
 * @param labels the label set this verdict is about; empty for a condition on unlabelled series or on numbers
 * @param holds whether the condition holds
 * @param value the left-hand side of the comparison that decided ({@code 0.93} in {@code memory > 90%}); for
 *     {@code absent}, 1 when nothing matched and 0 otherwise
 * @param threshold the right-hand side of that comparison ({@code 0.9}); NaN for {@code absent}
 * @param basis the window and number of samples behind the two sides
 * @param decidedBy the comparison or {@code absent} that decided; for {@code and}/{@code or}, the operand that
 *     settled the outcome (print it with {@link ExpressionPrinter})
 * @param comparison the statistics behind a {@code regressed(...)} that decided; null for any other
 */
public record Verdict(LabelSet labels, boolean holds, double value, double threshold, Basis basis, Expr decidedBy,
        Comparison comparison) {
    public Verdict {
        requireNonNull(labels, "labels");
        requireNonNull(basis, "basis");
        requireNonNull(decidedBy, "decidedBy");
    }

    public Verdict(LabelSet labels, boolean holds, double value, double threshold, Basis basis, Expr decidedBy) {
        this(labels, holds, value, threshold, basis, decidedBy, null);
    }

    Verdict withLabels(LabelSet other) {
        return labels.equals(other) ? this : new Verdict(other, holds, value, threshold, basis, decidedBy, comparison);
    }

    Verdict negated() {
        return new Verdict(labels, !holds, value, threshold, basis, decidedBy, comparison);
    }
}
