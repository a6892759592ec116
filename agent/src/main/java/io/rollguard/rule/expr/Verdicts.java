package io.rollguard.rule.expr;

import java.util.List;

/**
 * A condition's verdicts, one per label set with data; a label set without data has none (the rule is unknown
 * there). A {@code scalar} condition (a comparison of numbers only) has at most one verdict, without labels, and
 * applies to every label set of the other operand of {@code and}/{@code or}.
 */
record Verdicts(List<Verdict> verdicts, boolean scalar) implements Value {
    public Verdicts {
        verdicts = List.copyOf(verdicts);
        if (scalar && (verdicts.size() > 1 || (verdicts.size() == 1 && verdicts.get(0).labels().size() != 0))) {
            throw new IllegalArgumentException("a scalar condition has at most one verdict, without labels, got "
                    + verdicts);
        }
    }
}
